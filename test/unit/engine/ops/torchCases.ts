/**
 * The PyTorch fixtures (test/fixtures/torch/ops.json, made by scripts/fixtures/gen_torch_ops.py): loading, the
 * engine request each case stands for, and the comparison rule 1e-6 + 1e-5·|ref| the issue sets.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { DType } from '../../../../src/engine/dtype';
import type { DenseTensor } from '../../../../src/engine/tensor';
import type { NormalizationRequest, NormalizedAxes } from '../../../../src/engine/ops';
import type { UpdateSchedule } from '../../../../src/engine/ops/runningSequence';
import { assertClose, fixture } from '../../helpers';

export interface FixtureTensor {
  dtype: DType;
  shape: number[];
  data: number[];
}

export interface TorchCase {
  id: string;
  op: NormalizationRequest['op'];
  what: string;
  options: {
    mode?: 'train' | 'eval';
    eps?: number | null;
    momentum?: number | null;
    convention?: 'pytorch' | 'keras';
    num_batches_tracked?: number;
    channel_axis?: number;
    normalized_shape?: number[];
    axes?: number[];
    groups?: number;
    range?: [number, number];
  };
  steps?: UpdateSchedule;
  inputs: Record<string, FixtureTensor>;
  expected: Record<string, FixtureTensor>;
  expected_num_batches_tracked?: number;
}

/** Outputs against a float64 reference (SEMANTICS.md "Accuracy"). */
export const TORCH_TOLERANCE = { atol: 1e-6, rtol: 1e-5 };
/** Statistics are float64 and must agree with a float64 reference to 1e-9 relative. */
export const STATISTICS_TOLERANCE = { atol: 1e-12, rtol: 1e-9 };
export const STATISTICS = ['mean', 'var', 'invstd', 'rstd', 'min', 'max', 'running_mean', 'running_var'];

export function loadTorchCases(): TorchCase[] {
  return (JSON.parse(fs.readFileSync(fixture('torch', 'ops.json'), 'utf8')) as { cases: TorchCase[] }).cases;
}

/** The fixture's values in the array type the decoder gives that dtype (float64 only for float64 here). */
export function toDense(t: FixtureTensor): DenseTensor {
  return { dtype: t.dtype, shape: t.shape, data: t.dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data) };
}

function optional(c: TorchCase, name: string): DenseTensor | undefined {
  return c.inputs[name] ? toDense(c.inputs[name]) : undefined;
}

function axesOf(c: TorchCase): NormalizedAxes {
  return { axes: c.options.axes, normalizedShape: c.options.normalized_shape };
}

export function requestOf(c: TorchCase): NormalizationRequest {
  const o = c.options;
  const x = toDense(c.inputs.x);
  const scale = optional(c, 'scale');
  const bias = optional(c, 'bias');
  const running = { runningMean: optional(c, 'running_mean'), runningVar: optional(c, 'running_var') };
  const update = { convention: o.convention, momentum: o.momentum, numBatchesTracked: o.num_batches_tracked };
  const eps = o.eps ?? undefined;
  switch (c.op) {
    case 'batchnorm':
      return { op: c.op, x, options: { mode: o.mode, eps, channelAxis: o.channel_axis, scale, bias, ...running, update, gradY: optional(c, 'grad_y') } };
    case 'instancenorm':
      return { op: c.op, x, options: { mode: o.mode, eps, channelAxis: o.channel_axis, scale, bias, ...running, update } };
    case 'groupnorm':
      return { op: c.op, x, options: { groups: o.groups ?? 1, eps, channelAxis: o.channel_axis, scale, bias } };
    case 'layernorm':
      return { op: c.op, x, options: { ...axesOf(c), eps, scale, bias, gradY: optional(c, 'grad_y') } };
    case 'rmsnorm':
      return { op: c.op, x, options: { ...axesOf(c), eps: o.eps, scale } };
    case 'zscore':
      return { op: c.op, x, options: { featureAxis: o.channel_axis, eps } };
    case 'minmax':
      return { op: c.op, x, options: { featureAxis: o.channel_axis, range: o.range } };
  }
}

/** Every element within atol + rtol·|ref| of PyTorch's float64 answer, in the same shape. */
export function assertMatchesTorch(actual: { shape: readonly number[]; values: ArrayLike<number> }, expected: FixtureTensor, what: string,
  tolerance = TORCH_TOLERANCE): void {
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  assert.equal(actual.values.length, expected.data.length, `${what}: element count`);
  for (let i = 0; i < expected.data.length; i++) {
    assertClose(actual.values[i], expected.data[i], tolerance.rtol, tolerance.atol, `${what}[${i}]`);
  }
}
