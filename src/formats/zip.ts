/**
 * The central directory of a ZIP archive (what an `.npz` is), ZIP64 included, read from the end of the file
 * without touching member data. Every size and offset is checked against the file before it is used, and
 * members whose data overlap are refused (the trick of non-recursive zip bombs).
 * https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 */
import type { ByteSource } from './byteSource';
import { FormatError } from '../engine/errors';

export interface ZipMember {
  name: string;
  /** 0 stored, 8 deflated; anything else is refused when the member is opened. */
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Offset of the member's data (after its local header). */
  dataOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_BYTES = 22;
const CENTRAL_BYTES = 46;
const LOCAL_BYTES = 30;
/** A central directory beyond this would describe millions of members: refuse before reading it. */
export const MAX_CENTRAL_DIRECTORY_BYTES = 64 << 20;

export function isZipMagic(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 2 ** 24;
}
/** A 64-bit size; values beyond 2^53 cannot be a real offset in any file and are refused by the caller's range checks. */
function u64(b: Uint8Array, at: number): number {
  return u32(b, at) + u32(b, at + 4) * 2 ** 32;
}

async function readExactly(source: ByteSource, offset: number, length: number, what: string): Promise<Uint8Array> {
  const bytes = await source.read(offset, length);
  if (bytes.byteLength !== length) throw new FormatError(`${what} is truncated: it ends at byte ${offset + bytes.byteLength}, before the ${length} bytes at offset ${offset}.`);
  return bytes.slice();
}

/** Reads the member list. `what` names the archive in messages. */
export async function readZipDirectory(source: ByteSource, what: string): Promise<ZipMember[]> {
  const size = source.size;
  if (size < EOCD_BYTES) throw new FormatError(`${what} is ${size} bytes long, too short for a ZIP archive (an .npz is one): it is empty or truncated.`);
  // the end record sits in the last 22 bytes plus a comment of at most 65 535 bytes
  const tailStart = Math.max(0, size - EOCD_BYTES - 0xffff);
  const tail = await readExactly(source, tailStart, size - tailStart, what);
  let eocd = -1;
  for (let i = tail.length - EOCD_BYTES; i >= 0; i--) {
    if (u32(tail, i) === EOCD_SIGNATURE && i + EOCD_BYTES + u16(tail, i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FormatError(`${what} has no ZIP end-of-central-directory record: it is truncated or not an .npz (ZIP) archive.`);
  const eocdOffset = tailStart + eocd;
  let count = u16(tail, eocd + 10);
  let dirSize = u32(tail, eocd + 12);
  let dirOffset = u32(tail, eocd + 16);
  let dirEnd = eocdOffset;
  if (u16(tail, eocd + 4) !== 0 || u16(tail, eocd + 6) !== 0) {
    if (count !== 0xffff) throw new FormatError(`${what} is a multi-part (spanned) ZIP archive; join the parts into one .npz first.`);
  }
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    if (eocdOffset < 20) throw new FormatError(`${what} claims ZIP64 sizes but has no ZIP64 locator.`);
    const locator = await readExactly(source, eocdOffset - 20, 20, what);
    if (u32(locator, 0) !== ZIP64_LOCATOR_SIGNATURE) throw new FormatError(`${what} claims ZIP64 sizes but has no ZIP64 locator before its end record.`);
    const recordOffset = u64(locator, 8);
    if (recordOffset + 56 > eocdOffset - 20) throw new FormatError(`${what}: the ZIP64 end record offset ${recordOffset} is outside the archive.`);
    const record = await readExactly(source, recordOffset, 56, what);
    if (u32(record, 0) !== ZIP64_EOCD_SIGNATURE) throw new FormatError(`${what}: no ZIP64 end record at offset ${recordOffset}.`);
    count = u64(record, 32);
    dirSize = u64(record, 40);
    dirOffset = u64(record, 48);
    dirEnd = recordOffset;
  }
  if (dirOffset + dirSize > dirEnd) {
    throw new FormatError(`${what}: its central directory (${dirSize} bytes at offset ${dirOffset}) runs past the end record at ${dirEnd}; the file is truncated or corrupt.`);
  }
  if (dirSize > MAX_CENTRAL_DIRECTORY_BYTES) throw new FormatError(`${what} has a ${dirSize}-byte central directory, over NormScope's ${MAX_CENTRAL_DIRECTORY_BYTES}-byte limit.`);
  if (count * CENTRAL_BYTES > dirSize) throw new FormatError(`${what} claims ${count} members but its central directory has room for at most ${Math.floor(dirSize / CENTRAL_BYTES)}.`);
  const dir = await readExactly(source, dirOffset, dirSize, what);
  const members: ZipMember[] = [];
  const localOffsets: number[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + CENTRAL_BYTES > dir.length || u32(dir, at) !== CENTRAL_SIGNATURE) {
      throw new FormatError(`${what}: central directory entry ${i + 1} of ${count} is missing or corrupt (offset ${dirOffset + at}).`);
    }
    const nameLen = u16(dir, at + 28);
    const extraLen = u16(dir, at + 30);
    const commentLen = u16(dir, at + 32);
    const next = at + CENTRAL_BYTES + nameLen + extraLen + commentLen;
    if (next > dir.length) throw new FormatError(`${what}: central directory entry ${i + 1} runs past the directory's end.`);
    const flags = u16(dir, at + 8);
    const name = new TextDecoder('utf-8').decode(dir.subarray(at + CENTRAL_BYTES, at + CENTRAL_BYTES + nameLen));
    let compressedSize = u32(dir, at + 20);
    let uncompressedSize = u32(dir, at + 24);
    let localOffset = u32(dir, at + 42);
    // ZIP64 extra field: 64-bit values for exactly those fields set to 0xFFFFFFFF, in this order
    const extra = dir.subarray(at + CENTRAL_BYTES + nameLen, at + CENTRAL_BYTES + nameLen + extraLen);
    for (let e = 0; e + 4 <= extra.length;) {
      const id = u16(extra, e);
      const len = u16(extra, e + 2);
      if (id === 0x0001) {
        let f = e + 4;
        const take = (): number => {
          if (f + 8 > e + 4 + len || f + 8 > extra.length) throw new FormatError(`${what}: member '${name}' has a short ZIP64 extra field.`);
          f += 8;
          return u64(extra, f - 8);
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localOffset === 0xffffffff) localOffset = take();
      }
      e += 4 + len;
    }
    if (localOffset + LOCAL_BYTES + compressedSize > dirOffset) {
      throw new FormatError(`${what}: member '${name}' (${compressedSize} bytes at offset ${localOffset}) lies outside the archive's data; the file is truncated or corrupt.`);
    }
    members.push({ name, method: u16(dir, at + 10), flags, crc32: u32(dir, at + 16), compressedSize, uncompressedSize, dataOffset: -1 });
    localOffsets.push(localOffset);
    at = next;
  }
  await locateData(source, members, localOffsets, dirOffset, what);
  return members;
}

/** Reads each local header for the data offset, and refuses members whose bytes overlap. */
async function locateData(source: ByteSource, members: ZipMember[], localOffsets: number[], dirOffset: number, what: string): Promise<void> {
  const order = members.map((_, i) => i).sort((a, b) => localOffsets[a] - localOffsets[b]);
  let previousEnd = 0;
  let previousName = '';
  for (const i of order) {
    const m = members[i];
    const local = await readExactly(source, localOffsets[i], LOCAL_BYTES, what);
    if (u32(local, 0) !== LOCAL_SIGNATURE) throw new FormatError(`${what}: member '${m.name}' has no local header at offset ${localOffsets[i]}.`);
    m.dataOffset = localOffsets[i] + LOCAL_BYTES + u16(local, 26) + u16(local, 28);
    const end = m.dataOffset + m.compressedSize;
    if (end > dirOffset) throw new FormatError(`${what}: the data of member '${m.name}' runs past the start of the central directory (byte ${dirOffset}).`);
    if (localOffsets[i] < previousEnd) {
      throw new FormatError(`${what}: members '${previousName}' and '${m.name}' share bytes, a zip-bomb construction; NormScope refuses such archives.`);
    }
    previousEnd = end;
    previousName = m.name;
  }
}
