/**
 * Any range of a tensor's elements, for workers that split a tensor between them. Only uncompressed C-order data
 * (one contiguous byte range: .npy, stored .npz members, .safetensors, literals) can be read from any position;
 * other entries return null from `entryByteRange` and are streamed whole by one worker.
 */
import type { TensorEntry } from './container';
import { ByteRangeStream, pieces } from './streamRange';
import { decode, type NumericArray } from '../engine/dtype';

/** Where the entry's elements lie, when they can be read from any position. */
export function entryByteRange(entry: TensorEntry): ByteRangeStream | null {
  if (entry.order === 'F' && entry.shape.length > 1) return null;
  const stream = entry.stream(entry.byteLength || 1); // nothing is read until it is iterated
  return stream instanceof ByteRangeStream ? stream : null;
}

/**
 * Elements `from .. to - 1` of the tensor stored in `range`, decoded in chunks of at most `chunkBytes`. With
 * `buffer`, bytes are read into the views it hands out (each valid until the next chunk), e.g. the memory the
 * WebAssembly kernels work in, so float32 data reaches them without a copy; file reads then block the thread (for
 * engine workers only).
 */
export async function* elementRange(range: ByteRangeStream, dtype: TensorEntry['dtype'], littleEndian: boolean, from: number, to: number,
  chunkBytes: number, buffer?: (length: number) => Uint8Array): AsyncIterable<NumericArray> {
  const width = range.elementBytes;
  for await (const bytes of pieces(range.source, range.offset + from * width, (to - from) * width, width, chunkBytes, buffer)) {
    yield decode(bytes, dtype, littleEndian);
  }
}
