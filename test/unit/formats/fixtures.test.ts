/**
 * Every fixture written by numpy, PyTorch, TensorFlow and the safetensors layout (scripts/fixtures/gen_formats.py)
 * read back and compared value by value with what numpy read (test/fixtures/formats/expected.json).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture } from '../helpers';
import { rejectsUserError, streamAll } from './formatHelpers';
import { MemoryByteSource } from '../../../src/formats/byteSource';
import type { TensorContainer } from '../../../src/formats/container';
import { readDense } from '../../../src/formats/dense';
import { parseTensorLiteral } from '../../../src/formats/literal';
import { openContainer, pickEntry, splitTensorAddress } from '../../../src/formats/open';

interface Expected {
  dtype: string;
  shape: number[];
  values: (number | string)[];
}

const expected: Record<string, Expected> = JSON.parse(readFileSync(fixture('formats', 'expected.json'), 'utf8'));

function expectedValue(v: number | string): number {
  if (typeof v === 'number') return v;
  return v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity;
}

async function openFixture(file: string): Promise<TensorContainer> {
  if (file.startsWith('literals/')) return parseTensorLiteral(readFileSync(fixture('formats', file), 'utf8'));
  return openContainer(new MemoryByteSource(new Uint8Array(readFileSync(fixture('formats', file)))), file);
}

async function checkAgainstNumpy(key: string): Promise<void> {
  const want = expected[key];
  const { file, tensor } = splitTensorAddress(key);
  const container = await openFixture(file);
  const entry = pickEntry(container, tensor, file);
  assert.equal(entry.dtype, want.dtype, `${key}: dtype`);
  assert.deepEqual(entry.shape, want.shape, `${key}: shape`);
  await streamAll(entry, 24); // small chunks: several per tensor, each whole elements
  const dense = await readDense(entry);
  assert.equal(dense.data.length, want.values.length, `${key}: element count`);
  want.values.forEach((v, i) => {
    const w = expectedValue(v);
    const got = dense.data[i];
    assert.ok(Number.isNaN(w) ? Number.isNaN(got) : Object.is(got, w), `${key}[${i}]: ${got} where numpy read ${w}`);
  });
}

describe('formats: fixtures written by the real libraries', () => {
  const groups = new Map<string, string[]>();
  for (const key of Object.keys(expected)) {
    const kind = key.split('/')[0];
    groups.set(kind, [...(groups.get(kind) ?? []), key]);
  }
  for (const [kind, keys] of groups) {
    describe(kind, () => {
      for (const key of keys) it(key, () => checkAgainstNumpy(key));
    });
  }

  it('an .npz lists its members as np.load names them, in archive order', async () => {
    const container = await openFixture('npz/stored.npz');
    assert.deepEqual(container.entries.map((e) => e.name), ['weights', 'counts', 'mask', 'scalar', 'empty', 'big_endian', 'arr_0']);
    assert.equal((await openFixture('npz/many_members.npz')).entries.length, 300);
  });

  it('safetensors __metadata__ is returned as text', async () => {
    const container = await openFixture('safetensors/dtypes.safetensors');
    assert.deepEqual(container.metadata, { format: 'pt', note: 'NormScope fixture' });
    assert.equal(container.entries.length, 12);
  });

  it('Fortran-order .npy entries say so, and readDense returns C order', async () => {
    const entry = pickEntry(await openFixture('npy/fortran_f4.npy'), '', 'f');
    assert.equal(entry.order, 'F');
    const be = pickEntry(await openFixture('npy/float32_be.npy'), '', 'f');
    assert.equal(be.littleEndian, false);
  });
});

describe('formats: files the real libraries wrote that NormScope refuses, with a way out', () => {
  it('an object (pickled) .npy says how to save without pickle', () =>
    rejectsUserError(() => openFixture('npy/bad_object.npy'), /pickle/, /allow_pickle=False/));
  it('a structured .npy says to save one field', () => rejectsUserError(() => openFixture('npy/bad_structured.npy'), /structured/, /arr\["field"\]/));
  it('a complex .npy names the type', () => rejectsUserError(() => openFixture('npy/bad_complex.npy'), /complex/, /astype/));
  it('a unicode .npy names the type', () => rejectsUserError(() => openFixture('npy/bad_unicode.npy'), /unicode string/));
  it('an .npz with a pickled member names the member', () => rejectsUserError(() => openFixture('npz/bad_object_member.npz'), /'obj'/, /allow_pickle=False/));
  it('a safetensors C64 tensor is refused by name', () => rejectsUserError(() => openFixture('safetensors/bad_dtype_c64.safetensors'), /#ok has dtype C64/, /F16, BF16, F32/));
  for (const lib of ['numpy', 'torch', 'tf']) {
    it(`a ${lib} repr summarized with ... says how to print or save it whole`, () =>
      rejectsUserError(() => openFixture(`literals/${lib}_summarized.txt`), /summarized/, /set_printoptions/, /np\.save/));
  }
});
