/**
 * Messages between the extension host and the engine worker. A request carries an id and a SharedArrayBuffer
 * cancellation flag the worker polls between chunks (a posted "cancel" would wait behind the running job).
 */
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

/** Test hook: the worker exits abruptly, as a crash would. */
export interface CrashRequest {
  type: 'crash';
}

export type ToWorker = ListRequest | InspectRequest | NormalizeRequest | CrashRequest;

export interface WorkerError {
  /** A UserError's area; undefined for a bug. */
  area?: string;
  message: string;
  stack?: string;
}

export type FromWorker =
  | { type: 'progress'; id: number; fraction: number }
  | { type: 'listed'; id: number; listing: Listing }
  | { type: 'inspected'; id: number; result: InspectResult }
  | { type: 'normalized'; id: number; path: string }
  | { type: 'failed'; id: number; error: WorkerError };
