/** .npy headers that lie, truncate or attack: typed errors found before any large read, and quickly. */
import * as assert from 'node:assert/strict';
import { concat, npyBytes, rejectsUserError, streamAll, utf8, WatchedSource } from './formatHelpers';
import { MemoryByteSource } from '../../../src/formats/byteSource';
import { encodeNpy, MAX_NPY_HEADER_BYTES, openNpy } from '../../../src/formats/npy';
import { openContainer } from '../../../src/formats/open';

const open = (bytes: Uint8Array) => openNpy(new MemoryByteSource(bytes));

describe('formats: .npy bad input', () => {
  it('an empty file', () => rejectsUserError(() => open(new Uint8Array(0)), /0 bytes long/, /empty or truncated/));

  it('a header that claims 10^12 elements in a 100-byte file is refused before any data read', async () => {
    const bytes = npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", new Uint8Array(36));
    const source = new WatchedSource(bytes);
    await rejectsUserError(() => openNpy(source), /header lies/, /8,000,000,000,000 bytes/);
    assert.ok(source.largestRead <= 128, `read ${source.largestRead} bytes at once`);
  });

  it('a shape whose byte size is not a safe integer', () =>
    rejectsUserError(() => open(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }")), /header lies/));

  it('a truncated data section', () => {
    const full = encodeNpy('float32', [4], new Uint8Array(16));
    return rejectsUserError(() => open(full.subarray(0, full.length - 1)), /truncated/, /16 bytes of data, but only 15/);
  });

  it('a truncated header', () => rejectsUserError(() => open(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }").subarray(0, 30)), /truncated/));

  it('a huge version-2 header length is refused without reading it', async () => {
    const bytes = concat(new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0xff, 0xff, 0xff, 0x7f]), utf8('{}'));
    const source = new WatchedSource(bytes);
    await rejectsUserError(() => openNpy(source), /2147483647-byte header/);
    assert.ok(source.largestRead <= 12);
  });

  it('an unknown dtype and an unknown version', async () => {
    await rejectsUserError(() => open(npyBytes("{'descr': '<q7', 'fortran_order': False, 'shape': (2,), }")), /unsupported dtype/, /'<q7'/);
    const v9 = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(8));
    v9[6] = 9;
    await rejectsUserError(() => open(v9), /version 9\.0/);
  });

  it('a header with code in it is refused, never evaluated', async () => {
    await rejectsUserError(() => open(npyBytes("{'descr': __import__('os').system('echo'), 'fortran_order': False, 'shape': (2,), }")), /unexpected name '__import__'/);
    await rejectsUserError(() => open(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,) + (3,), }")), /expected ',' or '}'/);
  });

  it('a negative or fractional dimension', async () => {
    await rejectsUserError(() => open(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }")), /invalid shape/);
    await rejectsUserError(() => open(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,), }")), /expected ',' or '\)'|malformed|invalid/);
  });

  it('a header of 1 MB of padding is rejected in well under a second (no quadratic trimming)', async () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }" + ' '.repeat(MAX_NPY_HEADER_BYTES - 200) + 'x';
    const started = Date.now();
    await rejectsUserError(() => open(npyBytes(header, new Uint8Array(0), 2)), /unexpected text after the value/);
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  });

  it('deep nesting in a header stops at the depth limit', () =>
    rejectsUserError(() => open(npyBytes(`{'descr': ${'('.repeat(50000)}`)), /nesting deeper than 32/));

  it('a misnamed .npy opens by its magic bytes; an unknown file names the supported kinds', async () => {
    const bytes = encodeNpy('int16', [3], new Uint8Array([1, 0, 2, 0, 3, 0]));
    const container = await openContainer(new MemoryByteSource(bytes), 'weights.bin');
    assert.equal(container.kind, 'npy');
    assert.deepEqual([...await streamAll(container.entries[0], 2)], [1, 0, 2, 0, 3, 0]);
    await rejectsUserError(() => openContainer(new MemoryByteSource(utf8('hello')), 'notes.txt'), /not a tensor file/, /\.npy, \.npz, \.safetensors, \.json/);
  });
});
