/** Tensor files on disk for the CLI, the worker and the host: open by path (with `#name`), write `.npy` safely. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { FileByteSource } from './fileByteSource';
import { openContainer, pickEntry, splitTensorAddress } from '../formats/open';
import { readDense } from '../formats/dense';
import { encodeNpy } from '../formats/npy';
import type { TensorContainer, TensorEntry } from '../formats/container';
import type { DType } from '../engine/dtype';
import type { DenseTensor } from '../engine/tensor';
import { UserError } from '../engine/errors';

/** An opened file and the tensor picked from it; `close` releases the file handle. */
export interface OpenedTensor {
  source: FileByteSource;
  container: TensorContainer;
  entry: TensorEntry;
  close(): Promise<void>;
}

export async function openTensorFile(address: string): Promise<OpenedTensor> {
  const { file, tensor } = splitTensorAddress(address);
  const source = await FileByteSource.open(file);
  try {
    const container = await openContainer(source, path.basename(file));
    const entry = pickEntry(container, tensor, path.basename(file));
    return { source, container, entry, close: () => source.close() };
  } catch (e) {
    await source.close();
    throw e;
  }
}

/** Reads `path` or `path#name` whole, in C order. */
export async function readDenseTensor(address: string): Promise<DenseTensor> {
  const opened = await openTensorFile(address);
  try {
    return await readDense(opened.entry);
  } finally {
    await opened.close();
  }
}

/**
 * Writes a `.npy` next to its final name and renames it into place, so a failed write (disk full, cancelled)
 * never leaves a partial file and never clobbers an existing one halfway.
 */
export async function writeNpyFile(file: string, dtype: DType, shape: readonly number[], data: Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fsp.writeFile(tmp, encodeNpy(dtype, shape, data), { flag: 'wx' });
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw new UserError('io', `Could not write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
}
