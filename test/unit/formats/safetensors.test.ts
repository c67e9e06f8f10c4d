/** .safetensors headers that lie or attack: typed errors before any data read. */
import * as assert from 'node:assert/strict';
import { rejectsUserError, safetensorsBytes, streamAll, WatchedSource } from './formatHelpers';
import { MemoryByteSource } from '../../../src/formats/byteSource';
import { openContainer } from '../../../src/formats/open';
import { openSafetensors } from '../../../src/formats/safetensors';

const open = (bytes: Uint8Array) => openSafetensors(new MemoryByteSource(bytes), 'm.safetensors');
const tensor = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] });

describe('formats: .safetensors bad input', () => {
  it('an empty file and a file shorter than its length field', async () => {
    await rejectsUserError(() => open(new Uint8Array(0)), /0 bytes long/);
    await rejectsUserError(() => open(new Uint8Array(5)), /5 bytes long/);
  });

  it('a huge header length is refused without reading it', async () => {
    const bytes = new Uint8Array(100);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 62n, true);
    const source = new WatchedSource(bytes);
    await rejectsUserError(() => openSafetensors(source, 'm.safetensors'), /claims a 4,611,686,018,427,387,904-byte header/, /92 bytes/);
    assert.ok(source.largestRead <= 8);
  });

  it('a header that is not a JSON object, or is broken JSON', async () => {
    await rejectsUserError(() => open(safetensorsBytes('[1, 2]')), /not a JSON object/);
    await rejectsUserError(() => open(safetensorsBytes('{"a": ')), /truncated/);
    await rejectsUserError(() => open(safetensorsBytes('{"a": {"dtype": "F32", "dtype": "F16"}}')), /duplicate key "dtype"/);
    await rejectsUserError(() => open(safetensorsBytes(`{"a": ${'['.repeat(100000)}`)), /nesting deeper than 8 levels/);
  });

  it('a shape that claims 10^12 elements in a 100-byte file', async () => {
    const source = new WatchedSource(safetensorsBytes({ w: tensor('F32', [1000000, 1000000], 0, 16) }, new Uint8Array(16)));
    await rejectsUserError(() => openSafetensors(source, 'm.safetensors'), /needs 4,000,000,000,000 bytes but data_offsets \[0, 16\] give 16/);
    assert.ok(source.largestRead < 200);
  });

  it('offsets out of range, reversed, or overlapping', async () => {
    await rejectsUserError(() => open(safetensorsBytes({ w: tensor('F32', [4], 0, 16) }, new Uint8Array(8))), /\[0, 16\] fall outside the 8-byte data section/);
    await rejectsUserError(() => open(safetensorsBytes({ w: tensor('F32', [0], 8, 4) }, new Uint8Array(8))), /outside/);
    await rejectsUserError(() => open(safetensorsBytes({ a: tensor('F32', [2], 0, 8), b: tensor('F32', [2], 4, 12) }, new Uint8Array(12))), /'a' \[0, 8\] and 'b' \[4, 12\] overlap/);
    await rejectsUserError(() => open(safetensorsBytes({ a: tensor('F32', [2], -8, 0) }, new Uint8Array(12))), /not a pair of non-negative integers/);
  });

  it('unknown dtypes are refused by name; bad shapes and metadata are explained', async () => {
    await rejectsUserError(() => open(safetensorsBytes({ w: tensor('F8_E4M3', [2], 0, 2) }, new Uint8Array(2))), /F8_E4M3/, /F16, BF16, F32, F64, I8/);
    await rejectsUserError(() => open(safetensorsBytes({ w: tensor('F32', [2.5], 0, 8) }, new Uint8Array(8))), /not a list of non-negative integers/);
    await rejectsUserError(() => open(safetensorsBytes({ __metadata__: { epoch: 3 } })), /"epoch" is not a string/);
  });

  it('a data section that shrank after opening is reported when streaming, not misread', async () => {
    const bytes = safetensorsBytes({ w: tensor('F64', [4], 0, 32) }, new Uint8Array(32));
    const shrunk = new MemoryByteSource(bytes.subarray(0, bytes.length - 10));
    const container = await openSafetensors({ size: bytes.length, read: (o, n) => shrunk.read(o, n) }, 'm.safetensors');
    await rejectsUserError(() => streamAll(container.entries[0], 8), /truncated or changed/);
  });

  it('gaps between tensors are tolerated; 0-d and empty tensors read', async () => {
    const data = new Uint8Array(24);
    new DataView(data.buffer).setFloat64(16, -2.5, true);
    const bytes = safetensorsBytes({ __metadata__: { a: 'b' }, s: tensor('F64', [], 16, 24), e: tensor('I64', [0, 3], 16, 16) }, data);
    const container = await openContainer(new MemoryByteSource(bytes), 'weights.bin'); // sniffed by its header
    assert.equal(container.kind, 'safetensors');
    const s = container.entries.find((e) => e.name === 's');
    assert.ok(s);
    assert.deepEqual(s.shape, []);
    assert.equal(new DataView((await streamAll(s)).buffer).getFloat64(0, true), -2.5);
  });
});
