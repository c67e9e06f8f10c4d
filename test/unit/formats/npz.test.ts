/** .npz archives that lie, bomb or break: typed errors, bounded memory, nothing inflated beyond what is declared. */
import * as assert from 'node:assert/strict';
import { npyBytes, rejectsUserError, streamAll, utf8, WatchedSource, zipBytes, type ZipMemberSpec } from './formatHelpers';
import { MemoryByteSource } from '../../../src/formats/byteSource';
import { encodeNpy } from '../../../src/formats/npy';
import { openNpz } from '../../../src/formats/npz';

const open = (bytes: Uint8Array) => openNpz(new MemoryByteSource(bytes), 'x.npz');
const floats = (n: number) => encodeNpy('float32', [n], new Uint8Array(new Float32Array(n).fill(1.5).buffer));

async function streamMember(members: ZipMemberSpec[], name: string, maxChunkBytes = 1 << 16): Promise<Uint8Array> {
  const container = await open(zipBytes(members));
  const entry = container.entries.find((e) => e.name === name);
  assert.ok(entry);
  return streamAll(entry, maxChunkBytes);
}

describe('formats: .npz bad input', () => {
  it('an empty file and a file that is not a ZIP', async () => {
    await rejectsUserError(() => open(new Uint8Array(0)), /0 bytes long/);
    await rejectsUserError(() => open(utf8('x'.repeat(100))), /no ZIP end-of-central-directory record/);
  });

  it('an archive with no .npy members', () => rejectsUserError(() => open(zipBytes([{ name: 'readme.txt', data: utf8('hi') }])), /no \.npy members/, /readme\.txt/));

  it('a truncated archive', async () => {
    const bytes = zipBytes([{ name: 'a.npy', data: floats(100) }]);
    await rejectsUserError(() => open(bytes.subarray(0, bytes.length - 30)), /end-of-central-directory/);
    await rejectsUserError(() => open(bytes.subarray(200)), /outside the archive|no local header|runs past/);
  });

  it('a zip bomb: a member that inflates past its declared size stops there, in bounded memory', async () => {
    const bomb = new Uint8Array(64 << 20); // 64 MB of zeros deflates to ~64 KB
    bomb.set(floats(4).subarray(0, 128)); // a valid header claiming a small array
    const archive = zipBytes([{ name: 'a.npy', data: bomb, deflate: true, declaredSize: 144 }]);
    const before = process.memoryUsage().arrayBuffers;
    const started = Date.now();
    await rejectsUserError(async () => streamAll((await open(archive)).entries[0]), /inflates to more than its declared 144 bytes/, /zip bomb/);
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    assert.ok(process.memoryUsage().arrayBuffers - before < 100 << 20);
  });

  it('a declared size DEFLATE cannot reach from the compressed size is refused before inflating', async () => {
    const data = floats(1000);
    const source = new WatchedSource(zipBytes([{ name: 'a.npy', data, deflate: true, declaredSize: 2 ** 31 }]));
    await rejectsUserError(() => openNpz(source, 'x.npz'), /claims 2,147,483,648 bytes/, /beyond what DEFLATE can produce/);
  });

  it('a header that lies about the shape of a deflated member', async () => {
    const lying = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (9999999,), }", new Uint8Array(16));
    await rejectsUserError(() => open(zipBytes([{ name: 'a.npy', data: lying, deflate: true }])), /header lies/);
  });

  it('a corrupt deflate stream, a short one and a CRC mismatch', async () => {
    const good = zipBytes([{ name: 'a.npy', data: floats(1000), deflate: true }]);
    const corrupt = good.slice();
    corrupt.fill(0xff, 60, 90);
    await rejectsUserError(async () => streamAll((await open(corrupt)).entries[0]), /does not inflate|inflates to|CRC|not the|header/);
    await rejectsUserError(() => streamMember([{ name: 'a.npy', data: floats(10), deflate: true, declaredSize: 300 }], 'a'), /inflates to 168 bytes, not the 300/);
    await rejectsUserError(() => streamMember([{ name: 'a.npy', data: floats(10), deflate: true, crc: 1234 }], 'a'), /CRC-32/);
  });

  it('overlapping members (a non-recursive zip bomb) are refused', async () => {
    const bytes = zipBytes([{ name: 'a.npy', data: floats(10) }, { name: 'b.npy', data: floats(10) }]);
    // point b's central entry at a's local header
    const view = new DataView(bytes.buffer);
    const dir = view.getUint32(bytes.length - 6, true);
    const second = dir + 46 + 'a.npy'.length;
    view.setUint32(second + 42, 0, true);
    await rejectsUserError(() => open(bytes), /share bytes/);
  });

  it('encrypted members and other compression methods are refused by name', async () => {
    await rejectsUserError(() => open(zipBytes([{ name: 'a.npy', data: floats(2), flags: 1 }])), /encrypted/);
    await rejectsUserError(() => open(zipBytes([{ name: 'a.npy', data: floats(2), method: 12 }])), /bzip2/, /stored and deflated/);
  });

  it('a stored member whose sizes disagree', () =>
    rejectsUserError(() => open(zipBytes([{ name: 'a.npy', data: floats(2), declaredSize: 999 }])), /declares 999 bytes but holds 136/));

  it('streams a deflated member in whole-element chunks, restartably', async () => {
    const n = 50000;
    const values = Float32Array.from({ length: n }, (_, i) => i * 0.5);
    const container = await open(zipBytes([{ name: 'w.npy', data: encodeNpy('float32', [n], new Uint8Array(values.buffer)), deflate: true }]));
    const entry = container.entries[0];
    for (let pass = 0; pass < 2; pass++) {
      const bytes = await streamAll(entry, 1000);
      assert.deepEqual(new Float32Array(bytes.buffer), values);
    }
  });
});
