/**
 * Messages between the extension host and the engine worker. A request carries an id and a SharedArrayBuffer
 * cancellation flag the worker polls between chunks (a posted "cancel" would wait behind the running job).
 */
import type { DType } from '../engine/dtype';
import type { BinningPass, BinsState, MomentsPass } from '../engine/inspect/inspect';
import type { GroupMap, MomentsState } from '../engine/moments';
import type { InspectOptions, InspectResult } from '../engine/inspect/types';
import type { NormLayerInfo, TensorInfo } from './protocol';

/**
 * Where the worker reads the tensor: a file path with `#tensor`; the text of a selection; or a file's bytes
 * already in memory (a debug variable's temporary .npy, read then deleted), shared with the worker uncopied.
 */
export type WorkerSource =
  | { kind: 'file'; path: string; tensor: string }
  | { kind: 'literal'; text: string }
  | { kind: 'memory'; bytes: SharedArrayBuffer; fileName: string; tensor: string };

/** Read the headers of a source: the tensors it holds and, for state dicts, its norm layers. */
export interface ListRequest {
  type: 'list';
  id: number;
  source: WorkerSource;
  cancel: SharedArrayBuffer;
}

/** Read one state-dict norm layer's γ, β and running statistics (a few values per channel). */
export interface LayerParametersRequest {
  type: 'layerParameters';
  id: number;
  source: WorkerSource;
  layer: NormLayerInfo;
  cancel: SharedArrayBuffer;
}

export interface LayerParameters {
  scale?: number[];
  bias?: number[];
  runningMean?: number[];
  runningVar?: number[];
}

export interface Listing {
  tensors: TensorInfo[];
  layers: NormLayerInfo[];
  metadata?: Record<string, string>;
}

export interface InspectRequest {
  type: 'inspect';
  id: number;
  source: WorkerSource;
  options: InspectOptions;
  /** Int32Array(1) over this buffer: non-zero means cancelled. */
  cancel: SharedArrayBuffer;
}

/** Compute the normalized tensor y and write it as `.npy` to `outPath` (through a temporary file). */
export interface NormalizeRequest {
  type: 'normalize';
  id: number;
  source: WorkerSource;
  options: InspectOptions;
  outPath: string;
  cancel: SharedArrayBuffer;
}

/** Shape, dtype and whether the data can be read from any element on: what the pool needs to split a job. */
export interface DescribeRequest {
  type: 'describe';
  id: number;
  source: WorkerSource;
  cancel: SharedArrayBuffer;
}

export interface TensorDescription {
  shape: number[];
  dtype: DType;
  /** Uncompressed C-order data of a file or of bytes in memory (not a parsed selection): workers can each read a range of elements. */
  splittable: boolean;
}

/**
 * One pass of an inspection (inspect.ts's InspectPlan) over elements `from .. to - 1`, given the merged results
 * of the passes before it (pass 1's moments; for pass 3, pass 2's x̂ moments); answered with the pass's state.
 * Pass 1's state lives in SharedArrayBuffers, so that the host and the other workers share it uncopied (see
 * MergeRequest); pass 2's and 3's, which hold the fine histograms, come transferred and go on unmerged to the
 * worker that finishes.
 */
export interface PassRequest {
  type: 'pass';
  id: number;
  source: WorkerSource;
  options: InspectOptions;
  pass: 'moments' | 'binning' | 'after';
  from: number;
  to: number;
  moments?: MomentsPass;
  afterMoments?: MomentsState;
  /** Buffers of an earlier inspection's states, transferred, for this pass's states to reuse (stateArrays.ts). */
  spares?: ArrayBuffer[];
  cancel: SharedArrayBuffer;
}

/**
 * Builds the InspectResult from the passes' states: pass 1's merged, passes 2 and 3 one state per range, merged
 * here (their fine histograms are megabytes: merging and cloning them would stall the host's thread), as are the
 * quantiles, summaries and diagnostics. The states' buffers come transferred.
 */
export interface FinishRequest {
  type: 'finish';
  id: number;
  shape: number[];
  dtype: DType;
  options: InspectOptions;
  moments: MomentsPass;
  binning: BinningPass[];
  after: BinsState[] | null;
  millis: number;
  cancel: SharedArrayBuffer;
}

/**
 * Merges each list of moment states (the same groups over different ranges, in SharedArrayBuffers) into its first
 * state's arrays, in place: the merge is O(groups), and a forward pass's LayerNorm has a group per row, too many for
 * the host's thread. With `preview`, then builds pass 1's preview (InspectPlan.preview) from the merged `moments`.
 */
export interface MergeRequest {
  type: 'merge';
  id: number;
  lists: MomentsState[][];
  preview: { shape: number[]; dtype: DType; options: InspectOptions; moments: MomentsPass; millis: number } | null;
  cancel: SharedArrayBuffer;
}

/** Moments of elements `from .. to - 1` grouped by `map` (e.g. per channel): the statistics alone, no histograms. */
export interface MomentsRequest {
  type: 'moments';
  id: number;
  source: WorkerSource;
  map: GroupMap;
  from: number;
  to: number;
  cancel: SharedArrayBuffer;
}

/**
 * Writes y = γ·x̂ + β of elements `from .. to - 1` into `out` (the whole tensor's y in the output dtype), x̂ from
 * the merged statistics `moments` of the normalization's groups.
 */
export interface ForwardRequest {
  type: 'forward';
  id: number;
  source: WorkerSource;
  options: InspectOptions;
  moments: MomentsState;
  from: number;
  to: number;
  out: SharedArrayBuffer;
  cancel: SharedArrayBuffer;
}

/** Test hook: the worker exits abruptly, as a crash would. */
export interface CrashRequest {
  type: 'crash';
}

export type ToWorker = ListRequest | LayerParametersRequest | InspectRequest | NormalizeRequest | DescribeRequest | PassRequest | FinishRequest
  | MergeRequest | MomentsRequest | ForwardRequest | CrashRequest;

export interface WorkerError {
  /** A UserError's area; undefined for a bug. */
  area?: string;
  message: string;
  stack?: string;
}

/**
 * The buffers of the typed arrays in a pass state (nested plain objects), for a postMessage transfer list: a state's
 * fine histograms are megabytes, which structured cloning copies slowly (about 15 ms for 2 MB) on both threads. Only
 * arrays that own their whole (non-shared) buffer qualify, so a view of the kernels' memory is never detached.
 */
export function stateBuffers(state: unknown, found: ArrayBuffer[] = []): ArrayBuffer[] {
  if (ArrayBuffer.isView(state)) {
    const buffer = state.buffer;
    if (buffer instanceof ArrayBuffer && state.byteOffset === 0 && state.byteLength === buffer.byteLength && !found.includes(buffer)) found.push(buffer);
  } else if (state && typeof state === 'object') {
    for (const value of Object.values(state)) stateBuffers(value, found);
  }
  return found;
}

export type FromWorker =
  | { type: 'progress'; id: number; fraction: number }
  | { type: 'listed'; id: number; listing: Listing }
  | { type: 'layerParameters'; id: number; parameters: LayerParameters }
  /** `spares`: a finish's states' buffers, transferred back for the next inspection's passes. */
  | { type: 'inspected'; id: number; result: InspectResult; spares?: ArrayBuffer[] }
  | { type: 'described'; id: number; description: TensorDescription }
  | { type: 'passed'; id: number; state: MomentsPass | BinningPass | BinsState | MomentsState }
  | { type: 'merged'; id: number; preview: InspectResult | null }
  | { type: 'written'; id: number }
  | { type: 'normalized'; id: number; path: string }
  | { type: 'failed'; id: number; error: WorkerError };
