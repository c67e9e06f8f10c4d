/** The inspector's statistics against numpy and PyTorch (test/fixtures/stats, made by scripts/fixtures/gen_stats.py). */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { inspect, InspectPlan } from '../../../src/engine/inspect/inspect';
import { DEFAULT_INSPECT_OPTIONS, type InspectOptions, type Summary } from '../../../src/engine/inspect/types';
import type { Histogram } from '../../../src/engine/histogram';
import { entryElements } from '../../../src/formats/elementSource';
import { openTensorFile } from '../../../src/node/tensorFiles';
import { assertClose, fixture } from '../helpers';

interface RefSummary {
  count: number; elements: number; nan: number; posinf: number; neginf: number; zeros: number;
  mean?: number; var?: number; var_unbiased?: number | null; min?: number; max?: number;
  quantiles?: number[]; hist_counts?: number[]; hist_edges?: number[];
}
interface RefRows { samples_per_row: number; count: number[]; mean: number[]; m2: number[] }
interface RefCase {
  file: string; axis: number | null; overall: RefSummary; channels: RefSummary[];
  options?: Partial<InspectOptions>; after_channels?: RefSummary[]; after_overall?: RefSummary; sample_rows?: RefRows;
}
const expected = JSON.parse(fs.readFileSync(fixture('stats', 'expected.json'), 'utf8')) as { bins: number; cases: Record<string, RefCase> };

async function run(c: RefCase, options: Partial<InspectOptions>, chunkBytes?: number) {
  const opened = await openTensorFile(fixture('stats', c.file));
  try {
    return await inspect(entryElements(opened.entry, chunkBytes), { ...DEFAULT_INSPECT_OPTIONS, op: 'none', channelAxis: c.axis, bins: expected.bins, ...options });
  } finally {
    await opened.close();
  }
}

/** Raw statistics: exact counts, float64 moments to 1e-9 relative (SEMANTICS.md), numpy's histogram bin for bin. */
function compareRaw(s: Summary, h: Histogram, r: RefSummary, what: string) {
  for (const k of ['count', 'elements', 'nan', 'posinf', 'neginf', 'zeros'] as const) assert.equal(s[k], r[k], `${what} ${k}`);
  if (r.count === 0) {
    assert.ok(Number.isNaN(s.mean) && Number.isNaN(s.var), `${what}: no finite values gives NaN moments`);
    return;
  }
  assertClose(s.mean, r.mean!, 1e-9, 1e-12, `${what} mean`);
  assertClose(s.var, r.var!, 1e-9, 1e-15, `${what} var`);
  assertClose(s.var_unbiased, r.var_unbiased ?? NaN, 1e-9, 1e-15, `${what} var_unbiased`);
  assertClose(s.std, Math.sqrt(r.var!), 1e-9, 1e-15, `${what} std`);
  assert.equal(s.min, r.min, `${what} min`);
  assert.equal(s.max, r.max, `${what} max`);
  Object.values(s.quantiles).forEach((q, i) => assertClose(q, r.quantiles![i], 1e-12, 1e-12, `${what} quantile ${i}`));
  assert.deepEqual(h.counts, r.hist_counts, `${what} histogram counts`);
  h.edges.forEach((e, i) => assertClose(e, r.hist_edges![i], 1e-12, 1e-12, `${what} edge ${i}`));
}

/** x̂ statistics: the framework's float32 output against ours, to the tolerance SEMANTICS.md gives outputs. */
function compareAfter(s: Summary, h: Histogram, r: RefSummary, what: string) {
  for (const k of ['count', 'elements', 'nan', 'posinf', 'neginf'] as const) assert.equal(s[k], r[k], `${what} ${k}`);
  assertClose(s.mean, r.mean!, 1e-5, 1e-6, `${what} mean`);
  assertClose(s.var, r.var!, 1e-5, 1e-6, `${what} var`);
  assertClose(s.min, r.min!, 1e-5, 1e-6, `${what} min`);
  assertClose(s.max, r.max!, 1e-5, 1e-6, `${what} max`);
  // values that rounding put on the other side of a bin edge may move one bin: allow a couple across the histogram
  const moved = h.counts.reduce((a, c, i) => a + Math.abs(c - r.hist_counts![i]), 0);
  assert.equal(h.counts.reduce((a, b) => a + b, 0), r.count, `${what} histogram total`);
  assert.ok(moved <= 2, `${what} histogram differs from numpy's by ${moved} counts: ${h.counts} vs ${r.hist_counts}`);
}

describe('inspector statistics match numpy', () => {
  for (const [name, c] of Object.entries(expected.cases).filter(([, c]) => !c.options)) {
    it(`${name}: per channel and overall`, async () => {
      const r = await run(c, {});
      assert.equal(r.channels, c.channels.length);
      c.channels.forEach((ref, ch) => compareRaw(r.channel.before[ch], r.channel.histBefore[ch], ref, `${name} channel ${ch}`));
      compareRaw(r.overall.before, r.overall.histBefore, c.overall, `${name} overall`);
    });
  }

  for (const [name, c] of Object.entries(expected.cases).filter(([, c]) => c.sample_rows)) {
    it(`${name}: moments per row of consecutive samples and channel`, async () => {
      const rows = c.sample_rows!;
      // under the case's own operation: InstanceNorm sums the rows from its (sample, channel) groups
      const s = (await run(c, c.options ?? {})).samples!;
      assert.equal(s.samplesPerRow, rows.samples_per_row);
      assert.equal(s.rows * s.channels, rows.count.length);
      assert.deepEqual(s.count, rows.count);
      s.mean.forEach((m, i) => rows.count[i] && assertClose(m, rows.mean[i], 1e-9, 1e-12, `${name} row cell ${i} mean`));
      s.m2.forEach((m, i) => rows.count[i] && assertClose(m, rows.m2[i], 1e-9, 1e-9, `${name} row cell ${i} m2`));
    });
  }

  it('keeps a tall table\'s per-sample moments to rows of samples: pass 1 holds O(rows × channels), not O(samples)', () => {
    // 4M samples of 16 features: a state per (sample, channel) would be 64M groups (4.6 GB)
    const plan = new InspectPlan([1 << 22, 16], 'float32', { ...DEFAULT_INSPECT_OPTIONS, op: 'zscore', channelAxis: 1 });
    const run = plan.moments(null);
    run.add(Float32Array.from({ length: 64 }, (_, i) => i), 0);
    const m = run.state();
    assert.equal(m.sample!.groups, 128 * 16);
    assert.equal(m.norm, null);
    assert.equal(m.ch.count[3], 4);
    assert.equal(m.sample!.count[3], 4);
    assert.equal(m.sample!.mean[3], (3 + 19 + 35 + 51) / 4);
  });

  it('gives the same numbers whatever the chunk size (chunks merge exactly)', async () => {
    const c = expected.cases.nchw_nonfinite;
    const whole = await run(c, {});
    for (const bytes of [4, 28, 4 * 35 + 8, 1000]) {
      const chunked = await run(c, {}, bytes);
      chunked.channel.before.forEach((s, ch) => compareRaw(s, chunked.channel.histBefore[ch], c.channels[ch], `chunks of ${bytes} B, channel ${ch}`));
      assert.deepEqual(chunked.overall.histBefore, whole.overall.histBefore);
    }
  });

  it('reports NaN and Inf per channel and says so in the diagnostics', async () => {
    const r = await run(expected.cases.nchw_nonfinite, { op: 'batchnorm' });
    assert.equal(r.channel.before[0].nan, 1);
    assert.equal(r.channel.before[0].posinf, 1);
    // BatchNorm propagates: channel 0's batch mean is NaN, so every x̂ of channel 0 is NaN
    assert.equal(r.channel.after![0].nan, r.channel.before[0].elements);
    assert.ok(r.diagnostics.some((d) => d.code === 'nonfinite' && d.channel === 0));
  });

  it('says an empty tensor has no elements instead of drawing NaN', async () => {
    const r = await run(expected.cases.empty, { op: 'batchnorm' });
    assert.equal(r.overall.before.elements, 0);
    assert.equal(r.overall.after, null);
    assert.match(r.diagnostics[0].message, /no elements/);
  });
});

describe('normalized statistics match PyTorch', () => {
  for (const [name, c] of Object.entries(expected.cases).filter(([, c]) => c.options)) {
    // chunks of 37 values end inside rows, channels and samples: groups normalized chunk by chunk wait for their tails
    for (const chunkBytes of [undefined, 37 * 4]) {
      it(`${name}${chunkBytes ? ' (in chunks of 37 values)' : ''}`, async () => {
        const r = await run(c, c.options!, chunkBytes);
        assert.ok(r.channel.after && r.channel.histAfter && r.overall.after && r.overall.histAfter);
        c.after_channels!.forEach((ref, ch) => compareAfter(r.channel.after![ch], r.channel.histAfter![ch], ref, `${name} channel ${ch}`));
        compareAfter(r.overall.after, r.overall.histAfter, c.after_overall!, `${name} overall`);
      });
    }
  }

  it('refuses BatchNorm training with one value per channel, naming the numbers', async () => {
    const src = { shape: [1, 5], dtype: 'float32' as const, async *chunks() { yield Float32Array.of(1, 2, 3, 4, 5); } };
    await assert.rejects(inspect(src, { ...DEFAULT_INSPECT_OPTIONS, op: 'batchnorm', mode: 'train', channelAxis: 1 }),
      (e: Error) => e.name === 'EngineError' && /5 channels/.test(e.message) && /1 value per channel/.test(e.message));
  });

  it('refuses InstanceNorm with one value per (sample, channel), as torch does', async () => {
    const src = { shape: [3, 4], dtype: 'float32' as const, async *chunks() { yield new Float32Array(12); } };
    await assert.rejects(inspect(src, { ...DEFAULT_INSPECT_OPTIONS, op: 'instancenorm', channelAxis: 1 }),
      (e: Error) => e.name === 'EngineError' && /more than 1 spatial element/.test(e.message) && /\(3, 4\)/.test(e.message));
  });

  it('refuses GroupNorm when the groups do not divide the channels', async () => {
    const src = { shape: [2, 6, 3], dtype: 'float32' as const, async *chunks() { yield new Float32Array(36).map((_, i) => i); } };
    await assert.rejects(inspect(src, { ...DEFAULT_INSPECT_OPTIONS, op: 'groupnorm', groups: 4, channelAxis: 1 }),
      (e: Error) => e.name === 'EngineError' && /4 groups do not divide 6 channels/.test(e.message));
  });
});
