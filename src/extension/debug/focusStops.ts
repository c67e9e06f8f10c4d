/**
 * Stops inferred from VS Code's focus, for debug sessions that started before NormScope activated and so have
 * no DebugAdapterTracker (stopWatcher.ts). A stop focuses the top frame of the stopped thread, after the thread
 * ran (debugpy: focus moves to the thread, then back to a frame whose id may be the same) or with frame ids the
 * previous stop did not have (js-debug numbers frames anew at each stop). Picking another frame of the same stop
 * in the Call Stack view is neither.
 */

/** What VS Code focuses, as plain ids: a frame, a thread (running, or chosen without a frame), or nothing. */
export type FocusItem = { sessionId: string; threadId: number; frameId?: number } | undefined;

/** Decides from focus changes alone whether a program stopped again (pure, for sessions without a tracker). */
export class FocusStopDetector {
  private readonly onFrame = new Map<string, boolean>();
  private readonly known = new Map<string, Set<number>>();

  /** Whether focusing `item` is a new stop rather than the user picking another frame of the same stop. */
  onFocus(item: FocusItem): boolean {
    if (!item) {
      this.onFrame.clear();
      return false;
    }
    if (item.frameId === undefined) {
      this.onFrame.set(item.sessionId, false);
      return false;
    }
    const wasOnFrame = this.onFrame.get(item.sessionId) ?? false;
    this.onFrame.set(item.sessionId, true);
    return !wasOnFrame || !this.known.get(`${item.sessionId}/${item.threadId}`)?.has(item.frameId);
  }

  /** The frames of the stop the follower just read: focusing one of them later is not a new stop. */
  remember(sessionId: string, threadId: number, frameIds: readonly number[]): void {
    this.known.set(`${sessionId}/${threadId}`, new Set(frameIds));
    this.onFrame.set(sessionId, true);
  }

  forget(sessionId: string): void {
    this.onFrame.delete(sessionId);
    for (const key of [...this.known.keys()]) if (key.startsWith(`${sessionId}/`)) this.known.delete(key);
  }
}
