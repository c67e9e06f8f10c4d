// The other ways a tensor reaches the inspector in a real VS Code: a literal selected in an editor, and a JSON
// file through "Inspect Tensor File…". Expected values are worked out by hand from the literals below.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { Commands } from '../../src/extension/ids';
import { normScope, sessionTitled, waitFor } from './helpers';

function close(actual: number, expected: number, what: string) {
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

suite('tensor sources', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('"Inspect Selection as Tensor" parses a PyTorch repr without running it and shows its statistics', async () => {
    const a = await normScope();
    const doc = await vscode.workspace.openTextDocument({
      language: 'python',
      content: "y = model(x)\ntensor([[1.0000, 2.0000, 3.0000],\n        [4.0000, 5.0000, 7.5000]], grad_fn=<AddBackward0>)\n",
    });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(new vscode.Position(1, 0), new vscode.Position(2, 59));
    await vscode.commands.executeCommand(Commands.inspectSelection);
    const session = await waitFor(() => sessionTitled(a, 'NormScope: Selection in'), 'the selection panel');
    const { tensor, result } = await waitFor(() => session.lastResult, 'the statistics');
    assert.deepStrictEqual(tensor.shape, [2, 3]);
    assert.strictEqual(tensor.dtype, 'float32', 'torch reprs default to float32');
    // channels along axis 1: [1, 4], [2, 5], [3, 7.5]
    [[2.5, 2.25], [3.5, 2.25], [5.25, 5.0625]].forEach(([mean, variance], c) => {
      close(result.channel.before[c].mean, mean, `channel ${c} mean`);
      close(result.channel.before[c].var, variance, `channel ${c} var`);
    });
    close(result.overall.before.mean, 3.75, 'overall mean');
  });

  test('a JSON tensor opens through "Inspect Tensor File…" in an inspector panel', async () => {
    const a = await normScope();
    const file = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'small.json');
    fs.writeFileSync(file, JSON.stringify({ shape: [3, 2], dtype: 'float32', data: [1, 2, 3, 4, 5, 6.5] }));
    await vscode.commands.executeCommand(Commands.inspectFile, vscode.Uri.file(file));
    const session = await waitFor(() => sessionTitled(a, 'NormScope: small.json'), 'the JSON panel');
    const { tensor, result } = await waitFor(() => session.lastResult, 'the statistics');
    assert.deepStrictEqual(tensor.shape, [3, 2]);
    close(result.channel.before[0].mean, 3, 'channel 0 mean'); // 1, 3, 5
    close(result.channel.before[1].mean, 12.5 / 3, 'channel 1 mean'); // 2, 4, 6.5
    close(result.channel.before[0].var, 8 / 3, 'channel 0 var');
  });
});
