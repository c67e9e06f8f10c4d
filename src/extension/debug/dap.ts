/**
 * The few Debug Adapter Protocol requests NormScope makes, typed, with the adapter's answers checked before use
 * (`customRequest` returns whatever the adapter sent). Adapter errors that mean "the program moved on" become
 * a UserError that says so.
 */
import * as vscode from 'vscode';
import { UserError } from '../../engine/errors';

/** DAP StackFrame, the fields used here. */
export interface StackFrame {
  id: number;
  name: string;
  line: number;
  source?: { name?: string; path?: string };
}

/** DAP `evaluate` contexts NormScope uses: `repl` as the Debug Console does; `clipboard` for whole long strings. */
export type EvaluateContext = 'repl' | 'clipboard';

function isStackFrame(v: unknown): v is StackFrame {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return typeof f.id === 'number' && typeof f.name === 'string' && typeof f.line === 'number';
}

/** Thrown for adapter errors; `movedOn` when the frame or thread is gone or running again. */
class AdapterError extends Error {
  constructor(message: string, readonly movedOn: boolean) {
    super(message);
    this.name = 'AdapterError';
  }
}

/** Adapter messages for a frame or thread that no longer exists or is not paused (debugpy, js-debug, others). */
const MOVED_ON = /frame.*(not found|invalid|stale|unknown|gone)|unable to find (thread|frame)|thread.*(not (found|suspended|paused|stopped)|running)|not (paused|suspended|stopped)|is running|no (stack|frame)|stack frame not found|invalid (frame|thread)/i;

async function request(session: vscode.DebugSession, command: string, args: object): Promise<unknown> {
  try {
    return (await session.customRequest(command, args)) as unknown;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new AdapterError(message, MOVED_ON.test(message));
  }
}

/** The `result` string of `evaluate` in `frameId`. */
export async function evaluate(session: vscode.DebugSession, frameId: number, expression: string, context: EvaluateContext): Promise<string> {
  const body = await request(session, 'evaluate', { expression, frameId, context });
  const result = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).result : undefined;
  if (typeof result !== 'string') throw new Error(`the ${session.type} adapter answered evaluate without a result: ${JSON.stringify(body)?.slice(0, 200)}`);
  return result;
}

/** The innermost frames of `threadId` (at most `levels`), innermost first. */
export async function stackFrames(session: vscode.DebugSession, threadId: number, levels: number): Promise<StackFrame[]> {
  const body = await request(session, 'stackTrace', { threadId, startFrame: 0, levels });
  const frames = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).stackFrames : undefined;
  if (!Array.isArray(frames)) throw new Error(`the ${session.type} adapter answered stackTrace without frames: ${JSON.stringify(body)?.slice(0, 200)}`);
  return frames.filter(isStackFrame);
}

/** Where a frame is, in the user's terms: `forward (model.py:42)`. */
export function frameLabel(frame: StackFrame): string {
  const file = frame.source?.name ?? frame.source?.path?.split(/[\\/]/).pop();
  return file ? `${frame.name} (${file}:${frame.line})` : frame.name;
}

const MOVED_ON_MESSAGE = 'The program is no longer paused where the value was read (the frame or thread is gone). Inspect it again at the next stop.';

/** An AdapterError that means the program moved on, as the UserError users should read (`message` for the caller's context). */
export function movedOnError(e: unknown, message = MOVED_ON_MESSAGE): unknown {
  return e instanceof AdapterError && e.movedOn ? new UserError('debug', message) : e;
}
