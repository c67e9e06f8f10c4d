/**
 * Connects a format's entry to the engine: decoded chunks in C order. Fortran-order tensors are transposed in
 * memory (bounded by the dense limit) because streaming groups assume C order; they are rare in practice.
 */
import type { TensorEntry } from './container';
import { readDense } from './dense';
import { decode, DTYPE_BYTES, type NumericArray } from '../engine/dtype';
import type { ElementSource } from '../engine/inspect/inspect';

/** 8 MiB chunks: large enough to amortize a read, small enough to check for cancellation several times a second. */
export const DEFAULT_CHUNK_BYTES = 8 << 20;

export function entryElements(entry: TensorEntry, chunkBytes = DEFAULT_CHUNK_BYTES): ElementSource {
  const { dtype } = entry;
  if (entry.order === 'F' && entry.shape.length > 1) {
    let dense: Promise<NumericArray> | undefined;
    return {
      shape: [...entry.shape], dtype,
      async *chunks() {
        dense ??= readDense(entry).then((t) => t.data);
        const data = await dense;
        const step = Math.max(1, Math.floor(chunkBytes / DTYPE_BYTES[dtype]));
        for (let i = 0; i < data.length; i += step) yield data.subarray(i, Math.min(data.length, i + step));
      },
    };
  }
  return {
    shape: [...entry.shape], dtype,
    async *chunks() {
      for await (const bytes of entry.stream(chunkBytes)) yield decode(bytes, dtype, entry.littleEndian);
    },
  };
}
