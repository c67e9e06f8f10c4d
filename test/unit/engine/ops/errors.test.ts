/** Mistakes a user can make are EngineErrors whose message names the numbers involved. */
import * as assert from 'node:assert/strict';
import { EngineError } from '../../../../src/engine/errors';
import type { DenseTensor } from '../../../../src/engine/tensor';
import { batchNorm, groupNorm, instanceNorm, layerNorm, minMax, rmsNorm } from '../../../../src/engine/ops';
import { runOnnxNode } from '../../../../src/engine/ops/onnx';

function t(shape: number[], values?: number[]): DenseTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'float32', shape, data: Float32Array.from(values ?? Array.from({ length: n }, (_, i) => (i * 7) % 5)) };
}

function throwsEngineError(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EngineError, `expected an EngineError, got ${String(e)}`);
    for (const p of parts) assert.match(e.message, typeof p === 'string' ? new RegExp(p.replace(/[[\]().*+?]/g, '\\$&')) : p);
    return true;
  });
}

describe('normalization user errors', () => {
  it('BatchNorm training with one value per channel names the shape, channels and count', () => {
    throwsEngineError(() => batchNorm(t([1, 3])), 'Expected more than 1 value per channel when training', '[1, 3]', '3 channels', '1 value');
    // eval mode with running statistics is fine on the same tensor
    assert.equal(batchNorm(t([1, 3]), { mode: 'eval', runningMean: t([3]), runningVar: t([3], [1, 1, 1]) }).y.data.length, 3);
  });

  it('groups that do not divide the channels', () => {
    throwsEngineError(() => groupNorm(t([2, 6, 3]), { groups: 4 }), 'groups 4', '6 channels', '[2, 6, 3]');
    throwsEngineError(() => groupNorm(t([2, 6, 3]), { groups: 0 }), 'groups 0');
  });

  it('scale, bias and running statistics of the wrong shape', () => {
    throwsEngineError(() => batchNorm(t([2, 3, 4]), { scale: t([4]) }), 'scale', '[4]', '3 channels');
    throwsEngineError(() => instanceNorm(t([2, 3, 4]), { bias: t([2, 3]) }), 'bias', '[2, 3]', '3 channels');
    throwsEngineError(() => groupNorm(t([2, 6, 3]), { groups: 2, scale: t([3]) }), 'scale', '[3]', '6 (per channel) or 2 (per group)');
    throwsEngineError(() => layerNorm(t([2, 3, 4]), { normalizedShape: [3, 4], scale: t([4, 3]) }), '[4, 3]', 'normalized shape [3, 4]');
    throwsEngineError(() => batchNorm(t([2, 3, 4]), { runningMean: t([2]), runningVar: t([3]) }), 'running_mean', '[2]', '3 channels');
    throwsEngineError(() => batchNorm(t([2, 3, 4]), { runningMean: t([3]) }), 'only running_mean');
    throwsEngineError(() => layerNorm(t([2, 3, 4]), { gradY: t([2, 4, 3]) }), 'grad_y', '[2, 4, 3]', '[2, 3, 4]');
  });

  it('a negative running variance names the channel and value', () => {
    throwsEngineError(() => batchNorm(t([2, 3]), { mode: 'eval', runningMean: t([3]), runningVar: t([3], [1, -0.5, 1]) }),
      'running_var[1] is -0.5');
  });

  it('an empty tensor names its shape', () => {
    throwsEngineError(() => batchNorm(t([0, 3])), '[0, 3]', 'no elements');
    throwsEngineError(() => layerNorm(t([2, 0])), '[2, 0]', 'no elements');
  });

  it('axes, eps, momentum, range and mode mistakes', () => {
    throwsEngineError(() => layerNorm(t([2, 3, 4]), { normalizedShape: [4, 3] }), 'normalized_shape [4, 3]', '[2, 3, 4]');
    throwsEngineError(() => layerNorm(t([2, 3]), { axis: 2 }), 'axis 2', 'rank 2');
    throwsEngineError(() => layerNorm(t([2, 3]), { axes: [1, -1] }), 'names axis 1 twice');
    throwsEngineError(() => layerNorm(t([2, 3]), { axis: 1, axes: [1] }), 'not axis and axes');
    throwsEngineError(() => batchNorm(t([2, 3]), { channelAxis: 3 }), 'channel axis 3', 'rank 2');
    throwsEngineError(() => rmsNorm(t([2, 3]), { eps: -1 }), 'eps', '-1');
    throwsEngineError(() => batchNorm(t([2, 3]), { runningMean: t([3]), runningVar: t([3]), update: { convention: 'keras', momentum: null } }),
      'momentum none', 'keras');
    throwsEngineError(() => batchNorm(t([2, 3]), { runningMean: t([3]), runningVar: t([3]), update: { momentum: 1.5 } }), 'momentum', '1.5');
    throwsEngineError(() => batchNorm(t([2, 3]), { runningMean: t([3]), runningVar: t([3]), update: { numBatchesTracked: -2 } }), '-2');
    throwsEngineError(() => batchNorm(t([2, 3]), { mode: 'eval' }), 'eval mode', 'running_mean and running_var');
    throwsEngineError(() => minMax(t([2, 3]), { range: [1, 0] }), 'a < b', '1,0');
    throwsEngineError(() => instanceNorm(t([2, 3, 1]), { runningMean: t([3]), runningVar: t([3]) }), 'more than 1 spatial element', '1 value');
  });

  it('ONNX nodes with missing attributes or unsupported variants', () => {
    throwsEngineError(() => runOnnxNode({ op: 'GroupNormalization', attributes: {}, inputs: new Map([['X', t([2, 4, 2])]]) }), 'num_groups');
    throwsEngineError(() => runOnnxNode({ op: 'LpNormalization', attributes: {}, inputs: new Map() }), 'LpNormalization');
    throwsEngineError(() => runOnnxNode({ op: 'InstanceNormalization', attributes: { layout: 'nwhc' }, inputs: new Map([['input', t([2, 4, 2])]]) }), 'nwhc');
  });
});
