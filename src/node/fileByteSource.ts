/** A `ByteSource` over a file on disk, reading positionally through one file handle. */
import { promises as fsp, readSync } from 'node:fs';
import type { ByteSource } from '../formats/byteSource';
import { UserError } from '../engine/errors';

export class FileByteSource implements ByteSource {
  private constructor(private readonly handle: fsp.FileHandle, readonly size: number, readonly path: string) {}

  static async open(path: string): Promise<FileByteSource> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(path, 'r');
    } catch (e) {
      throw new UserError('io', `Cannot open ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
    }
    const { size } = await handle.stat();
    return new FileByteSource(handle, size, path);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const want = Math.max(0, Math.min(length, this.size - offset));
    const buf = new Uint8Array(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.handle.read(buf, got, want - got, offset + got);
      if (bytesRead === 0) break; // the file shrank under us: return what exists, the format reports truncation
      got += bytesRead;
    }
    return got === want ? buf : buf.subarray(0, got);
  }

  /**
   * Fills `target` from `offset` (fewer bytes only at the end of the file) and returns how many were read, blocking
   * the thread: for engine workers, which have nothing else to do meanwhile. It spares the thread-pool round trip
   * of an asynchronous read, which made chunks small enough to stay in the core's cache for the kernels cost more
   * in waiting than the copy itself.
   */
  readIntoSync(offset: number, target: Uint8Array): number {
    let got = 0;
    while (got < target.byteLength) {
      const bytesRead = readSync(this.handle.fd, target, got, target.byteLength - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
