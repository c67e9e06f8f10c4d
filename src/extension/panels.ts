/** Inspector panels for sources that are not custom-editor documents: JSON files, selections, debug variables. */
import * as vscode from 'vscode';
import type { InspectOptions } from '../engine/inspect/types';
import type { SourceInfo } from '../shared/protocol';
import type { WorkerSource } from '../shared/workerProtocol';
import type { EngineClient } from './engineClient';
import { PANEL_VIEW_TYPE } from './ids';
import { trackSession } from './sessionRegistry';
import { InspectorSession, type FollowController } from './inspectorSession';

export function openInspectorPanel(context: vscode.ExtensionContext, engine: EngineClient, source: WorkerSource, info: SourceInfo,
  follow?: FollowController, initialOptions?: Partial<InspectOptions>): { panel: vscode.WebviewPanel; session: InspectorSession } {
  const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, `NormScope: ${info.label}`,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
  panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
  const session = new InspectorSession(panel.webview, source, info, engine, context.extensionUri, follow, initialOptions);
  trackSession(panel, session);
  return { panel, session };
}
