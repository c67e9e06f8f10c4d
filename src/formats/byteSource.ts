/**
 * Formats read through a `ByteSource`, never a path: the host, the worker and the CLI give them a file, the
 * tests give them bytes. Reads are positional, so a header is parsed without loading the data behind it.
 */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Reads `length` bytes at `offset`. Returns fewer only at the end of the source. May return a view into a
   * buffer the source reuses: copy what must outlive the next read.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A byte source over bytes already in memory (selections, tests, small debug transfers). */
export class MemoryByteSource implements ByteSource {
  constructor(private readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.byteLength;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.max(0, Math.min(offset, this.bytes.byteLength));
    return this.bytes.subarray(start, Math.min(this.bytes.byteLength, start + Math.max(0, length)));
  }
}
