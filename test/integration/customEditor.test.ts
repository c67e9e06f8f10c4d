// Opening a tensor file in a real VS Code: our custom editor takes the tab, the worker computes, and the
// statistics the host sends the webview equal numpy's (test/fixtures/workspace/expected.json).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { Commands, VIEW_TYPE } from '../../src/extension/ids';
import { normScope, sessionTitled, waitFor } from './helpers';

interface Expected { file: string; channels: { count: number; mean: number; var: number; min: number; max: number }[] }

const workspace = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

function checkAgainstNumpy(result: { channel: { before: { count: number; mean: number; var: number; min: number; max: number }[] } }, expected: Expected) {
  assert.strictEqual(result.channel.before.length, expected.channels.length);
  expected.channels.forEach((e, c) => {
    const s = result.channel.before[c];
    assert.strictEqual(s.count, e.count, `channel ${c} count`);
    assert.ok(Math.abs(s.mean - e.mean) <= 1e-9 * Math.abs(e.mean) + 1e-12, `channel ${c} mean ${s.mean} vs numpy ${e.mean}`);
    assert.ok(Math.abs(s.var - e.var) <= 1e-9 * e.var, `channel ${c} var ${s.var} vs numpy ${e.var}`);
    assert.strictEqual(s.min, e.min, `channel ${c} min`);
    assert.strictEqual(s.max, e.max, `channel ${c} max`);
  });
}

suite('custom editor', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('opening a .npy shows our custom editor and numpy\'s statistics', async () => {
    const a = await normScope();
    const expected = JSON.parse(fs.readFileSync(path.join(workspace(), 'expected.json'), 'utf8')) as Expected;
    const file = path.join(workspace(), expected.file);
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
    const input = await waitFor(() => {
      const i = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return i instanceof vscode.TabInputCustom ? i : undefined;
    }, 'a custom editor tab');
    assert.strictEqual(input.viewType, VIEW_TYPE);
    assert.strictEqual(input.uri.fsPath, file);
    const session = await waitFor(() => sessionTitled(a, path.basename(file)), 'the inspector session');
    const shown = await waitFor(() => session.lastResult, 'the statistics');
    assert.deepStrictEqual(shown.tensor.shape, [6, 4, 5, 5]);
    checkAgainstNumpy(shown.result, expected);
  });

  test('"Inspect Tensor File…" with a file argument opens the same editor', async () => {
    const a = await normScope();
    const expected = JSON.parse(fs.readFileSync(path.join(workspace(), 'expected.json'), 'utf8')) as Expected;
    const file = path.join(workspace(), expected.file);
    await vscode.commands.executeCommand(Commands.inspectFile, vscode.Uri.file(file));
    const session = await waitFor(() => sessionTitled(a, path.basename(file)), 'the inspector session');
    checkAgainstNumpy((await waitFor(() => session.lastResult, 'the statistics')).result, expected);
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(input instanceof vscode.TabInputCustom && input.viewType === VIEW_TYPE);
  });
});

suite('a tensor file changing on disk', () => {
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('rewriting or deleting the open file tells the view to offer a reload', async () => {
    const a = await normScope();
    const dir = workspace();
    const file = path.join(dir, 'changing.npy');
    fs.copyFileSync(path.join(dir, 'activations.npy'), file);
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
    const session = await waitFor(() => sessionTitled(a, 'changing.npy'), 'the inspector session');
    await waitFor(() => session.lastResult, 'the statistics');
    // the watcher can still report the copy that created the file, which happened just before it started
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const next = (deleted: boolean) => new Promise<{ deleted: boolean }>((resolve) => {
      // an append may be reported more than once: wait for the kind of event this step causes
      const d = session.onDidChangeSource((e) => {
        if (e.deleted !== deleted) return;
        d.dispose();
        resolve(e);
      });
    });
    const rewritten = next(false);
    fs.appendFileSync(file, new Uint8Array(16)); // another program changes the file
    assert.deepStrictEqual(await rewritten, { deleted: false });
    const deleted = next(true);
    fs.rmSync(file);
    assert.deepStrictEqual(await deleted, { deleted: true });
  });
});
