/** Values and conventions beyond the PyTorch fixtures: dtypes, NaN propagation, warnings, broadcasting. */
import * as assert from 'node:assert/strict';
import type { DenseTensor } from '../../../../src/engine/tensor';
import { batchNorm, layerNorm, minMax, rmsNorm, zScore } from '../../../../src/engine/ops';
import { assertClose } from '../../helpers';

const f64 = (shape: number[], values: number[]): DenseTensor => ({ dtype: 'float64', shape, data: Float64Array.from(values) });

describe('normalization behaviour', () => {
  it('integer input computes in float64 and returns float32 (torch: F.batch_norm on [[1,2],[3,4]])', () => {
    const x: DenseTensor = { dtype: 'int8', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) };
    const r = batchNorm(x);
    assert.equal(r.y.dtype, 'float32');
    assert.ok(r.y.data instanceof Float32Array);
    const torch = [-0.9999950000374997, -0.9999950000374995, 0.9999950000374997, 0.9999950000375];
    torch.forEach((v, i) => assertClose(r.y.data[i], v, 1e-7, 0, `y[${i}]`));
    assert.equal(batchNorm(f64([2, 2], [1, 2, 3, 4])).y.dtype, 'float64');
  });

  it('LayerNorm of one row equals torch.nn.functional.layer_norm', () => {
    const y = layerNorm(f64([1, 4], [0.5, -1, 2, 4])).y.data;
    [-0.4730154737159826, -1.2838991429433815, 0.3378681955114161, 1.4190464211479479].forEach((v, i) => assertClose(y[i], v, 1e-14, 0, `y[${i}]`));
  });

  it('a NaN poisons only its own statistics group, as in the frameworks', () => {
    const clean = batchNorm(f64([2, 2], [1, 2, 3, 4]));
    const dirty = batchNorm(f64([2, 2], [NaN, 2, 3, 4]));
    assert.ok(Number.isNaN(dirty.y.data[0]) && Number.isNaN(dirty.y.data[2]));
    assert.equal(dirty.y.data[1], clean.y.data[1]);
    assert.equal(dirty.y.data[3], clean.y.data[3]);
    assert.ok(Number.isNaN(dirty.statistics.mean[0]));
  });

  it('RMSNorm with an infinity gives 0 for finite values and NaN for the infinity (x·rsqrt(inf))', () => {
    const y = rmsNorm(f64([1, 3], [Infinity, 2, -1])).y.data;
    assert.ok(Number.isNaN(y[0]));
    assert.equal(y[1], 0);
    assert.equal(Math.abs(y[2]), 0);
  });

  it('RMSNorm eps=None is the machine epsilon of the input dtype', () => {
    const x: DenseTensor = { dtype: 'float16', shape: [1, 2], data: Float32Array.of(0, 0) };
    assertClose(rmsNorm(x, { eps: null }).extra.rstd?.[0] ?? NaN, 1 / Math.sqrt(2 ** -10), 1e-15, 0, 'float16 rstd');
    const x32: DenseTensor = { dtype: 'float32', shape: [1, 2], data: Float32Array.of(0, 0) };
    assertClose(rmsNorm(x32, { eps: null }).extra.rstd?.[0] ?? NaN, 1 / Math.sqrt(1.1920928955078125e-7), 1e-15, 0, 'float32 rstd');
  });

  it('min-max maps a constant feature to a and says so; z-score maps it to 0', () => {
    const x = f64([3, 2], [1, 5, 2, 5, 3, 5]);
    const mm = minMax(x, { range: [-1, 1] });
    assert.deepEqual(Array.from(mm.y.data), [-1, -1, 0, -1, 1, -1]);
    assert.match(mm.warnings[0], /1 of 2 features are constant \(feature 1\): min-max maps them to -1/);
    const z = zScore(x);
    assert.deepEqual(Array.from(z.y.data).filter((_, i) => i % 2 === 1), [0, 0, 0]);
    assert.match(z.warnings[0], /feature 1/);
    assert.deepEqual(Array.from(minMax(x, { featureAxis: null }).y.data), [0, 1, 0.25, 1, 0.5, 1]);
  });

  it('a broadcast LayerNorm scale gets its gradient summed back to its own shape', () => {
    const x = f64([2, 2, 3], [1, 4, 2, 8, 5, 7, 3, 3, 9, 0, 1, 6]);
    const dy = f64([2, 2, 3], [0.5, -1, 2, 1, 0, -2, 3, 1, 1, -1, 0.25, 2]);
    const rowScale = f64([1, 3], [2, -1, 0.5]);
    const fullScale = f64([2, 3], [2, -1, 0.5, 2, -1, 0.5]);
    const broadcast = layerNorm(x, { normalizedShape: [2, 3], scale: rowScale, gradY: dy });
    const full = layerNorm(x, { normalizedShape: [2, 3], scale: fullScale, gradY: dy });
    assert.deepEqual(Array.from(broadcast.y.data), Array.from(full.y.data));
    assert.deepEqual(broadcast.gradients?.dscale.shape, [1, 3]);
    const summed = [0, 1, 2].map((k) => (full.gradients?.dscale.data[k] ?? NaN) + (full.gradients?.dscale.data[k + 3] ?? NaN));
    summed.forEach((v, k) => assertClose(broadcast.gradients?.dscale.data[k] ?? NaN, v, 1e-14, 1e-14, `dscale[${k}]`));
    assert.deepEqual(Array.from(broadcast.gradients?.dx.data ?? []), Array.from(full.gradients?.dx.data ?? []));
  });

  it('eval-mode statistics are the running statistics that normalized y', () => {
    const r = batchNorm(f64([2, 2], [1, 2, 3, 4]), { mode: 'eval', runningMean: f64([2], [1, 2]), runningVar: f64([2], [4, 0.25]), eps: 0 });
    assert.equal(r.statistics.source, 'running');
    assert.deepEqual(Array.from(r.statistics.invstd), [0.5, 2]);
    assert.deepEqual(Array.from(r.y.data), [0, 0, 1, 4]);
  });
});
