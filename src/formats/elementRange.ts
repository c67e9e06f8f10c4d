/**
 * Any range of a tensor's elements, for workers that split a tensor between them. Only uncompressed C-order data
 * (one contiguous byte range: .npy, stored .npz members, .safetensors, literals) can be read from any position;
 * other entries return null from `entryByteRange` and are streamed whole by one worker.
 */
import type { ByteSource } from './byteSource';
import type { TensorEntry } from './container';
import { ByteRangeStream } from './streamRange';
import { decode, type NumericArray } from '../engine/dtype';
import { FormatError } from '../engine/errors';

/**
 * A source that can also read into a buffer it is given (a file), sparing an allocation per chunk; the read blocks
 * the thread, which only a worker may afford.
 */
interface InPlaceSource extends ByteSource {
  readIntoSync(offset: number, target: Uint8Array): number;
}

function readsInPlace(source: ByteSource): source is InPlaceSource {
  return typeof (source as Partial<InPlaceSource>).readIntoSync === 'function';
}

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
  const step = Math.max(1, Math.floor(chunkBytes / width)) * width;
  const end = range.offset + to * width;
  const source = range.source;
  for (let at = range.offset + from * width; at < end;) {
    const want = Math.min(step, end - at);
    let bytes: Uint8Array;
    let got: number;
    if (buffer && readsInPlace(source)) {
      bytes = buffer(want);
      got = source.readIntoSync(at, bytes);
    } else {
      bytes = await source.read(at, want);
      got = bytes.byteLength;
    }
    if (got !== want) {
      throw new FormatError(`The file ended after ${at + got} bytes while reading tensor data that should end at byte `
        + `${range.offset + range.byteLength}: it was truncated or changed while being read.`);
    }
    yield decode(bytes, dtype, littleEndian);
    at += want;
  }
}
