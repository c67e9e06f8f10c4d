/**
 * `node dist/cli.js normalize` end to end: the PyTorch fixtures written as .npy, run through the CLI, outputs read
 * back and compared with torch's float64 answers; user errors follow the CLI contract.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDenseTensor } from '../../../src/node/tensorFiles';
import { assertMatchesTorch, loadTorchCases, STATISTICS, STATISTICS_TOLERANCE, toDense, TORCH_TOLERANCE, type TorchCase } from '../engine/ops/torchCases';
import { assertUserError, runCli, tempDir, writeTensor } from './cliRun';

const INPUT_FLAGS: Record<string, string> = {
  x: '--x', scale: '--scale', bias: '--bias', running_mean: '--running-mean', running_var: '--running-var', grad_y: '--grad-y',
};

function optionFlags(c: TorchCase): string[] {
  const o = c.options;
  const flags = ['--op', c.op];
  const add = (name: string, value: unknown) => {
    if (value !== undefined) flags.push(`--${name}`, value === null ? 'none' : Array.isArray(value) ? value.join(',') : String(value));
  };
  add('mode', o.mode);
  add('eps', o.eps);
  if (c.op === 'batchnorm' || c.op === 'instancenorm') {
    add('momentum', o.momentum);
    add('convention', o.convention);
    add('num-batches-tracked', o.num_batches_tracked);
  }
  add('channel-axis', o.channel_axis);
  add('normalized-shape', o.normalized_shape);
  add('groups', o.groups);
  add('range', o.range);
  return flags;
}

/** Cases the CLI can express: one step, .npy-writable inputs (float32/float64), no WebNN axes list. */
function cliExpressible(c: TorchCase): boolean {
  return !c.steps && !c.options.axes && Object.values(c.inputs).every((t) => t.dtype === 'float32' || t.dtype === 'float64');
}

describe('CLI normalize', () => {
  const root = tempDir('normscope-normalize-');
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  for (const c of loadTorchCases().filter(cliExpressible)) {
    it(`${c.id} matches PyTorch through .npy files`, async () => {
      const dir = path.join(root, c.id);
      fs.mkdirSync(dir);
      const args = optionFlags(c);
      for (const [name, t] of Object.entries(c.inputs)) {
        const file = path.join(dir, `${name}.npy`);
        await writeTensor(file, toDense(t));
        args.push(INPUT_FLAGS[name], file);
      }
      const out = path.join(dir, 'out');
      const r = runCli(['normalize', ...args, '--out', out]);
      assert.equal(r.status, 0, r.stderr);
      const written = fs.readdirSync(out).map((f) => f.replace(/\.npy$/, ''));
      for (const [name, expected] of Object.entries(c.expected)) {
        assert.ok(written.includes(name), `${name}.npy was not written (got ${written.join(', ')})`);
        const t = await readDenseTensor(path.join(out, `${name}.npy`));
        const statistic = STATISTICS.includes(name);
        assert.equal(t.dtype, !statistic && c.inputs.x.dtype !== 'float64' ? 'float32' : 'float64', `${name} dtype`);
        assertMatchesTorch({ shape: t.shape, values: t.data }, expected, `${c.id} ${name}`, statistic ? STATISTICS_TOLERANCE : TORCH_TOLERANCE);
      }
    });
  }

  it('writes exactly y, mean, var, invstd and the running statistics for BatchNorm training', async () => {
    const dir = path.join(root, 'files');
    fs.mkdirSync(dir);
    await writeTensor(path.join(dir, 'x.npy'), { dtype: 'float32', shape: [4, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 9) });
    await writeTensor(path.join(dir, 'm.npy'), { dtype: 'float32', shape: [2], data: Float32Array.of(0, 0) });
    await writeTensor(path.join(dir, 'v.npy'), { dtype: 'float32', shape: [2], data: Float32Array.of(1, 1) });
    const out = path.join(dir, 'out');
    const r = runCli(['normalize', '--op', 'batchnorm', '--x', path.join(dir, 'x.npy'), '--running-mean', path.join(dir, 'm.npy'),
      '--running-var', path.join(dir, 'v.npy'), '--convention', 'keras', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(fs.readdirSync(out).sort(), ['invstd.npy', 'mean.npy', 'running_mean.npy', 'running_var.npy', 'var.npy', 'y.npy']);
    assert.match(r.stdout, /keras convention, batch weight 0\.01\d*, biased variance/);
    // numpy: x[:, 0] = [1, 3, 5, 7]: mean 4, var 5; Keras: 0.99·0 + 0.01·4, 0.99·1 + 0.01·5
    const rm = await readDenseTensor(path.join(out, 'running_mean.npy'));
    const rv = await readDenseTensor(path.join(out, 'running_var.npy'));
    assert.ok(Math.abs(rm.data[0] - 0.04) < 1e-7 && Math.abs(rv.data[0] - 1.04) < 1e-7, `${rm.data[0]} ${rv.data[0]}`);
  });

  it('user errors exit 2 with one error line', async () => {
    const dir = path.join(root, 'errors');
    fs.mkdirSync(dir);
    const x = path.join(dir, 'x.npy');
    await writeTensor(x, { dtype: 'float32', shape: [1, 3], data: Float32Array.of(1, 2, 3) });
    const out = path.join(dir, 'out');
    assertUserError(runCli(['normalize', '--op', 'batchnorm', '--x', x, '--out', out]), /more than 1 value per channel.*3 channels/);
    assertUserError(runCli(['normalize', '--op', 'groupnorm', '--groups', '2', '--x', x, '--out', out]), /groups 2 does not divide the 3 channels/);
    assertUserError(runCli(['normalize', '--op', 'groupnorm', '--x', x, '--out', out]), /needs --groups/);
    assertUserError(runCli(['normalize', '--op', 'batchnorm', '--x', x]), /needs --x and --out/);
    assertUserError(runCli(['normalize', '--op', 'softmax', '--x', x, '--out', out]), /--op must be one of .*batchnorm/);
    assertUserError(runCli(['normalize', '--op', 'layernorm', '--x', path.join(dir, 'missing.npy'), '--out', out]), /missing\.npy/);
    assertUserError(runCli(['normalize', '--op', 'layernorm', '--x', x, '--eps', 'none', '--out', out]), /--eps none .* rmsnorm only/);
    assertUserError(runCli(['normalize', '--op', 'minmax', '--x', x, '--range', '0,1,2', '--out', out]), /--range must be two numbers/);
    assertUserError(runCli(['normalize', '--op', 'batchnorm', '--x', x, '--mode', 'test', '--out', out]), /--mode must be one of train, eval/);
  });

  it('documents the eval-mode statistics in --help', () => {
    const r = runCli(['normalize', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /In eval mode .* mean, var and invstd are the running/s);
  });
});
