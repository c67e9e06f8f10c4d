/**
 * `node dist/cli.js conformance`: all 53 public ONNX cases, plus extension and sequence cases built here from
 * core ones (channels moved to another axis, NHWC, WebNN axes lists, several training steps), in the same format
 * as the hidden holdout set.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DenseTensor } from '../../../src/engine/tensor';
import { permute } from '../../../src/engine/ops/permute';
import { readDenseTensor } from '../../../src/node/tensorFiles';
import { repoRoot } from '../helpers';
import { runCli, tempDir, writeTensor } from './cliRun';

const onnxDir = path.resolve(repoRoot, '..', 'shared', 'conformance', 'onnx');

interface CaseTensor { index: number; role: string; name?: string; file: string | null; dtype: string; shape?: number[] }
interface Case {
  id: string; op: string; dir: string; category?: string; attributes: Record<string, unknown>;
  tolerance: { rtol: number; atol: number }; inputs: CaseTensor[]; outputs: CaseTensor[];
  sequence?: { steps: number; checked_after_last_step: string[] };
}

const coreCases = (JSON.parse(fs.readFileSync(path.join(onnxDir, 'manifest.json'), 'utf8')) as { cases: Case[] }).cases;

/** A case derived from a core one: tensors by role, transformed; written under root/cases/<id>. */
class DerivedCase {
  readonly tensors = new Map<string, DenseTensor>();
  readonly entry: Case;

  private constructor(base: Case, id: string) {
    this.entry = { ...structuredClone(base), id, dir: `cases/${id}`, category: 'extension' };
  }

  static async from(baseId: string, id: string): Promise<DerivedCase> {
    const base = coreCases.find((c) => c.id === baseId);
    assert.ok(base, `core case ${baseId}`);
    const d = new DerivedCase(base, id);
    for (const t of [...base.inputs, ...base.outputs]) {
      if (t.file) d.tensors.set(t.role, await readDenseTensor(path.join(onnxDir, base.dir, t.file)));
    }
    return d;
  }

  map(roles: string[], f: (t: DenseTensor) => DenseTensor): this {
    for (const r of roles) this.tensors.set(r, f(this.tensors.get(r) as DenseTensor));
    return this;
  }

  async write(root: string): Promise<Case> {
    const dir = path.join(root, this.entry.dir);
    fs.mkdirSync(dir, { recursive: true });
    for (const t of [...this.entry.inputs, ...this.entry.outputs]) {
      if (!t.file) continue;
      const tensor = this.tensors.get(t.role) as DenseTensor;
      t.shape = tensor.shape;
      await writeTensor(path.join(dir, t.file), tensor);
    }
    return this.entry;
  }
}

/** Per-channel (axis 1) population mean and variance by two passes: the ONNX reference's batch statistics. */
function channelMoments(x: DenseTensor): { mean: number[]; variance: number[] } {
  const [n, c] = x.shape;
  const inner = x.data.length / (n * c);
  const values = (ch: number) => Array.from(x.data).filter((_, e) => Math.floor(e / inner) % c === ch);
  const mean = Array.from({ length: c }, (_, ch) => values(ch).reduce((s, v) => s + v, 0) / (n * inner));
  const variance = mean.map((m, ch) => values(ch).reduce((s, v) => s + (v - m) ** 2, 0) / (n * inner));
  return { mean, variance };
}

async function writeManifest(root: string, cases: Case[]): Promise<void> {
  fs.writeFileSync(path.join(root, 'manifest.json'), JSON.stringify({ schema_version: 1, case_count: cases.length, cases }, null, 1));
}

async function extensionCases(root: string): Promise<Case[]> {
  const nhwc = (t: DenseTensor) => permute(t, [0, 2, 3, 1]);
  const cases: Case[] = [];
  const bnNhwc = await DerivedCase.from('onnx__batchnorm_example', 'ext__batchnorm_nhwc');
  bnNhwc.entry.attributes.layout = 'nhwc';
  cases.push(await bnNhwc.map(['X', 'Y'], nhwc).write(root));

  const bnAxis2 = await DerivedCase.from('onnx__batchnorm_epsilon_training_mode', 'ext__batchnorm_training_channel_axis_2');
  bnAxis2.entry.attributes.channel_axis = 2;
  cases.push(await bnAxis2.map(['X', 'Y'], (t) => permute(t, [0, 2, 1, 3])).write(root));

  const inNhwc = await DerivedCase.from('onnx__instancenorm_epsilon', 'ext__instancenorm_channel_axis_3');
  inNhwc.entry.attributes.channel_axis = 3;
  cases.push(await inNhwc.map(['input', 'output'], nhwc).write(root));

  const gnNhwc = await DerivedCase.from('onnx__group_normalization_example', 'ext__groupnorm_nhwc');
  gnNhwc.entry.attributes.layout = 'nhwc';
  cases.push(await gnNhwc.map(['X', 'Y'], nhwc).write(root));

  // WebNN axes in reverse order: γ/β dims follow the order listed, so they are transposed too
  const lnReversed = await DerivedCase.from('onnx__layer_normalization_4d_axis2', 'ext__layernorm_axes_3_2');
  Object.assign(lnReversed.entry.attributes, { axis: null, axes: [3, 2] });
  cases.push(await lnReversed.map(['Scale', 'B'], (t) => permute(t, [1, 0])).write(root));

  // axes that are not trailing: (2, 3, 5) over axes 1, 2 becomes (3, 2, 5) over axes 0, 2
  const lnSplit = await DerivedCase.from('onnx__layer_normalization_3d_axis1_epsilon', 'ext__layernorm_axes_0_2');
  Object.assign(lnSplit.entry.attributes, { axis: null, axes: [0, 2] });
  lnSplit.map(['X', 'Y'], (t) => permute(t, [1, 0, 2])).map(['Mean', 'InvStdDev'], (t) => ({ ...t, shape: [1, 2, 1] }));
  cases.push(await lnSplit.write(root));

  // three training steps on the same batch; Y is deliberately wrong on disk and not listed, so it is not compared
  const seq = await DerivedCase.from('onnx__batchnorm_example_training_mode', 'seq__batchnorm_training_3_steps');
  seq.entry.sequence = { steps: 3, checked_after_last_step: ['running_mean', 'running_var'] };
  const x = seq.tensors.get('X') as DenseTensor;
  const batch = channelMoments(x);
  let rm = Array.from((seq.tensors.get('input_mean') as DenseTensor).data);
  let rv = Array.from((seq.tensors.get('input_var') as DenseTensor).data);
  for (let step = 0; step < 3; step++) {
    rm = rm.map((r, c) => 0.9 * r + 0.1 * batch.mean[c]);
    rv = rv.map((r, c) => 0.9 * r + 0.1 * batch.variance[c]);
  }
  seq.map(['running_mean'], (t) => ({ ...t, data: Float32Array.from(rm) }))
    .map(['running_var'], (t) => ({ ...t, data: Float32Array.from(rv) }))
    .map(['Y'], (t) => ({ ...t, data: new Float32Array(t.data.length) }));
  cases.push(await seq.write(root));
  return cases;
}

describe('CLI conformance', () => {
  const roots: string[] = [];
  after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

  it('passes all 53 public ONNX cases', () => {
    const r = runCli(['conformance', onnxDir]);
    assert.equal(r.stdout.trimEnd().split('\n').pop(), '53 passed, 0 failed', r.stdout);
    assert.equal(r.status, 0);
  });

  it('passes extension (channel_axis, nhwc, axes) and sequence cases built from core ones', async () => {
    const root = tempDir('normscope-conformance-');
    roots.push(root);
    const cases = await extensionCases(root);
    await writeManifest(root, cases);
    const r = runCli(['conformance', root]);
    assert.equal(r.stdout, `${cases.length} passed, 0 failed\n`);
    assert.equal(r.status, 0);
  });

  it('reports a failing case with its output and exits 1', async () => {
    const root = tempDir('normscope-conformance-bad-');
    roots.push(root);
    const bad = await DerivedCase.from('onnx__layer_normalization_2d_axis1', 'bad__layernorm_shifted_mean');
    const good = await DerivedCase.from('onnx__rms_normalization_2d_axis1', 'good__rmsnorm');
    bad.map(['Mean'], (t) => ({ ...t, data: t.data.map((v) => v + 0.01) }));
    await writeManifest(root, [await bad.write(root), await good.write(root)]);
    const r = runCli(['conformance', root]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^FAIL bad__layernorm_shifted_mean \(LayerNormalization\): Mean: 3 of 3 elements outside tolerance/m);
    assert.match(r.stdout, /\n1 passed, 1 failed\n$/);
  });

  it('a missing manifest is a user error', () => {
    const r = runCli(['conformance', path.join(onnxDir, 'no-such-dir')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^error: Cannot read .*manifest\.json: ENOENT\.\n$/);
  });
});
