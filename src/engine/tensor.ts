/** Tensor descriptors shared by formats, engine, worker and host. */
import type { DType, NumericArray } from './dtype';
import { EngineError } from './errors';

/** How a tensor's elements are laid out in bytes. */
export interface TensorLayout {
  dtype: DType;
  shape: number[];
  /** 'F' is column-major (.npy `fortran_order: True`). */
  order: 'C' | 'F';
  littleEndian: boolean;
}

/** A tensor decoded into memory, always in C order. */
export interface DenseTensor {
  dtype: DType;
  shape: number[];
  data: NumericArray;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Normalizes a possibly negative axis against `rank`, with a message naming both numbers when out of range. */
export function normalizeAxis(axis: number, rank: number, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new EngineError(`${what} ${axis} is out of range for a tensor of rank ${rank} (valid: ${-rank}..${rank - 1}).`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * A channel axis splits a C-order tensor into `outer × channels × inner`: element i belongs to channel
 * floor(i / inner) % channels. A rank-0 or rank-1 tensor without a channel axis is one channel.
 */
export interface ChannelSplit {
  outer: number;
  channels: number;
  inner: number;
}

export function channelSplit(shape: readonly number[], axis: number | null): ChannelSplit {
  if (axis === null || shape.length === 0) return { outer: 1, channels: 1, inner: elementCount(shape) };
  const a = normalizeAxis(axis, shape.length, 'channel axis');
  return {
    outer: elementCount(shape.slice(0, a)),
    channels: shape[a],
    inner: elementCount(shape.slice(a + 1)),
  };
}

/**
 * The C-order view of stored data: a Fortran-order array's bytes are the C-order bytes of its transpose, so
 * streaming code sees the reversed shape and the mirrored channel axis, and needs no transposition.
 */
export function storageSplit(layout: TensorLayout, axis: number | null): ChannelSplit {
  if (layout.order === 'C' || axis === null || layout.shape.length === 0) return channelSplit(layout.shape, axis);
  const rank = layout.shape.length;
  const a = normalizeAxis(axis, rank, 'channel axis');
  return channelSplit([...layout.shape].reverse(), rank - 1 - a);
}

/** Transposes Fortran-order values (as stored) into C order. */
export function fortranToC(values: NumericArray, shape: readonly number[]): NumericArray {
  const rank = shape.length;
  if (rank < 2) return values;
  const out = new (values.constructor as { new (n: number): NumericArray })(values.length);
  const cStrides = new Array<number>(rank);
  cStrides[rank - 1] = 1;
  for (let k = rank - 2; k >= 0; k--) cStrides[k] = cStrides[k + 1] * shape[k + 1];
  // walk the stored (Fortran) order with an index counter whose first axis moves fastest
  const idx = new Array<number>(rank).fill(0);
  let c = 0;
  for (let f = 0; f < values.length; f++) {
    out[c] = values[f];
    for (let k = 0; k < rank; k++) {
      idx[k]++;
      c += cStrides[k];
      if (idx[k] < shape[k]) break;
      c -= cStrides[k] * shape[k];
      idx[k] = 0;
    }
  }
  return out;
}
