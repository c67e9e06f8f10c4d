/**
 * What every format reader produces: the tensors a file or selection holds, described by their headers, with
 * the element bytes streamed on demand. Opening a container reads headers only.
 */
import type { TensorLayout } from '../engine/tensor';

export type ContainerKind = 'npy' | 'npz' | 'safetensors' | 'json' | 'literal';

export interface TensorEntry extends TensorLayout {
  /** '' for a file that holds one unnamed tensor; else the name addressed as `file#name`. */
  name: string;
  /** Bytes of element data (elementCount × element size), validated against the source before this is returned. */
  byteLength: number;
  /**
   * Streams the element bytes in storage order, in pieces of at most `maxChunkBytes` (each a whole number of
   * elements). Every call starts from the first element, so a two-pass computation calls it twice.
   */
  stream(maxChunkBytes: number): AsyncIterable<Uint8Array>;
}

export interface TensorContainer {
  kind: ContainerKind;
  entries: TensorEntry[];
  /** Free-form metadata (safetensors `__metadata__`); shown as text, never interpreted. */
  metadata?: Record<string, string>;
}
