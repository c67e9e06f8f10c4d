/**
 * "Follow at each stop": while on, every stop of the followed thread re-reads the same expression in its new
 * top frame and shows the new value in the same panel; every read (the first one included) adds the raw
 * per-channel mean and variance to a short history that the panel draws as a line chart over stops. The
 * history is computed here, not from what the webview asks for, so a hidden panel still records every stop.
 */
import * as vscode from 'vscode';
import { channelSplit } from '../../engine/tensor';
import type { StopPoint } from '../../shared/protocol';
import { Disposable } from '../dispose';
import type { EngineClient } from '../engineClient';
import type { FollowController, InspectorSession } from '../inspectorSession';
import { log, userMessage } from '../log';
import { frameLabel, movedOnError, stackFrames } from './dap';
import type { SizePolicy } from './sizePolicy';
import type { StopEvent, StopWatcher } from './stopWatcher';
import { readVariable, type VariableRead } from './variableRead';
import type { DebugValueReader } from './valueReader';

/** Stops kept in the history chart. */
const HISTORY_LENGTH = 50;
/** Frames remembered per stop, so that picking one of them in the Call Stack view is not taken for a stop. */
const REMEMBERED_FRAMES = 50;

export class DebugFollower extends Disposable implements FollowController {
  private on = false;
  private inspector: InspectorSession | undefined;
  private readonly points: StopPoint[] = [];
  private stops = 0;
  /** The stop being read, and whether another stop came meanwhile (read once more, for the latest). */
  private busy: Promise<void> | undefined;
  private again = false;
  private readonly recorded = this._register(new vscode.EventEmitter<StopPoint>());
  /** Fires with each history point (tests wait on it). */
  readonly onDidRecord = this.recorded.event;

  constructor(
    private readonly reader: DebugValueReader,
    private readonly threadId: number,
    private readonly policy: SizePolicy,
    private readonly engine: EngineClient,
    private readonly watcher: StopWatcher,
    /** The axis whose channels the history charts; follows what the panel shows. */
    private channelAxis: number | null,
  ) {
    super();
    this._register(watcher.onDidStop((e) => this.onStop(e)));
  }

  get enabled(): boolean {
    return this.on;
  }

  setEnabled(on: boolean): void {
    this.on = on;
  }

  get history(): readonly StopPoint[] {
    return this.points;
  }

  /** Binds the panel, and records the value it opened with, read at a stop with frames `frameIds`, as the first stop. */
  async attach(inspector: InspectorSession, first: VariableRead, frameIds: readonly number[]): Promise<void> {
    this.inspector = inspector;
    this._register(inspector.onDidCompute(({ result }) => {
      this.channelAxis = result.options.channelAxis;
    }));
    this.watcher.remember(this.reader.session.id, this.threadId, frameIds);
    await this.record(first).catch((e: unknown) => log().warn(`history of ${this.reader.expression}: ${userMessage(e)}`));
  }

  private onStop(e: StopEvent): void {
    if (!this.on || this.isDisposed || e.sessionId !== this.reader.session.id) return;
    if (e.threadId !== this.threadId && !e.allThreadsStopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = this.refresh().finally(() => {
      this.busy = undefined;
      if (this.again) {
        this.again = false;
        this.onStop(e);
      }
    });
  }

  /** Reads the value at the new stop; on failure the panel keeps the last value and says why. */
  private async refresh(): Promise<void> {
    try {
      const frames = await stackFrames(this.reader.session, this.threadId, REMEMBERED_FRAMES).catch((e: unknown) => {
        throw movedOnError(e);
      });
      if (frames.length === 0) throw new Error(`thread ${this.threadId} has no frames at this stop`);
      this.watcher.remember(this.reader.session.id, this.threadId, frames.map((f) => f.id));
      const value = await readVariable(this.reader, frames[0], this.policy);
      if (this.isDisposed || !this.inspector) return;
      await this.inspector.replaceSource(value.source, value.info);
      await this.record(value);
    } catch (e) {
      const message = `At stop ${this.stops + 1}: ${userMessage(e)} The panel shows the value from the previous stop.`;
      log().warn(`following ${this.reader.expression}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      this.inspector?.postSourceError(message);
    }
  }

  /** Adds the per-channel mean and variance of `value` to the history and sends the history to the panel. */
  private async record(value: VariableRead): Promise<void> {
    const stop = ++this.stops;
    const axis = this.channelAxis !== null && this.channelAxis < value.read.shape.length ? this.channelAxis : null;
    const { channels, inner } = channelSplit(value.read.shape, axis);
    // the moments alone: the history needs no histograms or quantiles
    const m = await this.engine.groupMoments(value.source, { run: Math.max(1, inner), mod: channels }).promise;
    const point: StopPoint = {
      stop, label: frameLabel(value.frame),
      mean: Array.from({ length: channels }, (_, c) => m.finiteMean(c)),
      var: Array.from({ length: channels }, (_, c) => m.variance(c)),
    };
    this.points.push(point);
    if (this.points.length > HISTORY_LENGTH) this.points.shift();
    this.inspector?.postHistory([...this.points]);
    this.recorded.fire(point);
  }
}
