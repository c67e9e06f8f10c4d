/** JSON tensor files: the three layouts, dtype inference like np.array, bad input, and big files in bounded memory. */
import * as assert from 'node:assert/strict';
import { rejectsUserError, streamAll, utf8 } from './formatHelpers';
import { MemoryByteSource } from '../../../src/formats/byteSource';
import { readDense } from '../../../src/formats/dense';
import { openJsonTensors } from '../../../src/formats/jsonTensor';
import { LEX_WINDOW_BYTES } from '../../../src/formats/lexWindows';

const open = (text: string) => openJsonTensors(new MemoryByteSource(utf8(text)), 't.json');

async function values(text: string, name = ''): Promise<{ dtype: string; shape: number[]; data: number[] }> {
  const entry = (await open(text)).entries.find((e) => e.name === name);
  assert.ok(entry, `no entry '${name}'`);
  const dense = await readDense(entry);
  return { dtype: entry.dtype, shape: entry.shape, data: Array.from(dense.data) };
}

describe('formats: JSON tensors', () => {
  it('infers dtypes as np.array does', async () => {
    assert.equal((await values('[1, 2]')).dtype, 'int64');
    assert.equal((await values('[1, 2.0]')).dtype, 'float64');
    assert.equal((await values('[true, false]')).dtype, 'bool');
    assert.equal((await values('[true, 2]')).dtype, 'int64');
    assert.equal((await values('[]')).dtype, 'float64');
    assert.equal((await values('[9223372036854775808]')).dtype, 'uint64');
    await rejectsUserError(() => open('[18446744073709551616]'), /integers beyond 64 bits/);
  });

  it('keeps 64-bit integers exact beyond 2^53', async () => {
    const entry = (await open('{"dtype": "int64", "data": [9223372036854775807, -9223372036854775808, 9007199254740993]}')).entries[0];
    const bytes = await streamAll(entry);
    const view = new DataView(bytes.buffer);
    assert.deepEqual([0, 8, 16].map((o) => view.getBigInt64(o, true)), [2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n]);
  });

  it('reads shapes: 0-d, empty, nested, and flat data with a shape', async () => {
    assert.deepEqual(await values('2.5'), { dtype: 'float64', shape: [], data: [2.5] });
    assert.deepEqual((await values('[[], []]')).shape, [2, 0]);
    assert.deepEqual(await values('{"shape": [2, 2], "data": [1, 2, 3, 4], "dtype": "uint8"}'), { dtype: 'uint8', shape: [2, 2], data: [1, 2, 3, 4] });
    assert.deepEqual((await values('{"shape": [], "data": 7}')).shape, []);
  });

  it('addresses the values of an object by key, with "data" read as a tensor object', async () => {
    const text = '{"w": [[1, 2]], "b": {"data": [0.5]}, "n": 3}';
    assert.deepEqual((await open(text)).entries.map((e) => e.name), ['w', 'b', 'n']);
    assert.deepEqual(await values(text, 'b'), { dtype: 'float64', shape: [1], data: [0.5] });
  });

  it('refuses ragged, non-numeric and mis-declared data with the place and the reason', async () => {
    await rejectsUserError(() => open('[[1, 2], [3]]'), /ragged/, /1 element where the first list at depth 1 has 2/, /byte 11/);
    await rejectsUserError(() => open('[[1, 2], 3]'), /ragged/, /a number at depth 1/);
    await rejectsUserError(() => open('[1, [2]]'), /ragged/);
    await rejectsUserError(() => open('[1, "two"]'), /the string "two"/);
    await rejectsUserError(() => open('[1, null]'), /'null'/, /NaN/);
    await rejectsUserError(() => open('[1, {"a": 1}]'), /an object inside its data/);
    await rejectsUserError(() => open('{"dtype": "int8", "data": [1.5]}'), /declared int8 but holds values that are not integers/);
    await rejectsUserError(() => open('{"dtype": "uint8", "data": [-1]}'), /outside uint8's range 0\.\.255/);
    await rejectsUserError(() => open('{"dtype": "complex64", "data": [1]}'), /'complex64' is not supported/);
    await rejectsUserError(() => open('{"shape": [3], "data": [1, 2]}'), /"shape" \[3\] needs 3 values but "data" holds 2/);
    await rejectsUserError(() => open('{"shape": [-1], "data": [1]}'), /"shape" must be an array/);
    await rejectsUserError(() => open('{"t": {"data": [1], "extra": 2}}'), /t\.json#t: a tensor object holds "shape", "dtype" and "data"; it also has "extra"/);
    await rejectsUserError(() => open('{"a": "hello"}'), /"a" is a string, not a tensor/);
    await rejectsUserError(() => open('"hello"'), /holds a string/);
    await rejectsUserError(() => open('{"a": [1], "a": [2]}'), /duplicate key "a"/);
  });

  it('refuses broken JSON, an empty file and 100 000-deep nesting without overflowing the stack', async () => {
    await rejectsUserError(() => openJsonTensors(new MemoryByteSource(new Uint8Array(0)), 't.json'), /empty/);
    await rejectsUserError(() => open('   '), /expected a JSON value, found the end of the input/);
    await rejectsUserError(() => open('[1, 2'), /truncated/);
    await rejectsUserError(() => open('[1, 2,]'), /expected a JSON value/);
    await rejectsUserError(() => open('[1 2]'), /expected ',' or ']'/);
    await rejectsUserError(() => open('[True]'), /JSON spells them true, false, null/);
    await rejectsUserError(() => open('[1] [2]'), /after the end of the JSON value/);
    const started = Date.now();
    await rejectsUserError(() => open('['.repeat(100000) + ']'.repeat(100000)), /nested deeper than 64 lists/);
    await rejectsUserError(() => open('{"a":'.repeat(100000)), /nesting deeper than 66 levels|is an object/);
    assert.ok(Date.now() - started < 500);
  });

  it('reads a file larger than its lexer window, with tokens across window edges, in bounded memory', async () => {
    const rows = 2000;
    const cols = 400;
    const parts: string[] = [];
    for (let r = 0; r < rows; r++) parts.push(`[${Array.from({ length: cols }, (_, c) => ((r * cols + c) * 0.001 - 3).toFixed(4)).join(', ')}]`);
    const text = `{"big": [${parts.join(',\n')}], "after": [1]}`;
    assert.ok(text.length > 5 * LEX_WINDOW_BYTES);
    const container = await open(text);
    const big = container.entries[0];
    assert.deepEqual(big.shape, [rows, cols]);
    const heapBefore = process.memoryUsage().heapUsed;
    let count = 0;
    let last = 0;
    for await (const chunk of big.stream(1 << 16)) {
      const f = new Float64Array(chunk.buffer, chunk.byteOffset, chunk.byteLength / 8);
      count += f.length;
      last = f[f.length - 1];
    }
    assert.equal(count, rows * cols);
    assert.equal(last, Number(((rows * cols - 1) * 0.001 - 3).toFixed(4)));
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 << 20);
  });
});
