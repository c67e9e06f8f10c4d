/** Helpers for the format tests: byte builders for hand-made files, and readers that check the stream contract. */
import * as assert from 'node:assert/strict';
import { crc32, deflateRawSync } from 'node:zlib';
import { MemoryByteSource, type ByteSource } from '../../../src/formats/byteSource';
import type { TensorEntry } from '../../../src/formats/container';
import { DTYPE_BYTES } from '../../../src/engine/dtype';
import { isUserError, type UserError } from '../../../src/engine/errors';

export const utf8 = (text: string) => new TextEncoder().encode(text);

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A source over `bytes` that records the largest single read, to show headers are validated before big reads. */
export class WatchedSource implements ByteSource {
  largestRead = 0;
  reads = 0;
  private readonly inner: MemoryByteSource;
  constructor(bytes: Uint8Array) {
    this.inner = new MemoryByteSource(bytes);
  }
  get size(): number {
    return this.inner.size;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    this.reads++;
    this.largestRead = Math.max(this.largestRead, length);
    return this.inner.read(offset, length);
  }
}

/** Streams an entry, checking that every chunk is whole elements and at most `maxChunkBytes`, and returns the bytes. */
export async function streamAll(entry: TensorEntry, maxChunkBytes = 1 << 16): Promise<Uint8Array> {
  const width = DTYPE_BYTES[entry.dtype];
  const chunks: Uint8Array[] = [];
  for await (const chunk of entry.stream(maxChunkBytes)) {
    assert.equal(chunk.byteLength % width, 0, `chunk of ${chunk.byteLength} bytes is not whole ${entry.dtype} elements`);
    assert.ok(chunk.byteLength <= Math.max(width, maxChunkBytes), `chunk of ${chunk.byteLength} bytes exceeds ${maxChunkBytes}`);
    chunks.push(chunk.slice());
  }
  const bytes = concat(...chunks);
  assert.equal(bytes.byteLength, entry.byteLength, `streamed ${bytes.byteLength} bytes, entry says ${entry.byteLength}`);
  return bytes;
}

/** Asserts that `run` fails with a UserError whose message matches every pattern. */
export async function rejectsUserError(run: () => Promise<unknown> | unknown, ...patterns: RegExp[]): Promise<UserError> {
  let caught: unknown;
  try {
    await run();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, 'expected a UserError, but it succeeded');
  assert.ok(isUserError(caught), `expected a UserError, got ${(caught as Error)?.stack ?? String(caught)}`);
  for (const p of patterns) assert.match(caught.message, p);
  return caught;
}

/** A `.npy` with the given header text (padded as numpy does) and data. */
export function npyBytes(header: string, data: Uint8Array = new Uint8Array(0), major = 1): Uint8Array {
  const lenBytes = major === 1 ? 2 : 4;
  let text = header;
  const pad = (64 - ((8 + lenBytes + text.length + 1) % 64)) % 64;
  text += ' '.repeat(pad) + '\n';
  const pre = new Uint8Array(8 + lenBytes);
  pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  if (major === 1) new DataView(pre.buffer).setUint16(8, text.length, true);
  else new DataView(pre.buffer).setUint32(8, text.length, true);
  return concat(pre, utf8(text), data);
}

/** A safetensors file from a header (object or raw JSON text) and data. */
export function safetensorsBytes(header: object | string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const text = utf8(typeof header === 'string' ? header : JSON.stringify(header));
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(text.length), true);
  return concat(len, text, data);
}

export interface ZipMemberSpec {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  /** Overrides for lying archives. */
  declaredSize?: number;
  crc?: number;
  flags?: number;
  method?: number;
}

/** A plain (non-ZIP64) ZIP archive, enough to build the hostile archives the fixtures cannot hold. */
export function zipBytes(members: ZipMemberSpec[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const body = m.deflate ? new Uint8Array(deflateRawSync(m.data)) : m.data;
    const name = utf8(m.name);
    const method = m.method ?? (m.deflate ? 8 : 0);
    const crc = m.crc ?? crc32(m.data);
    const size = m.declaredSize ?? m.data.length;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, m.flags ?? 0, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, m.flags ?? 0, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const dir = concat(...centrals);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, dir.length, true);
  ev.setUint32(16, offset, true);
  return concat(...locals, dir, end);
}
