/** Streams a byte range of a source in whole-element pieces: the data of every uncompressed tensor format. */
import type { ByteSource } from './byteSource';
import { FormatError } from '../engine/errors';

/**
 * The stream of a tensor stored as one contiguous byte range. Besides streaming it from the start, it tells where
 * the range is, so a reader can take any part of it (workers splitting a tensor: elementRange.ts).
 */
export class ByteRangeStream implements AsyncIterable<Uint8Array> {
  constructor(readonly source: ByteSource, readonly offset: number, readonly byteLength: number, readonly elementBytes: number,
    private readonly maxChunkBytes: number) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return pieces(this.source, this.offset, this.byteLength, this.elementBytes, this.maxChunkBytes)[Symbol.asyncIterator]();
  }
}

export function streamRange(source: ByteSource, offset: number, byteLength: number, elementBytes: number,
  maxChunkBytes: number): AsyncIterable<Uint8Array> {
  return new ByteRangeStream(source, offset, byteLength, elementBytes, maxChunkBytes);
}

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

/**
 * The bytes `offset .. offset + byteLength - 1` of `source` in whole-element pieces of at most `maxChunkBytes`. With
 * `buffer`, a source that can is read into the views it hands out (each valid until the next piece), e.g. the
 * memory the WebAssembly kernels work in.
 */
export async function* pieces(source: ByteSource, offset: number, byteLength: number, elementBytes: number,
  maxChunkBytes: number, buffer?: (length: number) => Uint8Array): AsyncIterable<Uint8Array> {
  const step = Math.max(elementBytes, maxChunkBytes - (maxChunkBytes % elementBytes));
  for (let done = 0; done < byteLength;) {
    const want = Math.min(step, byteLength - done);
    let bytes: Uint8Array;
    let got: number;
    if (buffer && readsInPlace(source)) {
      bytes = buffer(want);
      got = source.readIntoSync(offset + done, bytes);
    } else {
      bytes = await source.read(offset + done, want);
      got = bytes.byteLength;
    }
    if (got !== want) {
      throw new FormatError(`The file ended after ${offset + done + got} bytes while reading tensor data `
        + `that should end at byte ${offset + byteLength}: it was truncated or changed while being read.`);
    }
    yield bytes;
    done += want;
  }
}

/**
 * Re-cuts a stream of arbitrary pieces (inflated bytes) into whole-element chunks of at most `maxChunkBytes`,
 * after skipping `skip` bytes and stopping after `byteLength`.
 */
export async function* sliceElements(pieces: AsyncIterable<Uint8Array>, skip: number, byteLength: number, elementBytes: number,
  maxChunkBytes: number): AsyncIterable<Uint8Array> {
  const step = Math.max(elementBytes, maxChunkBytes - (maxChunkBytes % elementBytes));
  let toSkip = skip;
  let left = byteLength;
  let chunk = new Uint8Array(Math.min(step, left));
  let filled = 0;
  for await (let piece of pieces) {
    if (toSkip > 0) {
      const n = Math.min(toSkip, piece.length);
      toSkip -= n;
      piece = piece.subarray(n);
    }
    while (piece.length > 0 && left > 0) {
      const n = Math.min(piece.length, chunk.length - filled);
      chunk.set(piece.subarray(0, n), filled);
      filled += n;
      piece = piece.subarray(n);
      if (filled === chunk.length) {
        yield chunk;
        left -= chunk.length;
        chunk = new Uint8Array(Math.min(step, left));
        filled = 0;
      }
    }
    if (left === 0) return;
  }
  if (left > 0) throw new FormatError(`The tensor data ended ${left} bytes early: the file is truncated or changed while being read.`);
}
