/**
 * Tells followed debug variables when their program stops again. The adapter's own `stopped` events, seen by a
 * DebugAdapterTracker, are exact; but trackers only exist for sessions that started after NormScope activated.
 * For earlier sessions the stops are inferred from VS Code's focus: a stop focuses the top frame of the stopped
 * thread, after the thread ran (focus on the thread) or with frame ids the previous stop did not have.
 */
import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { FocusStopDetector, type FocusItem } from './focusStops';

export interface StopEvent {
  sessionId: string;
  /** The stopped thread, when the adapter says. */
  threadId: number | undefined;
  allThreadsStopped: boolean;
}

/** The `stopped` event in a message from the adapter, if it is one. */
function stoppedEvent(m: unknown): Omit<StopEvent, 'sessionId'> | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const { type, event, body } = m as { type?: unknown; event?: unknown; body?: unknown };
  if (type !== 'event' || event !== 'stopped') return undefined;
  const b = typeof body === 'object' && body !== null ? body as { threadId?: unknown; allThreadsStopped?: unknown } : {};
  return { threadId: typeof b.threadId === 'number' ? b.threadId : undefined, allThreadsStopped: b.allThreadsStopped === true };
}

export class StopWatcher extends Disposable {
  private readonly stopped = this._register(new vscode.EventEmitter<StopEvent>());
  readonly onDidStop = this.stopped.event;
  private readonly tracked = new Set<string>();
  private readonly focus = new FocusStopDetector();

  constructor() {
    super();
    this._register(vscode.debug.registerDebugAdapterTrackerFactory('*', {
      createDebugAdapterTracker: (session) => {
        this.tracked.add(session.id);
        return {
          onDidSendMessage: (m: unknown) => {
            const stop = stoppedEvent(m);
            if (stop) this.stopped.fire({ sessionId: session.id, ...stop });
          },
        };
      },
    }));
    this._register(vscode.debug.onDidTerminateDebugSession((session) => {
      this.tracked.delete(session.id);
      this.focus.forget(session.id);
    }));
    this._register(vscode.debug.onDidChangeActiveStackItem((item) => {
      const focused = focusItem(item);
      if (this.focus.onFocus(focused) && focused && !this.tracked.has(focused.sessionId)) {
        this.stopped.fire({ sessionId: focused.sessionId, threadId: focused.threadId, allThreadsStopped: false });
      }
    }));
  }

  remember(sessionId: string, threadId: number, frameIds: readonly number[]): void {
    this.focus.remember(sessionId, threadId, frameIds);
  }
}

function focusItem(item: vscode.DebugThread | vscode.DebugStackFrame | undefined): FocusItem {
  if (item instanceof vscode.DebugStackFrame) return { sessionId: item.session.id, threadId: item.threadId, frameId: item.frameId };
  if (item instanceof vscode.DebugThread) return { sessionId: item.session.id, threadId: item.threadId };
  return undefined;
}
