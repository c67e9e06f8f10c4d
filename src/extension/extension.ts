/**
 * Activation registers contributions only: the engine worker starts with the first tensor opened, so activating
 * costs next to nothing.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerDebugCommands } from './debug/inspectVariable';
import { EngineClient } from './engineClient';
import { log } from './log';
import { openSessions } from './sessionRegistry';
import { TensorEditorProvider } from './tensorEditorProvider';

/** What the extension exports to its integration tests (and to nobody else). */
export interface NormScopeApi {
  engine: EngineClient;
  sessions: typeof openSessions;
}

export function activate(context: vscode.ExtensionContext): NormScopeApi {
  const engine = EngineClient.forExtension(context);
  context.subscriptions.push(
    engine,
    log(),
    TensorEditorProvider.register(context, engine),
    ...registerCommands(context, engine),
    ...registerDebugCommands(context, engine),
  );
  return { engine, sessions: openSessions };
}

export function deactivate(): void {
  // everything is disposed through context.subscriptions
}
