/**
 * NumPy `.npz`: a ZIP archive of `.npy` members (np.savez stores them, np.savez_compressed deflates them), each
 * addressed as `file.npz#name` without the `.npy` suffix, as np.load names them. Opening reads the central
 * directory and each member's `.npy` header (inflating only the first few KB of a deflated one); data is read or
 * inflated when streamed.
 */
import type { ByteSource } from './byteSource';
import type { TensorContainer, TensorEntry } from './container';
import { checkDeflatedSizes, inflateMember } from './inflateMember';
import { readNpyEntry, readNpyHeader } from './npy';
import { sliceElements } from './streamRange';
import { readZipDirectory, type ZipMember } from './zip';
import { DTYPE_BYTES } from '../engine/dtype';
import { FormatError } from '../engine/errors';

/** Inflated first, for a deflated member's header; numpy's headers are a few hundred bytes. */
const HEADER_PREFIX_BYTES = 4096;

const METHODS: Record<number, string> = { 1: 'shrink', 6: 'implode', 9: 'deflate64', 12: 'bzip2', 14: 'lzma', 93: 'zstandard', 95: 'xz', 98: 'ppmd' };

export async function openNpz(source: ByteSource, fileName: string): Promise<TensorContainer> {
  const members = await readZipDirectory(source, fileName);
  const arrays = members.filter((m) => m.name.toLowerCase().endsWith('.npy'));
  if (arrays.length === 0) {
    const names = members.slice(0, 10).map((m) => m.name).join(', ');
    throw new FormatError(`${fileName} holds no .npy members (${members.length ? `it holds ${names}` : 'it is an empty archive'}); an .npz is written by np.savez.`);
  }
  const entries: TensorEntry[] = [];
  for (const member of arrays) entries.push(await openMember(source, member, fileName));
  return { kind: 'npz', entries };
}

async function openMember(source: ByteSource, member: ZipMember, fileName: string): Promise<TensorEntry> {
  const name = member.name.slice(0, -4);
  if (member.flags & 1) throw new FormatError(`${fileName}: member '${member.name}' is encrypted; save the arrays again without a password.`);
  if (member.method === 0) {
    if (member.compressedSize !== member.uncompressedSize) {
      throw new FormatError(`${fileName}: stored member '${member.name}' declares ${member.uncompressedSize} bytes but holds ${member.compressedSize}; the archive is corrupt.`);
    }
    return readNpyEntry(source, member.dataOffset, member.compressedSize, name);
  }
  if (member.method !== 8) {
    const method = METHODS[member.method] ?? `method ${member.method}`;
    throw new FormatError(`${fileName}: member '${member.name}' is compressed with ${method}; NormScope reads stored and deflated members (np.savez and np.savez_compressed write those).`);
  }
  checkDeflatedSizes(member, fileName);
  const header = await readNpyHeader(inflatedPrefix(source, member, fileName), 0, member.uncompressedSize, name);
  const { dataOffset, ...layout } = header;
  const width = DTYPE_BYTES[layout.dtype];
  return {
    name, ...layout,
    stream: (maxChunkBytes) => sliceElements(inflateMember(source, member, fileName, dataOffset + layout.byteLength),
      dataOffset, layout.byteLength, width, maxChunkBytes),
  };
}

/** A byte source over the start of a deflated member, inflating only as far as the header reader asks. */
function inflatedPrefix(source: ByteSource, member: ZipMember, fileName: string): ByteSource {
  let prefix = new Uint8Array(0);
  return {
    size: member.uncompressedSize,
    async read(offset, length) {
      const need = Math.min(member.uncompressedSize, offset + length);
      if (prefix.length < need) {
        const limit = Math.min(member.uncompressedSize, Math.max(need, HEADER_PREFIX_BYTES));
        const pieces: Uint8Array[] = [];
        for await (const piece of inflateMember(source, member, fileName, limit)) pieces.push(piece);
        prefix = new Uint8Array(limit);
        let at = 0;
        for (const piece of pieces) {
          prefix.set(piece, at);
          at += piece.length;
        }
      }
      return prefix.subarray(Math.min(offset, need), need);
    },
  };
}
