/**
 * Streams the inflated bytes of a deflated ZIP member with fflate's streaming `Inflate`, in bounded memory: the
 * compressed bytes go in pieces sized so that each inflates to about OUTPUT_TARGET_BYTES at the ratio seen so
 * far (starting small, since DEFLATE can expand 1032:1), and the member's declared uncompressed size is a hard
 * limit checked after every piece, so a zip bomb stops with a FormatError instead of filling memory. At the end
 * the size and the CRC-32 must match the directory.
 */
import { Inflate } from 'fflate';
import type { ByteSource } from './byteSource';
import type { ZipMember } from './zip';
import { FormatError } from '../engine/errors';

const FIRST_PIECE_BYTES = 1 << 10;
const MAX_PIECE_BYTES = 1 << 20;
const OUTPUT_TARGET_BYTES = 4 << 20;
/** DEFLATE's best case is 258 bytes from about 2 bits; a declared size beyond this ratio is a lie. */
export const MAX_DEFLATE_RATIO = 1032;

let crcTable: Int32Array | undefined;
function crc32Update(crc: number, bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  const t = crcTable;
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** Checks the declared sizes before anything is inflated. */
export function checkDeflatedSizes(member: ZipMember, what: string): void {
  if (member.uncompressedSize > member.compressedSize * MAX_DEFLATE_RATIO + 1024) {
    throw new FormatError(`${what}: member '${member.name}' claims ${member.uncompressedSize.toLocaleString('en-US')} bytes from `
      + `${member.compressedSize.toLocaleString('en-US')} compressed, beyond what DEFLATE can produce (${MAX_DEFLATE_RATIO}:1): a zip bomb or a corrupt directory.`);
  }
}

/**
 * Yields the inflated bytes of `member`, at most `limit` of them (pass the declared size to read it all). With
 * the whole member read, a size or CRC-32 different from the directory's is a FormatError.
 */
export async function* inflateMember(source: ByteSource, member: ZipMember, what: string, limit = member.uncompressedSize): AsyncIterable<Uint8Array> {
  let produced = 0;
  let crc = 0;
  let pending: Uint8Array[] = [];
  const inflate = new Inflate((chunk) => {
    produced += chunk.length;
    crc = crc32Update(crc, chunk);
    pending.push(chunk);
  });
  const corrupt = (detail: string): never => {
    throw new FormatError(`${what}: member '${member.name}' ${detail}; the archive is corrupt.`);
  };
  let delivered = 0;
  let pieceBytes = FIRST_PIECE_BYTES;
  for (let at = 0; at < member.compressedSize && delivered < limit;) {
    const want = Math.min(pieceBytes, member.compressedSize - at);
    const piece = await source.read(member.dataOffset + at, want);
    if (piece.byteLength !== want) corrupt(`ends at byte ${member.dataOffset + at + piece.byteLength} of the file, before its ${member.compressedSize} compressed bytes`);
    at += want;
    try {
      inflate.push(piece.slice(), at >= member.compressedSize);
    } catch (e) {
      corrupt(`does not inflate (${(e as Error).message})`);
    }
    if (produced > member.uncompressedSize) {
      throw new FormatError(`${what}: member '${member.name}' inflates to more than its declared ${member.uncompressedSize.toLocaleString('en-US')} bytes: a zip bomb or a corrupt archive. Stopped after ${produced.toLocaleString('en-US')} bytes.`);
    }
    const ratio = Math.max(1, produced / at);
    pieceBytes = Math.min(MAX_PIECE_BYTES, Math.max(FIRST_PIECE_BYTES, Math.floor(OUTPUT_TARGET_BYTES / ratio)));
    const out = pending;
    pending = [];
    for (const chunk of out) {
      if (delivered >= limit) break;
      const part = chunk.length > limit - delivered ? chunk.subarray(0, limit - delivered) : chunk;
      delivered += part.length;
      yield part;
    }
  }
  if (delivered < limit) corrupt(`inflates to ${produced} bytes, not the ${member.uncompressedSize} its directory entry declares`);
  if (limit === member.uncompressedSize && produced === member.uncompressedSize && crc !== member.crc32) {
    corrupt(`fails its CRC-32 check (0x${crc.toString(16)} instead of 0x${member.crc32.toString(16)})`);
  }
}
