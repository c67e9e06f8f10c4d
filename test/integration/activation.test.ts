// Smoke test of the wiring: the extension activates in a real VS Code and registers its commands.
import * as assert from 'assert';
import * as vscode from 'vscode';

const extensionId = 'normscope.normscope';
const contributedCommands = ['normscope.inspectFile', 'normscope.inspectSelection', 'normscope.inspectVariable', 'normscope.showLog'];

suite('activation', () => {
  test('the extension is installed and activates', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not installed`);
    await extension.activate();
    assert.strictEqual(extension.isActive, true);
  });

  test('every contributed command is registered', async () => {
    await vscode.extensions.getExtension(extensionId)?.activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributedCommands.filter((c) => !registered.has(c));
    assert.deepStrictEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });
});
