/**
 * Runs engine jobs in the worker pool (enginePool.ts: a worker per core, started on first use, restarted after a
 * crash) or, for tiny tensors, inline. Each job gets one answer: its result, a typed error, or a rejection when
 * a worker dies under it.
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { inspect, NO_CONTROL } from '../engine/inspect/inspect';
import type { InspectOptions, InspectResult } from '../engine/inspect/types';
import type { GroupMap, GroupMoments } from '../engine/moments';
import { entryElements } from '../formats/elementSource';
import { extensionOf } from '../formats/open';
import { EnginePool, type JobHandle } from '../node/enginePool';
import { listSource, withSourceEntry } from '../node/tensorFiles';
import type { LayerParameters, Listing, WorkerSource } from '../shared/workerProtocol';
import type { NormLayerInfo } from '../shared/protocol';
import { log } from './log';

export type { JobHandle } from '../node/enginePool';

/** Where an inspection reports while it runs: its progress, and pass 1's preview when the pool splits it. */
export interface InspectReports {
  progress?(fraction: number): void;
  preview?(partial: InspectResult): void;
}

export class EngineClient implements vscode.Disposable {
  private readonly pool: EnginePool;

  constructor(workerPath: string) {
    this.pool = new EnginePool(workerPath, { error: (m) => log().error(m), warn: (m) => log().warn(m) });
  }

  static forExtension(context: vscode.ExtensionContext): EngineClient {
    return new EngineClient(path.join(context.extensionPath, 'dist', 'worker.js'));
  }

  /**
   * Starts the workers ahead of the jobs of a tensor being opened: a worker takes hundreds of ms to start while the
   * workbench loads the inspector's page.
   */
  startWorkers(): void {
    this.pool.start();
  }

  /**
   * What a source holds. A .npy file's listing is its header, a few hundred bytes: this thread reads it while the
   * workers start, so that the first statistics are asked for as soon as a worker runs rather than after a listing
   * round trip through it (20-110 ms in the end-to-end test). Other containers (a zip's directory, a safetensors
   * header of megabytes of JSON, a selection's text) are read in a worker.
   */
  list(source: WorkerSource): JobHandle<Listing> {
    if (source.kind === 'file' && extensionOf(source.path) === '.npy') return { promise: listSource(source), cancel: () => undefined };
    return this.pool.list(source);
  }

  /** A state-dict layer's γ, β and running statistics, read in a worker like every other tensor. */
  layerParameters(source: WorkerSource, layer: NormLayerInfo): JobHandle<LayerParameters> {
    return this.pool.layerParameters(source, layer);
  }

  /**
   * Statistics for `source`. `inline` runs them on this thread: only for tensors small enough that the whole
   * computation takes well under a millisecond (the `inlineComputeElements` setting); those report nothing.
   */
  inspect(source: WorkerSource, options: InspectOptions, reports: InspectReports = {}, inline = false): JobHandle<InspectResult> {
    if (inline) return { promise: withSourceEntry(source, (entry) => inspect(entryElements(entry), options, NO_CONTROL, false)), cancel: () => undefined };
    return this.pool.inspect(source, options, reports.progress, reports.preview);
  }

  /** Moments of `source` grouped by `map` (e.g. per channel): pass 1 alone, without histograms or quantiles. */
  groupMoments(source: WorkerSource, map: GroupMap): JobHandle<GroupMoments> {
    return this.pool.groupMoments(source, map);
  }

  normalizeToFile(source: WorkerSource, options: InspectOptions, outPath: string, progress?: (fraction: number) => void): JobHandle<string> {
    return this.pool.normalizeToFile(source, options, outPath, progress);
  }

  dispose(): void {
    this.pool.dispose();
  }
}
