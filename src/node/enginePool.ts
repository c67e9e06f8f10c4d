/**
 * The engine workers: one per core (at most MAX_WORKERS), each started on first use and restarted after a crash.
 * A large uncompressed tensor is inspected by all of them at once: every pass of inspect.ts's InspectPlan runs over
 * one element range per worker, each reading its range from the file itself. Pass 1's states, like the group moments
 * of a forward pass (tens of MB for LayerNorm's rows), live in SharedArrayBuffers and a worker merges them; passes 2
 * and 3's (fine histograms: megabytes) go on, their buffers transferred, to the worker that merges them and builds
 * the result. The extension host only posts messages and adds small arrays, so its event loop stays free. No VS
 * Code API here: the benchmark drives the same pool from plain Node.
 */
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { CancelledError, UserError, type UserErrorArea } from '../engine/errors';
import { InspectPlan, joinedMoments, momentLists, type BinningPass, type BinsState, type MomentsPass } from '../engine/inspect/inspect';
import { Forward } from '../engine/inspect/normalizeStream';
import type { InspectOptions, InspectResult } from '../engine/inspect/types';
import { GroupMoments, type GroupMap, type MomentsState } from '../engine/moments';
import { elementCount } from '../engine/tensor';
import { stateBuffers, type FromWorker, type MergeRequest, type LayerParameters, type Listing, type TensorDescription, type ToWorker, type WorkerError, type WorkerSource } from '../shared/workerProtocol';
import type { NormLayerInfo } from '../shared/protocol';

/** Two cores is what NormScope is measured on; more workers would mostly compete for memory bandwidth. */
const MAX_WORKERS = 2;
/** Below this many elements one worker inspects the whole tensor: a split would cost more than it saves. */
export const SPLIT_MIN_ELEMENTS = 1 << 20;
/**
 * Spare state buffers the pool keeps until the next inspection (stateArrays.ts): one inspection's big histogram
 * tables, at most 2 MB each (quantiles.ts caps a fine table at 2^18 counts).
 */
const MAX_SPARES = 8;
/**
 * From this many elements (1 GiB of float32) a split inspection previews pass 1: below, pass 2 ends within a few
 * hundred ms, and drawing the preview (150-300 ms in the end-to-end test) would only delay the result's drawing.
 */
export const PREVIEW_MIN_ELEMENTS = 1 << 28;

export interface PoolLog {
  error(message: string): void;
  warn(message: string): void;
}

export interface JobHandle<T> {
  promise: Promise<T>;
  cancel(): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(e: Error): void;
  progress?: (fraction: number) => void;
}

/** A request without its id and cancellation flag, which the pool adds. */
type Request = ToWorker extends infer T ? T extends { id: number; cancel: SharedArrayBuffer } ? Omit<T, 'id' | 'cancel'> : never : never;

class Slot {
  worker: Worker | undefined;
  readonly pending = new Map<number, Pending>();
}

export class EnginePool {
  private readonly slots: Slot[];
  private nextId = 1;
  private readonly described = new WeakMap<SharedArrayBuffer, Map<string, TensorDescription>>();
  /** Buffers of finished inspections' pass states, handed to the next inspection's passes (stateArrays.ts). */
  private spares: ArrayBuffer[] = [];

  constructor(private readonly workerPath: string, private readonly log: PoolLog,
    size = Math.min(MAX_WORKERS, os.availableParallelism()), private readonly previewMinElements = PREVIEW_MIN_ELEMENTS) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => new Slot());
  }

  get size(): number {
    return this.slots.length;
  }

  /** Starts every worker now, for jobs the caller knows are coming (a tensor is being opened). */
  start(): void {
    for (const slot of this.slots) this.ensureWorker(slot);
  }

  list(source: WorkerSource): JobHandle<Listing> {
    return this.job((cancel) => this.call<Listing>(this.idlest(), { type: 'list', source }, cancel));
  }

  layerParameters(source: WorkerSource, layer: NormLayerInfo): JobHandle<LayerParameters> {
    return this.job((cancel) => this.call<LayerParameters>(this.idlest(), { type: 'layerParameters', source, layer }, cancel));
  }

  /**
   * Statistics for `source`, split over every worker when the tensor is large and its data uncompressed; such a
   * split job of at least previewMinElements hands `preview` what pass 1 found (InspectPlan.preview) while the later
   * passes run.
   */
  inspect(source: WorkerSource, options: InspectOptions, progress?: (fraction: number) => void,
    preview?: (partial: InspectResult) => void): JobHandle<InspectResult> {
    return this.job((cancel) => this.inspectSplit(source, options, cancel, progress, preview));
  }

  normalizeToFile(source: WorkerSource, options: InspectOptions, outPath: string, progress?: (fraction: number) => void): JobHandle<string> {
    return this.job((cancel) => this.call<string>(this.idlest(), { type: 'normalize', source, options, outPath }, cancel, progress));
  }

  /** Moments of `source` grouped by `map` (e.g. per channel), every worker taking a range when the data allows. */
  groupMoments(source: WorkerSource, map: GroupMap, progress?: (fraction: number) => void): JobHandle<GroupMoments> {
    return this.job(async (cancel) => {
      const d = await this.describe(source, cancel);
      const total = elementCount(d.shape);
      const parts = this.parts(d, total);
      const states = await this.fanOut<MomentsState>(parts, total, cancel, progress, 0, 1, (from, to) => ({ type: 'moments', source, map, from, to }));
      await this.merge([states], cancel);
      return GroupMoments.over(states[0]);
    });
  }

  /**
   * y = γ·x̂ + β of `source` written into `out` (the whole tensor in the output dtype: float64 for float64 input,
   * else float32): the groups' statistics and then y, both over a range per worker.
   */
  forwardInto(source: WorkerSource, options: InspectOptions, out: SharedArrayBuffer, progress?: (fraction: number) => void): JobHandle<void> {
    return this.job(async (cancel) => {
      const d = await this.describe(source, cancel);
      const total = elementCount(d.shape);
      const forward = new Forward(d.shape, d.dtype, options);
      const parts = this.parts(d, total);
      const states = await this.fanOut<MomentsState>(parts, total, cancel, progress, 0, 2, (from, to) => ({ type: 'moments', source, map: forward.map, from, to }));
      await this.merge([states], cancel);
      const moments = states[0];
      await this.fanOut<void>(parts, total, cancel, progress, 1, 2, (from, to) => ({ type: 'forward', source, options, moments, from, to, out }));
    });
  }

  /**
   * Test hook: makes the first worker die as a crash would; its pending jobs are rejected and the next job restarts
   * it. One, as a real crash would be: were all told to, one still busy would die under the next job.
   */
  crashForTest(): void {
    this.slots[0].worker?.postMessage({ type: 'crash' } satisfies ToWorker);
  }

  dispose(): void {
    for (const slot of this.slots) {
      const worker = slot.worker;
      if (!worker) continue;
      this.failAll(slot, worker, new CancelledError());
      void worker.terminate();
    }
  }

  private job<T>(run: (cancel: SharedArrayBuffer) => Promise<T>): JobHandle<T> {
    const cancel = new SharedArrayBuffer(4);
    const flag = new Int32Array(cancel);
    const promise = run(cancel);
    // a failed part stops the others (they share the flag)
    promise.catch(() => Atomics.store(flag, 0, 1));
    return { promise, cancel: () => Atomics.store(flag, 0, 1) };
  }

  private async inspectSplit(source: WorkerSource, options: InspectOptions, cancel: SharedArrayBuffer,
    progress?: (fraction: number) => void, preview?: (partial: InspectResult) => void): Promise<InspectResult> {
    const t0 = Date.now();
    const whole = () => this.call<InspectResult>(this.idlest(), { type: 'inspect', source, options }, cancel, progress);
    if (this.slots.length < 2) return whole();
    const d = await this.describe(source, cancel);
    const total = elementCount(d.shape);
    if (!d.splittable || total < SPLIT_MIN_ELEMENTS) return whole();
    const plan = new InspectPlan(d.shape, d.dtype, options);
    // groups normalized chunk by chunk (LayerNorm's rows) must lie whole in one worker's range
    const ranges = splitRange(total, this.slots.length, plan.localSpan ?? 1);
    let done = 0;
    // one state per range: pass 1's shared and merged by a worker, pass 2's and 3's merged by the finishing one
    const pass = <S>(name: 'moments' | 'binning' | 'after', split: boolean, inputs: { moments?: MomentsPass; afterMoments?: MomentsState }): Promise<S[]> => {
      const parts = split ? ranges : [[0, total]] as [number, number][];
      // the histogram passes' states are what the finish sends back: each range's worker gets a share to reuse
      const shares = name === 'moments' ? [] : this.dealSpares(parts.length);
      return this.fanOut<S>(parts, total, cancel, progress, done++, plan.passes,
        (from, to, i) => ({ type: 'pass', source, options, pass: name, from, to, ...inputs, ...(shares[i]?.length ? { spares: shares[i] } : {}) }), shares);
    };
    const parts = await pass<MomentsPass>('moments', true, {});
    const moments = joinedMoments(parts);
    const previewed = total >= this.previewMinElements && preview
      ? { shape: d.shape, dtype: d.dtype, options, moments, millis: Date.now() - t0 } : null;
    const shown = await this.merge(momentLists(parts), cancel, previewed);
    const binningStarts = pass<BinningPass>('binning', plan.binningSplits(moments), { moments });
    try {
      if (shown) preview?.(shown);
    } catch (e) {
      this.log.error(`inspect preview: ${e instanceof Error ? e.stack : String(e)}`);
    }
    const binning = await binningStarts;
    const afterMoments = plan.needsAfterPass(binning[0]) ? plan.afterMoments(binning) : null;
    const after = afterMoments ? await pass<BinsState>('after', plan.afterSplits(afterMoments), { moments, afterMoments }) : null;
    progress?.(1);
    const finish: Request = { type: 'finish', shape: d.shape, dtype: d.dtype, options, moments, binning, after, millis: Date.now() - t0 };
    return this.call<InspectResult>(this.idlest(), finish, cancel, undefined, stateBuffers([binning, after]));
  }

  /**
   * Merges each list of moment states (in SharedArrayBuffers, from the workers) into its first state, in a worker:
   * the host's thread only passes them on. With `preview`, answers pass 1's preview, built there too.
   */
  private async merge(lists: MomentsState[][], cancel: SharedArrayBuffer, preview: MergeRequest['preview'] = null): Promise<InspectResult | null> {
    if (!preview && lists.every((l) => l.length < 2)) return null;
    return this.call<InspectResult | null>(this.idlest(), { type: 'merge', lists, preview }, cancel);
  }

  /** Shape, dtype and layout of the tensor; bytes already in memory cannot change, so theirs is asked once. */
  private async describe(source: WorkerSource, cancel: SharedArrayBuffer): Promise<TensorDescription> {
    const known = source.kind === 'memory' ? this.described.get(source.bytes)?.get(source.tensor) : undefined;
    if (known) return known;
    const d = await this.call<TensorDescription>(this.idlest(), { type: 'describe', source }, cancel);
    if (source.kind === 'memory') {
      const byTensor = this.described.get(source.bytes) ?? new Map<string, TensorDescription>();
      this.described.set(source.bytes, byTensor.set(source.tensor, d));
    }
    return d;
  }

  /** One range per worker when the data can be read by range and is large enough, else the whole tensor. */
  private parts(d: TensorDescription, total: number): [number, number][] {
    return d.splittable && total >= SPLIT_MIN_ELEMENTS ? splitRange(total, this.slots.length) : [[0, total]];
  }

  /** Sends part i's request to worker i; progress is step `step` of `steps`, weighted by the parts' sizes. */
  private fanOut<S>(parts: [number, number][], total: number, cancel: SharedArrayBuffer, progress: ((fraction: number) => void) | undefined,
    step: number, steps: number, request: (from: number, to: number, part: number) => Request, transfers: ArrayBuffer[][] = []): Promise<S[]> {
    const fractions = parts.map(() => 0);
    return Promise.all(parts.map(([from, to], i) => this.call<S>(i, request(from, to, i), cancel, (f) => {
      fractions[i] = total ? (f * (to - from)) / total : 1;
      progress?.((step + fractions.reduce((a, b) => a + b, 0)) / steps);
    }, transfers[i])));
  }

  /** The spare buffers dealt out to `parts` requests, by size in turn, so that each gets one of each size the finish sent back. */
  private dealSpares(parts: number): ArrayBuffer[][] {
    const shares = Array.from({ length: parts }, (): ArrayBuffer[] => []);
    this.spares.sort((a, b) => a.byteLength - b.byteLength).forEach((b, i) => shares[i % parts].push(b));
    this.spares = [];
    return shares;
  }

  /**
   * Sends `request` to worker `slot` (with `transfer`'s buffers moved, not copied); resolves with its answer. The
   * first job starts every worker.
   */
  private call<T>(slot: number, request: Request, cancel: SharedArrayBuffer, progress?: (fraction: number) => void,
    transfer: ArrayBuffer[] = []): Promise<T> {
    const id = this.nextId++;
    const s = this.slots[slot];
    return new Promise<T>((resolve, reject) => {
      s.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
      this.ensureWorker(s).postMessage({ ...request, id, cancel } as ToWorker, transfer);
      // the others start (and warm their kernels) while this job runs: the split passes that follow need them
      for (const other of this.slots) this.ensureWorker(other);
    });
  }

  /** The worker with the fewest jobs waiting, the first on a tie. */
  private idlest(): number {
    let best = 0;
    this.slots.forEach((s, i) => { if (s.pending.size < this.slots[best].pending.size) best = i; });
    return best;
  }

  private ensureWorker(slot: Slot): Worker {
    if (slot.worker) return slot.worker;
    const worker = new Worker(this.workerPath);
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (e) => {
      this.log.error(`engine worker error: ${e.stack ?? e.message}`);
      this.failAll(slot, worker, new UserError('engine', `The engine worker failed (${e.message}). Retry to start a new one.`));
    });
    worker.on('exit', (code) => {
      if (code !== 0 && slot.worker === worker) this.log.warn(`engine worker exited with code ${code}`);
      this.failAll(slot, worker, new UserError('engine', `The engine worker stopped unexpectedly (exit code ${code}) while computing. Retry to start a new one.`));
    });
    slot.worker = worker;
    return worker;
  }

  private failAll(slot: Slot, worker: Worker, error: Error): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    for (const p of slot.pending.values()) p.reject(error);
    slot.pending.clear();
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    const p = slot.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      p.progress?.(m.fraction);
      return;
    }
    slot.pending.delete(m.id);
    switch (m.type) {
      case 'listed': return p.resolve(m.listing);
      case 'layerParameters': return p.resolve(m.parameters);
      case 'inspected':
        // a finish's states, back for the next inspection
        if (m.spares) this.spares = [...this.spares, ...m.spares].slice(-MAX_SPARES);
        return p.resolve(m.result);
      case 'normalized': return p.resolve(m.path);
      case 'described': return p.resolve(m.description);
      case 'passed': return p.resolve(m.state);
      case 'merged': return p.resolve(m.preview);
      case 'written': return p.resolve(undefined);
      case 'failed': return p.reject(toError(m.error));
      default: {
        const never: never = m;
        this.log.error(`unknown worker message ${JSON.stringify(never)}`);
      }
    }
  }
}

/** `parts` consecutive ranges covering 0 .. total - 1, as equal as whole multiples of `unit` elements allow. */
export function splitRange(total: number, parts: number, unit = 1): [number, number][] {
  const at = (i: number) => (i === parts ? total : Math.floor((total * i) / parts / unit) * unit);
  return Array.from({ length: parts }, (_, i) => [at(i), at(i + 1)]);
}

function toError(e: WorkerError): Error {
  if (e.area === 'cancelled') return new CancelledError();
  if (e.area) return new UserError(e.area as UserErrorArea, e.message);
  const err = new Error(e.message);
  err.stack = e.stack;
  return err;
}
