/**
 * The read-only custom editor for tensor files: the document is just the URI (headers are read by the worker
 * when the webview is ready), and each editor gets its own InspectorSession.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineClient } from './engineClient';
import { VIEW_TYPE } from './ids';
import { InspectorSession } from './inspectorSession';
import { log } from './log';
import { trackSession } from './sessionRegistry';

class TensorDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {
    // nothing is held per document: sessions own their file handles for the duration of a job only
  }
}

export class TensorEditorProvider implements vscode.CustomReadonlyEditorProvider<TensorDocument> {
  static register(context: vscode.ExtensionContext, engine: EngineClient): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(VIEW_TYPE, new TensorEditorProvider(context, engine), {
      supportsMultipleEditorsPerDocument: true,
    });
  }

  private constructor(private readonly context: vscode.ExtensionContext, private readonly engine: EngineClient) {}

  openCustomDocument(uri: vscode.Uri): TensorDocument {
    // its inspector computes the first view as soon as it opens
    this.engine.startWorkers();
    return new TensorDocument(uri);
  }

  resolveCustomEditor(document: TensorDocument, panel: vscode.WebviewPanel): void {
    const file = document.uri.fsPath;
    log().info(`${path.basename(file)}: opened in the inspector`);
    const session = new InspectorSession(panel.webview, { kind: 'file', path: file, tensor: '' },
      { kind: 'file', label: path.basename(file), detail: file }, this.engine, this.context.extensionUri);
    trackSession(panel, session);
  }
}
