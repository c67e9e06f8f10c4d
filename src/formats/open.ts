/**
 * Opens any supported tensor container from a byte source: by file extension first, then by magic bytes, so a
 * misnamed file still opens and a wrong one gets a message naming what it looked for.
 */
import type { ByteSource } from './byteSource';
import type { TensorContainer, TensorEntry } from './container';
import { openJsonTensors } from './jsonTensor';
import { isNpyMagic, openNpy } from './npy';
import { openNpz } from './npz';
import { looksLikeSafetensors, openSafetensors } from './safetensors';
import { isZipMagic } from './zip';
import { FormatError } from '../engine/errors';

export type ContainerOpener = (source: ByteSource, fileName: string) => Promise<TensorContainer>;

/** Openers by lower-case extension; formats register here. */
const OPENERS: Record<string, ContainerOpener> = {
  '.npy': (source) => openNpy(source),
  '.npz': openNpz,
  '.safetensors': openSafetensors,
  '.json': openJsonTensors,
};

/** Recognizes a misnamed file by its first bytes. */
function sniff(head: Uint8Array, size: number): ContainerOpener | undefined {
  if (isNpyMagic(head)) return (source) => openNpy(source);
  if (isZipMagic(head)) return openNpz;
  if (looksLikeSafetensors(head, size)) return openSafetensors;
  const first = head.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first === 0x5b || first === 0x7b) return openJsonTensors;
  return undefined;
}

export const SUPPORTED_EXTENSIONS = () => Object.keys(OPENERS);

export function extensionOf(fileName: string): string {
  const m = /\.[^./\\]+$/.exec(fileName.toLowerCase());
  return m ? m[0] : '';
}

export async function openContainer(source: ByteSource, fileName: string): Promise<TensorContainer> {
  const opener = OPENERS[extensionOf(fileName)];
  if (opener) return opener(source, fileName);
  if (source.size === 0) throw new FormatError(`${fileName} is empty (0 bytes).`);
  const head = (await source.read(0, 64)).slice();
  const sniffed = sniff(head, source.size);
  if (sniffed) return sniffed(source, fileName);
  throw new FormatError(`${fileName} is not a tensor file NormScope reads (${Object.keys(OPENERS).join(', ')}).`);
}

/** Splits `path#name` into the file and the tensor name ('' when absent). A '#' inside the file name stays. */
export function splitTensorAddress(address: string): { file: string; tensor: string } {
  const hash = address.lastIndexOf('#');
  if (hash < 0) return { file: address, tensor: '' };
  return { file: address.slice(0, hash), tensor: address.slice(hash + 1) };
}

/** The entry named `tensor`, or the only one; otherwise a message listing what exists. */
export function pickEntry(container: TensorContainer, tensor: string, fileName: string): TensorEntry {
  if (tensor) {
    const found = container.entries.find((e) => e.name === tensor);
    if (found) return found;
    throw new FormatError(`${fileName} has no tensor named '${tensor}'. It holds: ${listNames(container)}.`);
  }
  if (container.entries.length === 1) return container.entries[0];
  if (container.entries.length === 0) throw new FormatError(`${fileName} holds no tensors.`);
  throw new FormatError(`${fileName} holds ${container.entries.length} tensors; name one as ${fileName}#NAME. It holds: ${listNames(container)}.`);
}

function listNames(container: TensorContainer): string {
  const names = container.entries.map((e) => e.name);
  return names.length > 20 ? `${names.slice(0, 20).join(', ')} and ${names.length - 20} more` : names.join(', ');
}
