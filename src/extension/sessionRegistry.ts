/** Every open inspector, custom editor or panel, by its webview panel: what the integration tests reach through the API. */
import type * as vscode from 'vscode';
import type { InspectorSession } from './inspectorSession';

export const openSessions = new Map<vscode.WebviewPanel, InspectorSession>();

/** Registers `session` for as long as `panel` lives, and disposes it with the panel. */
export function trackSession(panel: vscode.WebviewPanel, session: InspectorSession): void {
  openSessions.set(panel, session);
  panel.onDidDispose(() => {
    openSessions.delete(panel);
    session.dispose();
  });
}
