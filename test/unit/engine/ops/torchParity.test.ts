/** Every operation and mode against real torch.nn layers computed in float64 (test/fixtures/torch/ops.json). */
import * as assert from 'node:assert/strict';
import { batchNormRunningSequence, runNormalization, type NormalizationResult } from '../../../../src/engine/ops';
import { assertMatchesTorch, loadTorchCases, requestOf, STATISTICS, STATISTICS_TOLERANCE, TORCH_TOLERANCE, type TorchCase } from './torchCases';

/** The engine's value for each output name the fixtures use (the CLI's file names). */
function outputsOf(r: NormalizationResult): Record<string, { shape: readonly number[]; values: ArrayLike<number> } | undefined> {
  const s = r.statistics;
  const perGroup = (values: Float64Array | undefined) => (values ? { shape: s.shape, values } : undefined);
  return {
    y: { shape: r.y.shape, values: r.y.data },
    mean: perGroup(s.mean),
    var: perGroup(s.variance),
    invstd: perGroup(s.invstd),
    rstd: perGroup(r.extra.rstd),
    min: perGroup(r.extra.min),
    max: perGroup(r.extra.max),
    running_mean: r.running && { shape: [r.running.mean.length], values: r.running.mean },
    running_var: r.running && { shape: [r.running.variance.length], values: r.running.variance },
    dx: r.gradients && { shape: r.gradients.dx.shape, values: r.gradients.dx.data },
    dscale: r.gradients && { shape: r.gradients.dscale.shape, values: r.gradients.dscale.data },
    dbias: r.gradients && { shape: r.gradients.dbias.shape, values: r.gradients.dbias.data },
  };
}

function checkSequence(c: TorchCase & { steps: NonNullable<TorchCase['steps']> }): void {
  const request = requestOf(c);
  assert.equal(request.op, 'batchnorm');
  if (request.op !== 'batchnorm') return;
  const steps = batchNormRunningSequence(request.x, request.options, c.steps);
  const last = steps[steps.length - 1];
  assertMatchesTorch({ shape: [last.mean.length], values: last.mean }, c.expected.running_mean, 'running_mean', STATISTICS_TOLERANCE);
  assertMatchesTorch({ shape: [last.variance.length], values: last.variance }, c.expected.running_var, 'running_var', STATISTICS_TOLERANCE);
  assert.equal(last.numBatchesTracked, c.expected_num_batches_tracked);
}

describe('normalization operations match PyTorch (float64 reference)', () => {
  const cases = loadTorchCases();

  it('covers every operation, both modes, backward, channels-last, float16, momentum=None and multi-step updates', () => {
    const ops = new Set(cases.map((c) => c.op));
    assert.deepEqual([...ops].sort(), ['batchnorm', 'groupnorm', 'instancenorm', 'layernorm', 'minmax', 'rmsnorm', 'zscore']);
    assert.ok(cases.some((c) => c.options.mode === 'eval' && c.op === 'batchnorm' && c.expected.dx));
    assert.ok(cases.some((c) => c.options.momentum === null && !c.steps));
    assert.ok(cases.some((c) => c.inputs.x.dtype === 'float16'));
    assert.ok(cases.some((c) => c.steps && 'split' in c.steps));
  });

  for (const c of cases) {
    it(`${c.id}: ${c.what}`, () => {
      if (c.steps) {
        checkSequence({ ...c, steps: c.steps });
        return;
      }
      const outputs = outputsOf(runNormalization(requestOf(c)));
      for (const [name, expected] of Object.entries(c.expected)) {
        const actual = outputs[name];
        assert.ok(actual, `${c.id}: the engine gives no ${name}`);
        assertMatchesTorch(actual, expected, `${c.id} ${name}`, STATISTICS.includes(name) ? STATISTICS_TOLERANCE : TORCH_TOLERANCE);
      }
    });
  }
});
