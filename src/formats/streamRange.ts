/** Streams a byte range of a source in whole-element pieces: the data of every uncompressed tensor format. */
import type { ByteSource } from './byteSource';
import { FormatError } from '../engine/errors';

export async function* streamRange(source: ByteSource, offset: number, byteLength: number, elementBytes: number,
  maxChunkBytes: number): AsyncIterable<Uint8Array> {
  const step = Math.max(elementBytes, maxChunkBytes - (maxChunkBytes % elementBytes));
  for (let done = 0; done < byteLength;) {
    const want = Math.min(step, byteLength - done);
    const bytes = await source.read(offset + done, want);
    if (bytes.byteLength !== want) {
      throw new FormatError(`The file ended after ${offset + done + bytes.byteLength} bytes while reading tensor data `
        + `that should end at byte ${offset + byteLength}: it was truncated or changed while being read.`);
    }
    yield bytes;
    done += want;
  }
}
