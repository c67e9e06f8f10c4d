/** One read of a debug variable in one frame: description, size policy, transfer, and the panel's source. */
import type * as vscode from 'vscode';
import { guessLayout, type LayoutGuess } from '../../engine/inspect/layoutGuess';
import type { SourceInfo } from '../../shared/protocol';
import type { WorkerSource } from '../../shared/workerProtocol';
import { fmtBytes, shapeText } from '../../shared/format';
import { frameLabel, type StackFrame } from './dap';
import type { Description } from './replies';
import { stepsFor, type SizePolicy } from './sizePolicy';
import type { DebugValueReader, ReadValue } from './valueReader';

export interface VariableRead {
  frame: StackFrame;
  description: Description;
  /** Sample steps per axis, or null when the whole value was read. */
  steps: number[] | null;
  read: ReadValue;
  guess: LayoutGuess;
  source: WorkerSource;
  info: SourceInfo;
  /** Wall time of the transfer (describe excluded when it was given). */
  millis: number;
}

export async function readVariable(reader: DebugValueReader, frame: StackFrame, policy: SizePolicy, options: {
  description?: Description;
  token?: vscode.CancellationToken;
  progress?: (fraction: number) => void;
} = {}): Promise<VariableRead> {
  const t0 = Date.now();
  const description = options.description ?? await reader.describe(frame.id);
  const steps = stepsFor(description, policy);
  const read = await reader.read(frame.id, description, steps, options.token, options.progress);
  const guess = guessLayout(read.shape, description.origin);
  return {
    frame, description, steps, read, guess, millis: Date.now() - t0,
    source: { kind: 'memory', bytes: read.bytes, fileName: 'variable.npy', tensor: '' },
    info: { kind: 'debug', label: reader.expression, detail: detail(reader, frame, description, steps, read, guess) },
  };
}

/** The panel header's second line: where the value was read, what it is, what NormScope did to it. */
function detail(reader: DebugValueReader, frame: StackFrame, d: Description, steps: number[] | null, read: ReadValue, guess: LayoutGuess): string {
  const what = [`${d.typeName} ${d.dtype} ${shapeText(d.shape)}`];
  if (d.device) what.push(`on ${d.device}`);
  if (d.requiresGrad) what.push('requires_grad');
  const parts = [reader.session.name, frameLabel(frame), what.join(' ')];
  if (d.note) parts.push(d.note);
  if (steps) parts.push(`strided sample ${steps.map((s) => `::${s}`).join(', ')} → ${shapeText(read.shape)}, ${fmtBytes(read.bytes.byteLength)}`);
  parts.push(`${guess.layout} guessed: ${guess.reason}`);
  return parts.join(' · ');
}
