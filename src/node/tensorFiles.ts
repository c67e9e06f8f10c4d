/** Tensor files on disk for the CLI, the worker and the host: open by path (with `#name`), write `.npy` safely. */
import path from 'node:path';
import { FileByteSource } from './fileByteSource';
import { writeFileAtomically } from './atomicWrite';
import { openContainer, pickEntry, splitTensorAddress } from '../formats/open';
import { readDense } from '../formats/dense';
import { MemoryByteSource } from '../formats/byteSource';
import { parseTensorLiteral } from '../formats/literal';
import { encodeNpy } from '../formats/npy';
import type { TensorContainer, TensorEntry } from '../formats/container';
import type { DType } from '../engine/dtype';
import type { DenseTensor } from '../engine/tensor';
import type { Listing, WorkerSource } from '../shared/workerProtocol';
import type { TensorInfo } from '../shared/protocol';
import { normLayersOf } from './normLayers';

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

/** Opens a file tensor or parses a selection, runs `use` on its entry, and always releases the file. */
export function withSourceEntry<T>(source: WorkerSource, use: (entry: TensorEntry) => Promise<T>): Promise<T> {
  const name = source.kind === 'literal' ? 'selection' : source.kind === 'memory' ? source.fileName : path.basename(source.path);
  return withContainer(source, (c) => use(pickEntry(c, source.kind === 'literal' ? '' : source.tensor, name)));
}

export function tensorInfo(entry: TensorEntry): TensorInfo {
  return { name: entry.name, shape: [...entry.shape], dtype: entry.dtype, order: entry.order, byteLength: entry.byteLength };
}

/** Opens the whole container of a source (headers only), runs `use`, and releases the file. */
export async function withContainer<T>(source: WorkerSource, use: (container: TensorContainer) => Promise<T>): Promise<T> {
  if (source.kind === 'literal') return use(parseTensorLiteral(source.text));
  if (source.kind === 'memory') return use(await openContainer(new MemoryByteSource(new Uint8Array(source.bytes)), source.fileName));
  const file = await FileByteSource.open(source.path);
  try {
    return await use(await openContainer(file, path.basename(source.path)));
  } finally {
    await file.close();
  }
}

/** Headers only: what a file or selection holds. */
export function listSource(source: WorkerSource): Promise<Listing> {
  return withContainer(source, async (c) => ({ tensors: c.entries.map(tensorInfo), layers: normLayersOf(c), metadata: c.metadata }));
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

/** Writes a `.npy` through a temporary file (see atomicWrite.ts). */
export function writeNpyFile(file: string, dtype: DType, shape: readonly number[], data: Uint8Array): Promise<void> {
  return writeFileAtomically(file, encodeNpy(dtype, shape, data));
}
