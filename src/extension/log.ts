/**
 * The one funnel for errors: user errors become a message that says what is wrong with a "Show Log" action;
 * anything else is a bug, logged with its stack, and shown as such. Cancellation is silent.
 */
import * as vscode from 'vscode';
import { CancelledError, isUserError } from '../engine/errors';
import { Commands } from './ids';

let channel: vscode.LogOutputChannel | undefined;

export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('NormScope', { log: true });
  return channel;
}

/** The text a user should read for `e`: a user error's own message, or a bug's summary. */
export function userMessage(e: unknown): string {
  if (isUserError(e)) return e.message;
  return `Internal error: ${e instanceof Error ? e.message : String(e)}. See the NormScope log for details.`;
}

/** Logs `e` and shows it (without awaiting the notification). Returns the message shown, or undefined if cancelled. */
export function reportError(e: unknown, context: string): string | undefined {
  if (e instanceof CancelledError) return undefined;
  const message = userMessage(e);
  if (isUserError(e)) log().warn(`${context}: ${e.message}`);
  else log().error(`${context}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  void vscode.window.showErrorMessage(`NormScope: ${message}`, 'Show Log').then((pick) => {
    if (pick) void vscode.commands.executeCommand(Commands.showLog);
  });
  return message;
}
