/**
 * "NormScope: Inspect Variable": reads a tensor from a paused debug session through the Debug Adapter Protocol
 * (nothing of ours runs in the debuggee beyond the one evaluated expression) and opens it in an inspector panel
 * that can follow it from stop to stop. From the Variables and Watch views the variable comes as the argument;
 * from the editor menu and the palette it is the selected text (or the word typed in), read as an expression
 * of the focused frame under the grammar of valuePath.ts.
 */
import * as vscode from 'vscode';
import { guessLayout } from '../../engine/inspect/layoutGuess';
import { fmtBytes, shapeText } from '../../shared/format';
import type { EngineClient } from '../engineClient';
import { Commands, Settings } from '../ids';
import type { InspectorSession } from '../inspectorSession';
import { log, reportError } from '../log';
import { openInspectorPanel } from '../panels';
import { variableFromArg } from './commandArgs';
import { DebugFollower } from './follower';
import { pausedFrame } from './pausedFrame';
import type { Description } from './replies';
import { MAX_TRANSFER_BYTES, stepsFor, transferBytes, type SizePolicy } from './sizePolicy';
import { StopWatcher } from './stopWatcher';
import { parseValuePath } from './valuePath';
import { readVariable, type VariableRead } from './variableRead';
import { DebugValueReader } from './valueReader';

/** What the command did; the integration tests read it (a command's return value reaches only its caller). */
export type InspectVariableResult =
  | { kind: 'opened'; panel: vscode.WebviewPanel; session: InspectorSession; follower: DebugFollower; value: VariableRead }
  | { kind: 'failed'; message: string }
  | { kind: 'cancelled' };

export function registerDebugCommands(context: vscode.ExtensionContext, engine: EngineClient): vscode.Disposable[] {
  const watcher = new StopWatcher();
  return [
    watcher,
    vscode.commands.registerCommand(Commands.inspectVariable, (arg?: unknown) => inspectVariable(context, engine, watcher, arg)),
  ];
}

async function inspectVariable(context: vscode.ExtensionContext, engine: EngineClient, watcher: StopWatcher, arg: unknown): Promise<InspectVariableResult> {
  try {
    const variable = variableFromArg(arg);
    const text = variable?.expression ?? await expressionFromEditor();
    if (text === undefined) return { kind: 'cancelled' };
    const paused = await pausedFrame(variable?.sessionId);
    const reader = new DebugValueReader(paused.session, paused.language, parseValuePath(text, paused.language));
    const t0 = Date.now();
    const description = await reader.describe(paused.frame.id);
    const describedIn = Date.now() - t0;
    const policy = await choosePolicy(reader.expression, description);
    if (!policy) return { kind: 'cancelled' };
    const value = await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, title: `NormScope: reading ${reader.expression} from the debugger`, cancellable: true,
    }, (progress, token) => {
      let reported = 0;
      return readVariable(reader, paused.frame, policy, {
        description, token, progress: (fraction) => {
          progress.report({ increment: (fraction - reported) * 100 });
          reported = fraction;
        },
      });
    });
    log().info(`read ${reader.expression} (${description.typeName} ${shapeText(description.shape)}) from ${paused.session.name}: `
      + `described in ${describedIn} ms, ${fmtBytes(value.read.bytes.byteLength)} read in ${value.millis} ms`
      + `${value.read.tempFile ? ` through ${value.read.tempFile} (deleted)` : ' through the debug protocol'}`);
    const follower = new DebugFollower(reader, paused.threadId, policy, engine, watcher, value.guess.options.channelAxis);
    const { panel, session } = openInspectorPanel(context, engine, value.source, value.info, follower, value.guess.options);
    panel.onDidDispose(() => follower.dispose());
    await follower.attach(session, value, paused.frameIds);
    return { kind: 'opened', panel, session, follower, value };
  } catch (e) {
    const message = reportError(e, 'Inspect Variable');
    return message === undefined ? { kind: 'cancelled' } : { kind: 'failed', message };
  }
}

/** The editor's selection, else the word at the cursor offered in an input box (the palette). */
async function expressionFromEditor(): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor && !editor.selection.isEmpty) return editor.document.getText(editor.selection);
  const word = editor?.document.getWordRangeAtPosition(editor.selection.active);
  return vscode.window.showInputBox({
    title: 'NormScope: Inspect Variable',
    prompt: 'A variable of the paused frame, or an attribute or item of one (act, self.bn.running_mean, acts["conv1"][0])',
    value: word && editor ? editor.document.getText(word) : '',
    ignoreFocusOut: true,
  });
}

/** Whole when within normscope.debug.maxTransferMB; above it, the user picks a strided sample or everything. */
async function choosePolicy(expression: string, description: Description): Promise<SizePolicy | undefined> {
  const limitMB = vscode.workspace.getConfiguration(Settings.section).get<number>(Settings.maxTransferMB, 256);
  const fit: SizePolicy = { kind: 'fit', limitBytes: limitMB * 2 ** 20, keepAxis: guessLayout(description.shape, description.origin).options.channelAxis };
  const bytes = transferBytes(description);
  const steps = stepsFor(description, fit);
  if (!steps) return fit;
  const sampleBytes = transferBytes(description, steps);
  const sample = `Transfer a Sample (${fmtBytes(sampleBytes)})`;
  const whole = `Transfer All (${fmtBytes(bytes)})`;
  const pick = await vscode.window.showWarningMessage(
    `${expression} is ${fmtBytes(bytes)} (${description.dtype} ${shapeText(description.shape)}), more than the ${limitMB} MB set in normscope.debug.maxTransferMB.`,
    {
      modal: true,
      detail: `The sample takes every ${Math.max(...steps)}th index along ${fit.keepAxis === null ? 'every axis'
        : `every axis but the channel axis ${fit.keepAxis}`} (steps ${steps.join(', ')}).`
        + (bytes > MAX_TRANSFER_BYTES ? ` NormScope reads at most ${fmtBytes(MAX_TRANSFER_BYTES)} from a debugger.` : ''),
    },
    ...(bytes > MAX_TRANSFER_BYTES ? [sample] : [sample, whole]));
  if (pick === sample) return fit;
  return pick === whole ? { kind: 'whole' } : undefined;
}
