/**
 * How a worker streams a range of a tensor's elements: the engine worker's passes and the benchmark's breakdown of
 * them read through here, so both measure the same reads.
 */
import type { NumericArray } from '../engine/dtype';
import { CancelledError } from '../engine/errors';
import type { RunControl } from '../engine/inspect/inspect';
import { elementCount } from '../engine/tensor';
import type { Kernels } from '../engine/wasm/kernels';
import { MemoryByteSource } from '../formats/byteSource';
import type { TensorEntry } from '../formats/container';
import { elementRange, entryByteRange } from '../formats/elementRange';
import { entryElements } from '../formats/elementSource';

/**
 * Range chunks, read or copied straight into the kernels' memory. File reads block the worker's thread, so a
 * chunk's fixed cost is a system call: 256 KiB to 2 MiB measured the same (the copy from the page cache runs at
 * about 18 GB/s a thread either way); 2 MiB keeps the number of chunks, and of cancellation checks, small while a
 * chunk still takes under a millisecond to read and a few to bin. Bytes already in memory are copied in pieces that
 * stay in the core's cache between the copy and the kernels.
 */
const FILE_CHUNK_BYTES = 2 << 20;
const MEMORY_CHUNK_BYTES = 256 << 10;

/** Elements from .. to - 1 in chunks; file bytes are read straight into the kernels' memory. */
function rangeChunks(entry: TensorEntry, from: number, to: number, kernels: Kernels | null): AsyncIterable<NumericArray> {
  const range = entryByteRange(entry);
  if (!range) {
    if (from !== 0 || to !== elementCount(entry.shape)) throw new Error('only uncompressed C-order tensors can be read by range');
    return entryElements(entry).chunks();
  }
  let buffer = { ptr: 0, bytes: 0 };
  const chunkBytes = range.source instanceof MemoryByteSource ? MEMORY_CHUNK_BYTES : FILE_CHUNK_BYTES;
  return elementRange(range, entry.dtype, entry.littleEndian, from, to, chunkBytes, kernels ? (length) => {
    if (buffer.bytes < length) buffer = { ptr: kernels.alloc(length), bytes: length };
    return kernels.bytes(buffer.ptr, length);
  } : undefined);
}

/** Feeds elements from .. to - 1 to `use`, checking for cancellation and reporting progress between chunks. */
export async function visitRange(entry: TensorEntry, from: number, to: number, kernels: Kernels | null, ctl: RunControl,
  use: (chunk: NumericArray, start: number) => void): Promise<void> {
  let start = from;
  for await (const chunk of rangeChunks(entry, from, to, kernels)) {
    if (ctl.isCancelled()) throw new CancelledError();
    use(chunk, start);
    start += chunk.length;
    ctl.progress(to > from ? (start - from) / (to - from) : 1);
  }
}
