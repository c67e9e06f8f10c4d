/** The palette and context-menu commands that open inspectors. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineClient } from './engineClient';
import { Commands, CUSTOM_EDITOR_EXTENSIONS, FILE_EXTENSIONS, VIEW_TYPE } from './ids';
import { log } from './log';
import { openInspectorPanel } from './panels';

/** Selections larger than this are refused: a tensor worth reading as text is far smaller. */
const MAX_SELECTION_CHARS = 64 << 20;

export function registerCommands(context: vscode.ExtensionContext, engine: EngineClient): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Commands.inspectFile, (uri?: unknown) => inspectFile(context, engine, uri)),
    vscode.commands.registerCommand(Commands.inspectSelection, () => inspectSelection(context, engine)),
    vscode.commands.registerCommand(Commands.showLog, () => log().show()),
  ];
}

/** From the explorer menu VS Code passes the clicked Uri; from the palette nothing, and we ask. */
async function inspectFile(context: vscode.ExtensionContext, engine: EngineClient, arg: unknown): Promise<void> {
  let uri = arg instanceof vscode.Uri ? arg : undefined;
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Inspect',
      title: 'NormScope: Inspect Tensor File',
      filters: { 'Tensor files': FILE_EXTENSIONS.map((e) => e.slice(1)), 'All files': ['*'] },
    });
    uri = picked?.[0];
  }
  if (!uri) return;
  const ext = path.extname(uri.fsPath).toLowerCase();
  if (CUSTOM_EDITOR_EXTENSIONS.includes(ext)) {
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
    return;
  }
  openInspectorPanel(context, engine, { kind: 'file', path: uri.fsPath, tensor: '' },
    { kind: 'file', label: path.basename(uri.fsPath), detail: uri.fsPath });
}

async function inspectSelection(context: vscode.ExtensionContext, engine: EngineClient): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) {
    void vscode.window.showWarningMessage('NormScope: select a tensor literal first (a nested list, or a numpy, PyTorch or TensorFlow repr).');
    return;
  }
  const text = editor.document.getText(editor.selection);
  if (text.length > MAX_SELECTION_CHARS) {
    void vscode.window.showErrorMessage(`NormScope: the selection has ${text.length.toLocaleString('en-US')} characters; save large tensors with np.save and open the .npy instead.`);
    return;
  }
  const line = editor.selection.start.line + 1;
  const name = path.basename(editor.document.uri.fsPath || editor.document.uri.path);
  openInspectorPanel(context, engine, { kind: 'literal', text },
    { kind: 'selection', label: `Selection in ${name}:${line}`, detail: `${editor.document.uri.toString()} line ${line}` });
}
