/**
 * The paused stack frame a command works in (the one focused in the Call Stack view, whose variables the
 * Variables view shows) and the language of its debugger.
 */
import * as vscode from 'vscode';
import { UserError } from '../../engine/errors';
import { movedOnError, stackFrames, type StackFrame } from './dap';
import type { DebugLanguage } from './valuePath';

export interface PausedFrame {
  session: vscode.DebugSession;
  threadId: number;
  frame: StackFrame;
  /** The ids of the thread's frames at this stop (the innermost ones). */
  frameIds: number[];
  language: DebugLanguage;
}

/** Debug types whose adapters NormScope knows; others are recognized by the paused frame's source file. */
const LANGUAGE_OF_TYPE: Record<string, DebugLanguage> = {
  python: 'python', debugpy: 'python',
  node: 'javascript', 'pwa-node': 'javascript', 'node-terminal': 'javascript', chrome: 'javascript', 'pwa-chrome': 'javascript',
  msedge: 'javascript', 'pwa-msedge': 'javascript', extensionHost: 'javascript', 'pwa-extensionHost': 'javascript',
};

const LANGUAGE_OF_EXTENSION: Record<string, DebugLanguage> = {
  '.py': 'python', '.pyw': 'python',
  '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript', '.jsx': 'javascript',
  '.ts': 'javascript', '.mts': 'javascript', '.cts': 'javascript', '.tsx': 'javascript',
};

/** How many frames are fetched to find the focused one (the Call Stack view shows about as many at first). */
const FRAME_LEVELS = 50;

const NOT_PAUSED = 'No debug session is paused. Stop at a breakpoint (or pause the program), then run NormScope: Inspect Variable again.';

/** The focused frame, checked to belong to `sessionId` when the command came from a variable of that session. */
export async function pausedFrame(sessionId?: string): Promise<PausedFrame> {
  const item = vscode.debug.activeStackItem;
  if (!item) throw new UserError('debug', NOT_PAUSED);
  if (sessionId !== undefined && item.session.id !== sessionId) {
    throw new UserError('debug', 'The variable belongs to another debug session than the focused one. Select a frame of its session in the Call Stack view and inspect it again.');
  }
  let frame: StackFrame | undefined;
  let frames: StackFrame[];
  try {
    frames = await stackFrames(item.session, item.threadId, FRAME_LEVELS);
    if (item instanceof vscode.DebugStackFrame && !frames.some((f) => f.id === item.frameId) && frames.length === FRAME_LEVELS) {
      frames = await stackFrames(item.session, item.threadId, 0); // a frame deep in the stack: all of them (DAP levels 0)
    }
    // a focused thread without a focused frame: its innermost frame, as the Debug Console would use
    frame = item instanceof vscode.DebugStackFrame ? frames.find((f) => f.id === item.frameId) : frames[0];
  } catch (e) {
    // a thread that runs again or is gone: nothing is paused any more
    throw movedOnError(e, NOT_PAUSED);
  }
  if (!frame) {
    if (item instanceof vscode.DebugStackFrame) throw new UserError('debug', 'The focused stack frame is gone: the program moved on. Inspect the variable again at the next stop.');
    throw new UserError('debug', NOT_PAUSED);
  }
  const language = languageOf(item.session.type, frame);
  if (!language) {
    throw new UserError('debug', `NormScope inspects variables of Python (debugpy) and JavaScript (js-debug) programs; `
      + `this is a '${item.session.type}' session paused in ${frame.source?.name ?? 'code'} it does not recognize.`);
  }
  return { session: item.session, threadId: item.threadId, frame, frameIds: frames.map((f) => f.id), language };
}

function languageOf(debugType: string, frame: StackFrame): DebugLanguage | undefined {
  const known = LANGUAGE_OF_TYPE[debugType];
  if (known) return known;
  const file = frame.source?.path ?? frame.source?.name ?? '';
  const ext = /\.[A-Za-z]+$/.exec(file)?.[0].toLowerCase();
  return ext ? LANGUAGE_OF_EXTENSION[ext] : undefined;
}
