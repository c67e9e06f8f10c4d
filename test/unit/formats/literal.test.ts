/** Text selections: defaults per library, rounding to the printed dtype, and refusals that say what to do. */
import * as assert from 'node:assert/strict';
import { rejectsUserError } from './formatHelpers';
import { readDense } from '../../../src/formats/dense';
import { float16Bits } from '../../../src/formats/elementEncoder';
import { parseTensorLiteral } from '../../../src/formats/literal';

async function read(text: string): Promise<{ dtype: string; shape: number[]; data: number[] }> {
  const entry = parseTensorLiteral(text).entries[0];
  return { dtype: entry.dtype, shape: entry.shape, data: Array.from((await readDense(entry)).data) };
}

describe('formats: text literals', () => {
  it('uses each library\'s default dtype when none is printed', async () => {
    assert.equal((await read('[1.5, 2]')).dtype, 'float64');
    assert.equal((await read('array([1, 2])')).dtype, 'int64');
    assert.equal((await read('tensor([1.5, 2.])')).dtype, 'float32');
    assert.equal((await read('torch.tensor([1, 2])')).dtype, 'int64');
    assert.equal((await read('tf.constant([1, 2])')).dtype, 'int32');
    assert.equal((await read('tf.constant([1, 3000000000])')).dtype, 'int64');
    assert.equal((await read('tf.constant([1.5])')).dtype, 'float32');
    assert.equal((await read('[True, False]')).dtype, 'bool');
  });

  it('rounds to the printed dtype as the library would', async () => {
    assert.deepEqual((await read('torch.tensor([0.1, 65519, 65520], dtype=torch.float16)')).data, [0.0999755859375, 65504, Infinity]);
    assert.deepEqual((await read('np.array([3e-8, 2.9e-8], dtype="float16")')).data, [5.960464477539063e-8, 0]);
    assert.deepEqual((await read("tensor([1.00390625, 1.01171875], dtype=torch.bfloat16)")).data, [1, 1.015625]);
    assert.deepEqual((await read('array([0.1], dtype=float32)')).data, [Math.fround(0.1)]);
  });

  it('float16 encoding round-trips every half-precision value', () => {
    const view = new DataView(new ArrayBuffer(2));
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue; // NaN payloads
      view.setUint16(0, h, true);
      const exp = (h >> 10) & 0x1f;
      const frac = h & 0x3ff;
      const sign = h & 0x8000 ? -1 : 1;
      const x = exp === 0 ? sign * frac * 2 ** -24 : exp === 31 ? sign * Infinity : sign * (1 + frac / 1024) * 2 ** (exp - 15);
      assert.equal(float16Bits(x), h, `half 0x${h.toString(16)} (${x})`);
    }
  });

  it('reads the layouts people paste', async () => {
    assert.deepEqual((await read('[[1 2 3]\n [4 5 6]]')).shape, [2, 3]);
    assert.deepEqual((await read('((1, 2), (3, 4),)')).shape, [2, 2]);
    assert.deepEqual((await read('  3.5  ')).shape, []);
    assert.deepEqual((await read('[nan, inf, -inf, -0.0, 1e3, .5, 1.]')).data, [NaN, Infinity, -Infinity, -0, 1000, 0.5, 1]);
    assert.deepEqual(await read('array([], shape=(0, 3), dtype=float32)'), { dtype: 'float32', shape: [0, 3], data: [] });
    assert.deepEqual((await read("tensor([[1., 2.]], device='cuda:0', dtype=torch.float64, requires_grad=True)")).dtype, 'float64');
    assert.deepEqual(await read('np.float16(0.1)'), { dtype: 'float16', shape: [], data: [0.0999755859375] });
    assert.deepEqual(await read('np.True_'), { dtype: 'bool', shape: [], data: [1] });
    await rejectsUserError(() => parseTensorLiteral('np.float32([1.5])'), /says shape \(\) but its values form shape \(1\)/);
  });

  it('refuses what is not a dense tensor printout, saying why', async () => {
    await rejectsUserError(() => parseTensorLiteral(''), /empty/);
    await rejectsUserError(() => parseTensorLiteral('os.system("rm -rf /")'), /'os\.system' is not a tensor NormScope reads/);
    await rejectsUserError(() => parseTensorLiteral('[1, 2] + [3]'), /malformed number '\+ '/);
    await rejectsUserError(() => parseTensorLiteral('[[1, 2], [3]]'), /ragged/);
    await rejectsUserError(() => parseTensorLiteral('[1, None]'), /'None'/);
    await rejectsUserError(() => parseTensorLiteral('[1, 2'), /the text ends inside a list/);
    await rejectsUserError(() => parseTensorLiteral('[1, 2)'), /expected '\]'/);
    await rejectsUserError(() => parseTensorLiteral('[1,, 2]'), /expected a value/);
    await rejectsUserError(() => parseTensorLiteral('[1j]'), /a number followed by 'j'/);
    await rejectsUserError(() => parseTensorLiteral('tensor(indices=tensor([[0]]), values=tensor([1.]), size=(1,), nnz=1, layout=torch.sparse_coo)'), /to_dense/);
    await rejectsUserError(() => parseTensorLiteral('tensor([1.], size=(1,), dtype=torch.quint8, quantization_scheme=torch.per_tensor_affine, scale=0.1, zero_point=0)'), /'torch\.quint8' is not supported/);
    await rejectsUserError(() => parseTensorLiteral('tensor([1, 2], dtype=torch.complex64)'), /'torch\.complex64' is not supported/);
    await rejectsUserError(() => parseTensorLiteral("<tf.Tensor: shape=(), dtype=string, numpy=b'abc'>"), /dtype 'string' is not supported/);
    await rejectsUserError(() => parseTensorLiteral('<tf.Tensor: shape=(3,), dtype=float32, numpy=array([1., 2.], dtype=float32)>'), /says shape \(3\) but its values form shape \(2\)/);
    await rejectsUserError(() => parseTensorLiteral('np.array([1.5], dtype=np.int32)'), /declared int32 but holds values that are not integers/);
    await rejectsUserError(() => parseTensorLiteral('np.array([1], ndmin=2)'), /unknown argument 'ndmin='/);
    const started = Date.now();
    await rejectsUserError(() => parseTensorLiteral('['.repeat(100000) + ']'.repeat(100000)), /nested deeper than 64 lists/);
    await rejectsUserError(() => parseTensorLiteral('tensor('.repeat(100000)), /not a dense tensor printout/);
    assert.ok(Date.now() - started < 500);
  });

  it('refuses a summarized printout anywhere in the text, naming the library\'s way to print it whole', async () => {
    await rejectsUserError(() => parseTensorLiteral('array([0., 1., ..., 8., 9.])'), /numpy summarized/, /threshold=sys\.maxsize/);
    await rejectsUserError(() => parseTensorLiteral('tensor([[0., 1., ..., 8., 9.]])'), /PyTorch summarized/, /profile="full"/);
    await rejectsUserError(() => parseTensorLiteral('<tf.Tensor: shape=(2000,), dtype=float32, numpy=array([0., ..., 9.], dtype=float32)>'), /TensorFlow summarized/, /t\.numpy\(\)/);
  });

  it('reads a large selection quickly', async () => {
    const n = 500_000;
    const text = `array([${Array.from({ length: n }, (_, i) => (i % 1000) / 8).join(', ')}], dtype=float32)`;
    const started = Date.now();
    const entry = parseTensorLiteral(text).entries[0];
    assert.equal(entry.byteLength, 4 * n);
    assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
  });
});
