/**
 * Identities that must hold for any tensor, checked with fast-check on a fixed seed: chunked statistics merge to
 * the one-pass ones, GroupNorm's two extremes are LayerNorm and InstanceNorm, the inverse affine map gives the
 * input back, the two momentum conventions agree, and the channel axis can sit anywhere.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { GroupMoments } from '../../../../src/engine/moments';
import { elementCount, type DenseTensor } from '../../../../src/engine/tensor';
import { batchNorm, groupNorm, instanceNorm, layerNorm, type NormalizationResult } from '../../../../src/engine/ops';
import { permute } from '../../../../src/engine/ops/permute';
import { assertClose, seeded } from '../../helpers';

const RUNS = { seed: 20260404, numRuns: 60 };

/** A float64 tensor of `shape` with per-element values mean + spread·u, u uniform in [-1, 1). */
function tensorOf(shape: number[], seed: number, mean = 0, spread = 1): DenseTensor {
  const rand = seeded(seed);
  const data = new Float64Array(elementCount(shape));
  for (let i = 0; i < data.length; i++) data[i] = mean + spread * (2 * rand() - 1);
  return { dtype: 'float64', shape, data };
}

const dim = fc.integer({ min: 1, max: 5 });
const seedArb = fc.integer({ min: 1, max: 2 ** 31 - 1 });
/** (N, C, spatial…) with N·spatial >= 2 so that BatchNorm can train. */
const nchw = fc.tuple(fc.integer({ min: 2, max: 4 }), dim, fc.array(dim, { minLength: 0, maxLength: 2 }))
  .map(([n, c, spatial]) => [n, c, ...spatial]);

function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rtol = 1e-12, atol = 1e-12): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) assertClose(actual[i], expected[i], rtol, atol, `${what}[${i}]`);
}

function sameOutputs(a: NormalizationResult, b: NormalizationResult, what: string): void {
  assertAllClose(a.y.data, b.y.data, `${what} y`);
  assertAllClose(a.statistics.mean, b.statistics.mean, `${what} mean`);
  assertAllClose(a.statistics.invstd, b.statistics.invstd, `${what} invstd`, 1e-9);
}

describe('normalization properties (fast-check, fixed seed)', () => {
  it('statistics merged from arbitrary chunks equal the one-pass statistics and a two-pass reference', () => {
    fc.assert(fc.property(nchw, seedArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }), (shape, seed, cuts) => {
      const x = tensorOf(shape, seed, 1e4, 1e-2);
      const channels = shape[1];
      const inner = elementCount(shape.slice(2));
      const map = { run: inner, mod: channels };
      const whole = new GroupMoments(channels).add(x.data, 0, map);
      const bounds = [0, ...cuts.map((u) => Math.floor(u * x.data.length)).sort((p, q) => p - q), x.data.length];
      const merged = new GroupMoments(channels);
      for (let k = 0; k + 1 < bounds.length; k++) {
        merged.merge(new GroupMoments(channels).add(x.data.subarray(bounds[k], bounds[k + 1]), bounds[k], map));
      }
      for (let c = 0; c < channels; c++) {
        const values = Array.from(x.data).filter((_, e) => Math.floor(e / inner) % channels === c);
        const mean = values.reduce((s, v) => s + v, 0) / values.length;
        const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
        assertClose(merged.mean[c], whole.mean[c], 1e-15, 0, `mean[${c}]`);
        assertClose(merged.variance(c), whole.variance(c), 1e-9, 0, `merged var[${c}]`);
        assertClose(whole.variance(c), variance, 1e-9, 0, `two-pass var[${c}]`);
      }
    }), RUNS);
  });

  it('GroupNorm with one group equals LayerNorm over (C, spatial…)', () => {
    fc.assert(fc.property(nchw, seedArb, (shape, seed) => {
      const x = tensorOf(shape, seed);
      const g = groupNorm(x, { groups: 1 });
      const l = layerNorm(x, { axis: 1 });
      sameOutputs(g, l, 'groups=1');
    }), RUNS);
  });

  it('GroupNorm with C groups equals InstanceNorm, with the same per-channel affine', () => {
    fc.assert(fc.property(nchw, seedArb, (shape, seed) => {
      const x = tensorOf(shape, seed);
      const c = shape[1];
      const scale = tensorOf([c], seed + 1);
      const bias = tensorOf([c], seed + 2);
      sameOutputs(groupNorm(x, { groups: c, scale, bias }), instanceNorm(x, { scale, bias }), 'groups=C');
    }), RUNS);
  });

  it('γ = sqrt(σ² + eps) and β = μ give the input back (BatchNorm train and eval, LayerNorm of one row)', () => {
    fc.assert(fc.property(nchw, seedArb, fc.double({ min: 0, max: 0.1, noNaN: true }), (shape, seed, eps) => {
      const x = tensorOf(shape, seed, 3, 2);
      const c = shape[1];
      const train = batchNorm(x, { eps });
      const s = train.statistics;
      const undo = (mean: Float64Array, variance: Float64Array) => ({
        scale: { dtype: 'float64' as const, shape: [c], data: variance.map((v) => Math.sqrt(v + eps)) },
        bias: { dtype: 'float64' as const, shape: [c], data: mean },
      });
      assertAllClose(batchNorm(x, { eps, ...undo(s.mean, s.variance) }).y.data, x.data, 'train', 1e-9, 1e-9);
      const runningMean = tensorOf([c], seed + 1);
      const runningVar = { ...tensorOf([c], seed + 2, 2, 1) };
      const evalUndo = undo(Float64Array.from(runningMean.data), Float64Array.from(runningVar.data));
      assertAllClose(batchNorm(x, { mode: 'eval', eps, runningMean, runningVar, ...evalUndo }).y.data, x.data, 'eval', 1e-9, 1e-9);
      const row = layerNorm(x, { axis: 0, eps }).statistics;
      const lnUndo = {
        scale: { dtype: 'float64' as const, shape: [], data: Float64Array.of(Math.sqrt(row.variance[0] + eps)) },
        bias: { dtype: 'float64' as const, shape: [], data: Float64Array.of(row.mean[0]) },
      };
      assertAllClose(layerNorm(x, { axis: 0, eps, ...lnUndo }).y.data, x.data, 'layernorm', 1e-9, 1e-9);
    }), RUNS);
  });

  it('the PyTorch and Keras conventions agree when m_keras = 1 - m_pytorch and the variance estimator matches', () => {
    fc.assert(fc.property(nchw, seedArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('biased', 'unbiased'),
      (shape, seed, m, estimator: 'biased' | 'unbiased') => {
        const x = tensorOf(shape, seed);
        const c = shape[1];
        const running = { runningMean: tensorOf([c], seed + 1), runningVar: tensorOf([c], seed + 2, 2, 1) };
        const torch = batchNorm(x, { ...running, update: { convention: 'pytorch', momentum: m, varianceEstimator: estimator } }).running;
        const keras = batchNorm(x, { ...running, update: { convention: 'keras', momentum: 1 - m, varianceEstimator: estimator } }).running;
        assert.ok(torch && keras);
        assertAllClose(keras.mean, torch.mean, 'running_mean', 1e-12, 1e-15);
        assertAllClose(keras.variance, torch.variance, 'running_var', 1e-12, 1e-15);
      }), RUNS);
  });

  it('BatchNorm on any channel axis equals BatchNorm with that axis moved to position 1', () => {
    fc.assert(fc.property(fc.array(dim, { minLength: 2, maxLength: 4 }), seedArb, fc.nat(), (shape, seed, pick) => {
      const axis = pick % shape.length;
      const x = tensorOf(shape, seed);
      const others = shape.map((_, i) => i).filter((i) => i !== axis);
      fc.pre(elementCount(shape) / shape[axis] > 1);
      const perm = [others[0], axis, ...others.slice(1)];
      const moved = batchNorm(permute(x, perm), { channelAxis: 1 });
      const direct = batchNorm(x, { channelAxis: axis });
      assertAllClose(permute(direct.y, perm).data, moved.y.data, 'y');
      assertAllClose(direct.statistics.variance, moved.statistics.variance, 'var');
    }), RUNS);
  });
});
