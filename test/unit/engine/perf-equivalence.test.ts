/**
 * The fast paths compute what the reference paths compute: WebAssembly kernels against the TypeScript loops (bit
 * for bit where the operations are the same, to accumulation order for sums), the worker pool's split passes
 * against one sequential pass, and both against float64 two-pass numbers computed here. No timing is asserted.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker, type TransferListItem } from 'node:worker_threads';
import { GroupHistograms, histogramRange } from '../../../src/engine/histogram';
import { inspect, InspectPlan, type ElementSource } from '../../../src/engine/inspect/inspect';
import { normalizeStream } from '../../../src/engine/inspect/normalizeStream';
import { applyPlan, mapGroups, newScratch, planNormalization } from '../../../src/engine/inspect/normPlan';
import { DEFAULT_INSPECT_OPTIONS, type InspectOptions, type InspectResult } from '../../../src/engine/inspect/types';
import { GroupMoments, type GroupMap } from '../../../src/engine/moments';
import { GroupQuantiles, quantilesFromState } from '../../../src/engine/quantiles';
import { RegroupedChunk, SegmentWalk } from '../../../src/engine/segments';
import { Kernels, setWasmKernels } from '../../../src/engine/wasm/kernels';
import { encodeNpy } from '../../../src/formats/npy';
import { EnginePool, SPLIT_MIN_ELEMENTS } from '../../../src/node/enginePool';
import type { PassRequest } from '../../../src/shared/workerProtocol';
import { groupOf } from '../../../src/engine/moments';
import { assertClose, repoRoot, seeded } from '../helpers';

function randomF32(n: number, seed: number, mean = 0, spread = 1): Float32Array {
  const rand = seeded(seed);
  return Float32Array.from({ length: n }, () => mean + spread * (2 * rand() - 1));
}

/** Float64 two-pass moments per group: the independent reference. */
function twoPass(values: ArrayLike<number>, map: GroupMap, groups: number) {
  const n = new Float64Array(groups);
  const sum = new Float64Array(groups);
  for (let i = 0; i < values.length; i++) {
    const g = groupOf(map, i);
    n[g]++;
    sum[g] += values[i];
  }
  const mean = sum.map((s, g) => s / n[g]);
  const m2 = new Float64Array(groups);
  for (let i = 0; i < values.length; i++) {
    const g = groupOf(map, i);
    m2[g] += (values[i] - mean[g]) ** 2;
  }
  return { n, mean, variance: m2.map((m, g) => m / n[g]) };
}

/**
 * `base` and values exactly on the (float32-rounded) edges of `bins` bins over its range and one float32 ulp to
 * either side, where numpy's corrections matter. `below` widens the range downwards: by 1/3 it starts at a number
 * that is no float32, which the kernels bin in float64 (kernelModule.ts), else in float32.
 */
function withEdgeValues(base: Float32Array, bins: number, below = 0): { data: Float32Array; range: [number, number] } {
  const range = histogramRange(Math.min(...base) - below, Math.max(...base));
  const step = (range[1] - range[0]) / bins;
  const onEdges = Float32Array.from({ length: 3 * (bins + 1) }, (_, i) => {
    const bits = new Float32Array([Math.fround(range[0] + Math.floor(i / 3) * step)]);
    new Int32Array(bits.buffer)[0] += (i % 3) - 1;
    return Math.min(range[1], Math.max(range[0], bits[0]));
  });
  const data = new Float32Array(base.length + onEdges.length);
  data.set(base);
  data.set(onEdges, base.length);
  return { data, range };
}

function withKernels<T>(on: boolean, run: () => T): T {
  setWasmKernels(on);
  try {
    return run();
  } finally {
    setWasmKernels(true);
  }
}

function memorySource(data: Float32Array, shape: number[], chunk = 1 << 16): ElementSource {
  return {
    shape, dtype: 'float32',
    async *chunks() {
      for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk);
    },
  };
}

describe('segment walk', () => {
  it('a regrouped chunk holds each group\'s elements in their order, as the segment walk finds them', () => {
    // with one element per channel, whole rows go in tiles (13 rows of 300 channels): a partial last tile, blocks of 10 rows
    const cases = [[1, 7, 0, 5, 1000], [3, 5, 45, 7, 2000], [1, 3, 6, 4, 500], [5, 3, 30, 29, 970], [2, 8, 0, 3, 4096], [2, 3, 10, 3, 500],
      [1, 300, 0, 5, 20000], [1, 300, 3000, 7, 20000]];
    for (const [run, mod, block, start, length] of cases) {
      const map = { run, mod, block: block || undefined };
      const values = Float32Array.from({ length }, (_, i) => i);
      const walked = new Map<number, number[]>();
      for (const s = new SegmentWalk(map, start, length); s.next();) {
        for (let j = s.from; j < s.to; j++) walked.set(s.group, [...(walked.get(s.group) ?? []), j]);
      }
      const r = RegroupedChunk.of(values, start, map, new Float32Array(RegroupedChunk.capacity(map, length)));
      const regrouped = new Map<number, number[]>();
      for (; r.next();) regrouped.set(r.group, Array.from(r.values.subarray(r.from, r.to)));
      assert.deepEqual(regrouped, walked, `run ${run}, mod ${mod}, block ${block}, from element ${start}`);
    }
  });

  it('the kernels\' transpose of whole rows moves the bits the TypeScript loop moves, for any channel count, start and block', () => {
    const kernels = Kernels.create()!;
    // 1 to 9 channels (fewer than four: no SIMD column), channel counts around 4·k, rows leaving every remainder of four
    const mods = [1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 65, 255, 256, 257, 1000];
    const rand = seeded(21);
    for (const mod of mods) {
      for (const [start, length, block] of [[0, mod * 17, 0], [3, mod * 9 + 2, 0], [mod + 1, mod * 40 + mod - 1, 0], [5, mod * 31, mod * 6], [0, 3, 0]]) {
        const map: GroupMap = { run: 1, mod, block: block || undefined };
        const src = kernels.alloc(length * 4);
        const bits = new Uint32Array(kernels.f32(src, length).buffer, src, length);
        // random bits: NaN (the TypeScript loop may quiet a signaling one), ±0, subnormals and infinities included
        for (let i = 0; i < length; i++) bits[i] = Math.floor(rand() * 2 ** 32);
        const values = kernels.f32(src, length);
        const fast = kernels.regroup(values, start, map);
        const ref = RegroupedChunk.of(values, start, map, new Float32Array(RegroupedChunk.capacity(map, length)));
        const label = `${mod} channels, elements ${start} to ${start + length - 1}, block ${block}`;
        for (; ref.next();) {
          assert.ok(fast.next(), label);
          assert.deepEqual([fast.group, fast.to - fast.from], [ref.group, ref.to - ref.from], label);
          for (let k = 0; k < ref.to - ref.from; k++) {
            const [got, want] = [fast.values[fast.from + k], ref.values[ref.from + k]];
            if (!Object.is(got, want)) assert.fail(`${label}, group ${ref.group}, element ${k}: ${got}, not ${want}`);
          }
        }
        assert.ok(!fast.next(), label);
      }
    }
    kernels.release();
  });

  it('visits exactly the runs groupOf defines, for any start and any map', () => {
    const maps: GroupMap[] = [{ run: 7, mod: 3 }, { run: 1, mod: 5 }, { run: 4, mod: 0 }, { run: 3, mod: 4, block: 24 }, { run: 2, mod: 3, block: 10 }];
    for (const map of maps) {
      for (const start of [0, 1, 5, 23, 97]) {
        const seen: number[] = [];
        for (const s = new SegmentWalk(map, start, 61); s.next();) {
          assert.ok(s.to > s.from);
          for (let j = s.from; j < s.to; j++) seen.push(s.group);
        }
        assert.deepEqual(seen, Array.from({ length: 61 }, (_, j) => groupOf(map, start + j)), `${JSON.stringify(map)} from ${start}`);
      }
    }
  });
});

describe('WebAssembly kernels agree with the TypeScript reference', () => {
  before(function () {
    if (!Kernels.create()) this.skip(); // no WebAssembly SIMD here: the TypeScript path is all there is
  });

  const map: GroupMap = { run: 1000, mod: 3 };
  const cases: [string, Float32Array][] = [
    ['standard normal-ish', randomF32(9001, 1)],
    ['|mean| 1e6 × std', randomF32(9001, 2, 1e6, 1)],
    ['zeros of both signs at the minimum', Float32Array.from(randomF32(9001, 3), (v, i) => (i % 97 === 0 ? (i % 2 ? -0 : 0) : Math.abs(v) + 1))],
    ['NaN and ±Inf', Float32Array.from(randomF32(9001, 4), (v, i) => (i === 17 ? NaN : i === 2500 ? Infinity : i === 6000 ? -Infinity : v))],
  ];

  for (const [name, data] of cases) {
    it(`moments: ${name}`, () => {
      const wasm = new GroupMoments(3, Kernels.create()).add(data, 0, map);
      const ts = new GroupMoments(3).add(data, 0, map);
      const ref = twoPass(Float64Array.from(data).map((v) => (Number.isFinite(v) ? v : 0)), map, 3);
      for (let g = 0; g < 3; g++) {
        for (const k of ['count', 'min', 'max', 'nan', 'posinf', 'neginf', 'zeros'] as const) {
          assert.ok(Object.is(wasm[k][g], ts[k][g]), `${k}[${g}]: ${wasm[k][g]} vs ${ts[k][g]}`);
        }
        assertClose(wasm.mean[g], ts.mean[g], 1e-14, 0, `mean ${g}`);
        assertClose(wasm.variance(g), ts.variance(g), 1e-12, 0, `variance ${g}`);
        if (name !== 'NaN and ±Inf') {
          assertClose(wasm.mean[g], ref.mean[g], 1e-12, 0, `mean ${g} vs two-pass`);
          assertClose(wasm.variance(g), ref.variance[g], 1e-9, 0, `variance ${g} vs two-pass`);
        }
      }
    });
  }

  for (const below of [0, 1 / 3]) it(`histograms: bit-for-bit the same counts, values on every edge included (range from ${below ? 'a float64' : 'a float32'})`, () => {
    for (const bins of [1, 7, 100, 4096]) {
      const { data, range } = withEdgeValues(randomF32(20000, bins, 3, 2), bins, below);
      const all: GroupMap = { run: data.length, mod: 0 };
      const kernels = Kernels.create();
      const wasm = new GroupHistograms(1, bins, [range], kernels).add(data, 0, all);
      const ts = new GroupHistograms(1, bins, [range]).add(data, 0, all);
      assert.deepEqual(Array.from(wasm.counts), Array.from(ts.counts), `${bins} bins`);
      assert.equal(ts.counts.reduce((a, b) => a + b, 0), data.length);
      // two tables over the same range in one sweep (a histogram and its fine quantile histogram)
      const coarse = new GroupHistograms(1, bins, [range], kernels);
      const fine = new GroupHistograms(1, 4096, [range], kernels);
      GroupHistograms.addBoth(coarse, fine, data, 0, all);
      assert.deepEqual(Array.from(coarse.counts), Array.from(ts.counts), `${bins} bins beside 4096`);
      assert.deepEqual(Array.from(fine.counts), Array.from(new GroupHistograms(1, 4096, [range]).add(data, 0, all).counts), `4096 bins beside ${bins}`);
    }
  });

  for (const below of [0, 1 / 3]) it(`nested fine histograms sum to numpy's coarse counts (values on and next to every edge), with and without kernels (range from ${below ? 'a float64' : 'a float32'})`, () => {
    for (const [bins, split] of [[1, 4096], [7, 585], [24, 42], [100, 40], [1000, 4]]) {
      const { data, range } = withEdgeValues(randomF32(20000, bins + split, -1, 7), bins * split, below);
      const all: GroupMap = { run: data.length, mod: 0 };
      const direct = new GroupHistograms(1, bins, [range]).add(data, 0, all).counts;
      const reference = new GroupHistograms(1, bins * split, [range], null, split).add(data, 0, all);
      const fast = new GroupHistograms(1, bins * split, [range], Kernels.create(), split).add(data, 0, all);
      assert.ok(reference.nestsExactly);
      assert.deepEqual(Array.from(fast.counts), Array.from(reference.counts), `${bins} × ${split}: fine counts`);
      assert.deepEqual(Array.from(reference.coarseCounts()), Array.from(direct), `${bins} × ${split}: summed`);
    }
    // a float64 range a few ulps wide: numpy's one correction step may not reach the bin, so nothing is derived
    assert.equal(new GroupHistograms(1, 4100, [[1, 1 + 2 ** -40]], null, 41).nestsExactly, false);
  });

  it('per-group and whole-tensor tables over different ranges filled in one sweep equal separate sweeps', () => {
    const map: GroupMap = { run: 3000, mod: 3 };
    const whole: GroupMap = { run: 18000, mod: 0 };
    const data = randomF32(18000, 17, 1, 3);
    data[5] = NaN;
    data[3001] = Infinity;
    const m = new GroupMoments(3).add(data, 0, map);
    const ranges = [0, 1, 2].map((g) => histogramRange(m.min[g], m.max[g]));
    const t = m.total();
    const overall = histogramRange(t.min[0], t.max[0]);
    const kernels = Kernels.create();
    for (const start of [0, 1234]) {
      const chunk = data.subarray(start);
      const ch = new GroupHistograms(3, 24 * 42, ranges, kernels, 42);
      const all = new GroupHistograms(1, 100 * 40, [overall], kernels, 40);
      GroupHistograms.addBoth(ch, all, chunk, start, map, whole);
      const chRef = new GroupHistograms(3, 24 * 42, ranges, null, 42).add(chunk, start, map);
      const allRef = new GroupHistograms(1, 100 * 40, [overall], null, 40).add(chunk, start, whole);
      assert.deepEqual(Array.from(ch.counts), Array.from(chRef.counts), `channels from ${start}`);
      assert.deepEqual(Array.from(all.counts), Array.from(allRef.counts), `whole from ${start}`);
    }
  });

  it('tables in the kernels\' memory also take the values the TypeScript loop bins: channels-last runs and float64 chunks', () => {
    const channelsLast: GroupMap = { run: 1, mod: 5 };
    const data = randomF32(5000, 23, 1, 3);
    const m = new GroupMoments(5).add(data, 0, channelsLast);
    const ranges = [0, 1, 2, 3, 4].map((g) => histogramRange(m.min[g], m.max[g]));
    const kernels = Kernels.create();
    for (const chunk of [data, Float64Array.from(data)]) {
      const fast = new GroupHistograms(5, 24 * 42, ranges, kernels, 42).add(chunk, 0, channelsLast).add(chunk, 0, channelsLast);
      const ref = new GroupHistograms(5, 24 * 42, ranges, null, 42).add(chunk, 0, channelsLast).add(chunk, 0, channelsLast);
      assert.deepEqual(Array.from(fast.counts), Array.from(ref.counts), chunk.constructor.name);
      assert.equal(fast.counts.reduce((a, b) => a + b, 0), 2 * data.length);
      assert.deepEqual(fast.histogram(3), ref.histogram(3), `${chunk.constructor.name}: one group's edges and counts`);
    }
  });

  it('x̂ (apply): bit-for-bit the same float32 values', () => {
    const data = randomF32(10007, 7, 5, 3);
    const shape = [7, 11, 130];
    const options: InspectOptions = { ...DEFAULT_INSPECT_OPTIONS, op: 'batchnorm', channelAxis: 1 };
    const plan = planNormalization(shape, options)!;
    const moments = new GroupMoments(11).add(data, 0, plan.map);
    const params = plan.params(moments);
    const kernels = Kernels.create();
    const fast = applyPlan(data, 0, plan.map, params, newScratch('float32', kernels), kernels).slice();
    const slow = applyPlan(data, 0, plan.map, params, newScratch('float32', null), null);
    assert.ok(fast.every((v, i) => Object.is(v, slow[i])));
  });

  it('x̂ channels last (applyRows): bit-for-bit the same float32 values for any channel count, start and block', () => {
    const kernels = Kernels.create()!;
    const rand = seeded(31);
    const special = [NaN, Infinity, -Infinity, 0, -0, 1e-45, 3.4e38, -3.4e38];
    for (const mod of [2, 3, 4, 5, 7, 8, 9, 64, 65, 255, 256, 257, 1000]) {
      for (const [start, length, block] of [[0, mod * 17, 0], [3, mod * 9 + 2, 0], [mod + 1, mod * 40 + mod - 1, 0], [5, mod * 31, mod * 6], [0, 3, 0]]) {
        const map: GroupMap = { run: 1, mod, block: block || undefined };
        const groups = block ? (Math.ceil((start + length) / block) + 1) * mod : mod;
        const param = () => Float64Array.from({ length: groups }, () => (rand() < 0.05 ? special[Math.floor(rand() * 8)] : (rand() - 0.5) * 10 ** Math.floor(rand() * 8 - 4)));
        const params = { shift: param(), scale: param(), offset: param() };
        const src = kernels.alloc(length * 4);
        const values = kernels.f32(src, length);
        for (let i = 0; i < length; i++) values[i] = rand() < 0.05 ? special[Math.floor(rand() * 8)] : (rand() - 0.5) * 10 ** Math.floor(rand() * 8 - 4);
        const fast = kernels.f32(kernels.alloc(length * 4), length);
        mapGroups(values, fast, start, map, params, kernels);
        const slow = new Float32Array(length);
        mapGroups(values, slow, start, map, params, null);
        for (let i = 0; i < length; i++) {
          if (!Object.is(fast[i], slow[i])) assert.fail(`${mod} channels, elements from ${start}, block ${block}: element ${i} is ${fast[i]}, not ${slow[i]}`);
        }
        // in place, as the export's γ/β step runs
        mapGroups(values, values, start, map, params, kernels);
        assert.ok(values.every((v, i) => Object.is(v, slow[i])), `${mod} channels in place`);
      }
    }
    kernels.release();
  });

  it('inspect: the same histograms and counts, moments to accumulation order, with and without kernels', async () => {
    const shape = [3, 5, 40, 41];
    const data = randomF32(3 * 5 * 40 * 41, 11, -2, 4);
    for (const op of ['none', 'batchnorm', 'groupnorm'] as const) {
      const options = { ...DEFAULT_INSPECT_OPTIONS, op, groups: 5, channelAxis: 1 };
      const fast = await inspect(memorySource(data, shape, 3001), options);
      const slow = await withKernels(false, () => inspect(memorySource(data, shape, 3001), options));
      assertSameResult(fast, slow, op);
    }
  });

  it('inspect, channels-last and tables: chunks regrouped for the kernels give the TypeScript loops\' numbers', async () => {
    // runs of one element per channel (and of 2 for GroupNorm's groups of channels); chunks that start mid-run,
    // mid-sample and mid-row of the payload's sample rows
    const cases: [number[], number, InspectOptions['op'][]][] = [
      [[6, 20, 21, 8], 3, ['none', 'batchnorm', 'groupnorm', 'instancenorm', 'layernorm', 'minmax']],
      [[5000, 12], 1, ['none', 'zscore', 'batchnorm', 'layernorm']],
    ];
    for (const [shape, channelAxis, ops] of cases) {
      const total = shape.reduce((a, b) => a * b, 1);
      const data = randomF32(total, 13, -3, 5);
      for (const op of ops) {
        const options = { ...DEFAULT_INSPECT_OPTIONS, op, groups: 4, channelAxis, normalizedDims: 1 };
        const fast = await inspect(memorySource(data, shape, 2999), options);
        const slow = await withKernels(false, () => inspect(memorySource(data, shape, 2999), options));
        assertSameResult(fast, slow, `${shape} ${op}`);
      }
    }
  });

  it('float64 tensors normalized chunk by chunk: chunks that end inside groups give the numbers of one chunk', async () => {
    const shape = [3, 4, 10, 9];
    const data = Float64Array.from(randomF32(3 * 4 * 10 * 9, 31, -2, 3), (v, i) => v + i * 1e-9);
    const source = (chunk: number): ElementSource => ({
      shape, dtype: 'float64',
      async *chunks() {
        for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk);
      },
    });
    for (const op of ['layernorm', 'groupnorm', 'instancenorm', 'rmsnorm'] as const) {
      const options = { ...DEFAULT_INSPECT_OPTIONS, op, groups: 2, channelAxis: 1, normalizedDims: 2 };
      assertSameResult(await inspect(source(37), options), await inspect(source(data.length), options), `float64 ${op}`);
    }
  });
});

function assertSameResult(a: InspectResult, b: InspectResult, what: string): void {
  assert.deepEqual(a.channel.histBefore, b.channel.histBefore, `${what}: raw channel histograms`);
  assert.deepEqual(a.overall.histBefore, b.overall.histBefore, `${what}: raw overall histogram`);
  const sums = (r: InspectResult) => [r.overall.before, ...r.channel.before, ...(r.channel.after ?? []), ...(r.overall.after ? [r.overall.after] : [])];
  const sa = sums(a);
  const sb = sums(b);
  assert.equal(sa.length, sb.length);
  sa.forEach((s, i) => {
    for (const k of ['count', 'elements', 'nan', 'posinf', 'neginf', 'min', 'max'] as const) assert.equal(s[k], sb[i][k], `${what}: ${k} of summary ${i}`);
    assertClose(s.mean, sb[i].mean, 1e-12, 1e-14, `${what}: mean of summary ${i}`);
    assertClose(s.var, sb[i].var, 1e-9, 1e-14, `${what}: var of summary ${i}`);
  });
  assert.equal(!a.samples, !b.samples, `${what}: per-sample moments on one side only`);
  if (a.samples && b.samples) {
    assert.deepEqual([a.samples.rows, a.samples.samplesPerRow, a.samples.count], [b.samples.rows, b.samples.samplesPerRow, b.samples.count]);
    a.samples.mean.forEach((m, i) => assertClose(m, b.samples!.mean[i], 1e-12, 1e-14, `${what}: per-sample mean ${i}`));
    a.samples.m2.forEach((m, i) => assertClose(m, b.samples!.m2[i], 1e-9, 1e-12, `${what}: per-sample m2 ${i}`));
  }
  if (a.channel.histAfter) {
    // x̂ bins depend on x̂ ranges, which carry the moments' last-bit differences: totals must agree
    a.channel.histAfter.forEach((h, c) => assert.equal(h.counts.reduce((x, y) => x + y, 0), b.channel.histAfter![c].counts.reduce((x, y) => x + y, 0)));
  }
}

/** What `run` returns, and every message the host's thread posted to a worker meanwhile. */
/** The requests the pool posts while `run` runs, and the byte lengths of the buffers each transferred (read before they move). */
async function postedDuring<T>(run: () => Promise<T>): Promise<{ result: T; posted: unknown[]; transferred: number[][] }> {
  const posted: unknown[] = [];
  const transferred: number[][] = [];
  const original = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (this: Worker, message: unknown, transfer?: readonly TransferListItem[]) {
    posted.push(message);
    transferred.push((transfer ?? []).map((b) => (b as ArrayBuffer).byteLength));
    return original.call(this, message, transfer as TransferListItem[]);
  };
  try {
    return { result: await run(), posted, transferred };
  } finally {
    Worker.prototype.postMessage = original;
  }
}

describe('worker pool: split passes equal one sequential pass', function () {
  this.timeout(60000);
  const workerPath = path.join(repoRoot, 'dist', 'worker.js');
  let dir: string;
  let pool: EnginePool;
  const shape = [4, 6, 256, 260]; // above SPLIT_MIN_ELEMENTS, so the pool splits it
  const data = randomF32(4 * 6 * 256 * 260, 21, 10, 3);
  let file: string;

  before(function () {
    if (!fs.existsSync(workerPath)) this.skip(); // the pool needs the built worker bundle (npm run build)
    assert.ok(data.length >= SPLIT_MIN_ELEMENTS);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'normscope-pool-'));
    file = path.join(dir, 'x.npy');
    fs.writeFileSync(file, encodeNpy('float32', shape, new Uint8Array(data.buffer)));
    pool = new EnginePool(workerPath, { error: () => undefined, warn: () => undefined }, 2);
  });
  after(() => {
    pool?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const op of ['none', 'batchnorm', 'instancenorm', 'layernorm', 'groupnorm'] as const) {
    it(`inspect (${op}) over two ranges equals inspect() in one pass`, async () => {
      const options = { ...DEFAULT_INSPECT_OPTIONS, op, channelAxis: 1, groups: 3 };
      const split = await pool.inspect({ kind: 'file', path: file, tensor: '' }, options).promise;
      const whole = await inspect(memorySource(data, shape), options);
      assertSameResult(split, whole, op);
      assert.deepEqual(split.channel.histAfter?.map((h) => h.counts.reduce((a, b) => a + b, 0)), whole.channel.histAfter?.map((h) => h.counts.reduce((a, b) => a + b, 0)));
    });
  }

  it('groups within rows or samples are normalized chunk by chunk: two passes, ranges split between groups, no state per group', async () => {
    // 32 samples; spans of whole groups: a row (LayerNorm, RMSNorm), a group of channels (GroupNorm, channels
    // first), a channel (InstanceNorm)
    const manyShape = [32, 4, 96, 96];
    const many = randomF32(32 * 4 * 96 * 96, 23, -1, 2);
    const manyFile = path.join(dir, 'many.npy');
    fs.writeFileSync(manyFile, encodeNpy('float32', manyShape, new Uint8Array(many.buffer)));
    const spans = { layernorm: 96 * 96, rmsnorm: 96 * 96, groupnorm: 2 * 96 * 96, instancenorm: 96 * 96 };
    for (const [op, span] of Object.entries(spans) as [keyof typeof spans, number][]) {
      const options = { ...DEFAULT_INSPECT_OPTIONS, op, channelAxis: 1, groups: 2, normalizedDims: 2 };
      type Posted = { type: string; pass?: string; from?: number; lists?: { groups: number }[][] };
      const { result: split, posted } = await postedDuring(() => pool.inspect({ kind: 'file', path: manyFile, tensor: '' }, options).promise);
      const messages = posted as Posted[];
      const whole = await inspect(memorySource(many, manyShape, many.length), options);
      assertSameResult(split, whole, op);
      // chunks that end inside groups (2999 elements) and groups over several chunks: the same numbers
      assertSameResult(await inspect(memorySource(many, manyShape, 2999), options), whole, `${op} in chunks of 2999`);
      const firstPass = messages.filter((m) => m.pass === 'moments');
      assert.equal(firstPass.length, 2, `${op}: pass 1 over two ranges`);
      assert.equal(firstPass[1].from! % span, 0, `${op}: the second range starts at a group boundary`);
      // quantiles are exact here (few values): pass 2 runs whole, and there is no pass 3
      assert.deepEqual(messages.map((m) => m.pass ?? m.type), ['describe', 'moments', 'moments', 'merge', 'binning', 'finish'], `${op}: passes`);
      // channels, sample rows and x̂ channels are merged; nothing per normalization group (4096 or more here)
      const merged = messages.find((m) => m.type === 'merge')!.lists!;
      assert.equal(merged.length, 3, `${op}: merged lists`);
      for (const list of merged) assert.ok(list[0].groups <= 2048, `${op}: a merged state of ${list[0].groups} groups`);
    }
  });

  it('the host copies no per-group state into its messages: pass 1\'s states are shared and merged by a worker', async () => {
    // LayerNorm over the last axis: 6144 rows, 442 KB of moments that every later request carries
    const options = { ...DEFAULT_INSPECT_OPTIONS, op: 'layernorm' as const, channelAxis: 1 };
    const { result, posted } = await postedDuring(() => pool.inspect({ kind: 'file', path: file, tensor: '' }, options).promise);
    assert.equal(result.normalization?.groups, 4 * 6 * 256);
    const types = posted.map((m) => (m as { type: string; pass?: string }).pass ?? (m as { type: string }).type);
    // exact quantiles (few values): pass 2 runs whole, in one worker; rows are normalized chunk by chunk: no pass 3
    assert.deepEqual(types, ['describe', 'moments', 'moments', 'merge', 'binning', 'finish']);
    // bytes the host's thread would copy: typed arrays on plain ArrayBuffers, less the finish's transferred states
    const copied = (value: unknown, seen = new Set<unknown>()): number => {
      if (ArrayBuffer.isView(value)) return value.buffer instanceof SharedArrayBuffer ? 0 : value.byteLength;
      if (!value || typeof value !== 'object' || seen.has(value)) return 0;
      seen.add(value);
      return Object.values(value).reduce<number>((n, v) => n + copied(v, seen), 0);
    };
    posted.forEach((m, i) => {
      const { binning, after, ...rest } = m as Record<string, unknown>;
      assert.ok(copied(rest) < 16 << 10, `${types[i]} request copies ${copied(rest)} bytes`);
      if (types[i] !== 'finish') assert.equal(copied({ binning, after }), 0);
    });
  });

  it('above the exact-quantile budget, pass 2 and 3 states merged by the finishing worker equal one sequential pass', async () => {
    const bigShape = [2, 3, 700, 1000];
    const big = randomF32(2 * 3 * 700 * 1000, 41, -3, 2);
    const bigFile = path.join(dir, 'big.npy');
    fs.writeFileSync(bigFile, encodeNpy('float32', bigShape, new Uint8Array(big.buffer)));
    // LayerNorm over a sample's 2.1M elements: groups too long to normalize chunk by chunk, so a third pass bins x̂
    for (const [op, normalizedDims] of [['none', 1], ['instancenorm', 1], ['layernorm', 1], ['layernorm', 3]] as const) {
      const options = { ...DEFAULT_INSPECT_OPTIONS, op, channelAxis: 1, normalizedDims };
      assert.equal(new InspectPlan(bigShape, 'float32', options).passes, op === 'layernorm' && normalizedDims === 3 ? 3 : 2);
      const split = await pool.inspect({ kind: 'file', path: bigFile, tensor: '' }, options).promise;
      const whole = await inspect(memorySource(big, bigShape), options);
      assert.equal(split.quantilesExact, false);
      assert.deepEqual(split.channel.histBefore, whole.channel.histBefore, `${op}: raw channel histograms`);
      assert.deepEqual(split.overall.histBefore, whole.overall.histBefore, `${op}: raw overall histogram`);
      // fine counts add up exactly whatever the split: the estimates are the same numbers
      assert.deepEqual(split.channel.before.map((b) => b.quantiles), whole.channel.before.map((b) => b.quantiles));
      assert.deepEqual(split.overall.before.quantiles, whole.overall.before.quantiles);
      // x̂ is binned over ranges from moments merged in another order: the same values land in the histograms
      const afterTotals = (r: InspectResult) => r.channel.histAfter?.map((h) => h.counts.reduce((a, b) => a + b, 0));
      assert.deepEqual(afterTotals(split), afterTotals(whole));
      split.channel.after?.forEach((a, c) => assertClose(a.mean, whole.channel.after![c].mean, 0, 1e-12, `${op}: x̂ mean of channel ${c}`));
    }
  });

  it('the finish sends the states\' big buffers back and the next inspection\'s workers reuse them: numbers unchanged', async () => {
    const shape = [2, 3, 700, 1000];
    const fresh = new EnginePool(workerPath, { error: () => undefined, warn: () => undefined }, 2);
    try {
      const files = [51, 52].map((seed) => {
        const values = randomF32(2 * 3 * 700 * 1000, seed, -3, 2);
        const f = path.join(dir, `spares-${seed}.npy`);
        fs.writeFileSync(f, encodeNpy('float32', shape, new Uint8Array(values.buffer)));
        return { f, values };
      });
      // estimated quantiles: the binning pass runs split, and its fine tables leave the workers
      const options = { ...DEFAULT_INSPECT_OPTIONS, op: 'batchnorm' as const, channelAxis: 1 };
      const first = await postedDuring(() => fresh.inspect({ kind: 'file', path: files[0].f, tensor: '' }, options).promise);
      const kept = JSON.stringify(first.result);
      // the buffers each binning request moved to its worker
      const handed = (run: { posted: unknown[]; transferred: number[][] }) => run.posted.flatMap((m, i) => ((m as PassRequest).pass === 'binning'
        ? [(m as PassRequest).spares ? run.transferred[i] : []] : []));
      assert.deepEqual(handed(first), [[], []], 'a fresh pool has nothing to hand out');
      const second = await postedDuring(() => fresh.inspect({ kind: 'file', path: files[1].f, tensor: '' }, options).promise);
      // each worker gets one buffer per big table it fills: raw and x̂ counts per channel, 3 channels × 4000 fine bins
      // (100 shown bins cut in 40); the whole tensor's 4000 are too few to keep
      assert.deepEqual(handed(second), [[3 * 4000 * 8, 3 * 4000 * 8], [3 * 4000 * 8, 3 * 4000 * 8]]);
      // reused buffers hold the first tensor's counts until zeroed: the second's numbers are its own
      const whole = await inspect(memorySource(files[1].values, shape), options);
      const r = second.result;
      assert.deepEqual(r.channel.histBefore, whole.channel.histBefore, 'raw channel histograms');
      assert.deepEqual(r.overall.histBefore, whole.overall.histBefore, 'raw overall histogram');
      assert.deepEqual(r.channel.before.map((b) => b.quantiles), whole.channel.before.map((b) => b.quantiles), 'raw quantiles (fine counts)');
      const afterTotals = (x: InspectResult) => x.channel.histAfter?.map((h) => h.counts.reduce((a, b) => a + b, 0));
      assert.deepEqual(afterTotals(r), afterTotals(whole), 'x̂ histogram totals');
      assert.equal(JSON.stringify(first.result), kept, 'the first result holds no buffer that was handed out again');
    } finally {
      fresh.dispose();
    }
  });

  it('LayerNorm with most rows NaN: x̂\'s quantiles exact, the raw ones estimated, both as one sequential pass', async () => {
    // 4200 rows of 1000, 3780 of them holding a NaN: 4,196,220 finite raw values (over the exact budget), 420,000 finite x̂
    const shape = [2, 3, 700, 1000];
    const values = randomF32(2 * 3 * 700 * 1000, 43, -3, 2);
    for (let row = 0; row < 4200; row++) if (row % 10) values[row * 1000 + (row % 1000)] = NaN;
    const nanFile = path.join(dir, 'nan-rows.npy');
    fs.writeFileSync(nanFile, encodeNpy('float32', shape, new Uint8Array(values.buffer)));
    const options = { ...DEFAULT_INSPECT_OPTIONS, op: 'layernorm' as const, channelAxis: 1 };
    const split = await pool.inspect({ kind: 'file', path: nanFile, tensor: '' }, options).promise;
    const whole = await inspect(memorySource(values, shape), options);
    assert.equal(split.overall.after?.count, 420000);
    assertSameResult(split, whole, 'layernorm, NaN rows');
    assert.deepEqual(split.overall.after?.quantiles, whole.overall.after?.quantiles);
    assert.deepEqual(split.overall.before.quantiles, whole.overall.before.quantiles);
  });

  it('a split inspection previews pass 1 before its result: the same moments, histograms of one bin, no quantiles or x̂ yet', async () => {
    const options = { ...DEFAULT_INSPECT_OPTIONS, op: 'batchnorm' as const, channelAxis: 1 };
    const source = { kind: 'file' as const, path: file, tensor: '' };
    // this tensor is far below PREVIEW_MIN_ELEMENTS: pools that preview from SPLIT_MIN_ELEMENTS on
    const previewing = new EnginePool(workerPath, { error: () => undefined, warn: () => undefined }, 2, SPLIT_MIN_ELEMENTS);
    const single = new EnginePool(workerPath, { error: () => undefined, warn: () => undefined }, 1, SPLIT_MIN_ELEMENTS);
    try {
      const events: string[] = [];
      let preview: InspectResult | undefined;
      const job = previewing.inspect(source, options, undefined, (r) => {
        events.push('preview');
        preview = r;
      });
      const final = await job.promise.then((r) => (events.push('result'), r));
      assert.deepEqual(events, ['preview', 'result']);
      const ref = twoPass(data, { run: 256 * 260, mod: 6 }, 6);
      preview!.channel.before.forEach((s, c) => {
        assertClose(s.mean, ref.mean[c], 1e-9, 0, `channel ${c} mean`);
        assertClose(s.var, ref.variance[c], 1e-9, 0, `channel ${c} var`);
        for (const k of ['count', 'elements', 'min', 'max', 'nan', 'zeros'] as const) assert.equal(s[k], final.channel.before[c][k], `channel ${c} ${k}`);
        assert.deepEqual(s.quantiles, {});
        assert.deepEqual(preview!.channel.histBefore[c], { edges: [s.min, s.max], counts: [s.count] });
      });
      assert.equal(preview!.overall.before.count, data.length);
      assert.equal(preview!.channel.after, null);
      assert.equal(preview!.overall.histAfter, null);
      assert.deepEqual(preview!.normalization, final.normalization);
      assert.deepEqual(preview!.samples, final.samples);
      // none below the pool's threshold, nor for a job it does not split (one worker)
      for (const p of [pool, single]) {
        let called = false;
        await p.inspect(source, options, undefined, () => { called = true; }).promise;
        assert.equal(called, false);
      }
    } finally {
      previewing.dispose();
      single.dispose();
    }
  });

  it('per-channel moments over two ranges equal a float64 two-pass reference', async () => {
    const map: GroupMap = { run: 256 * 260, mod: 6 };
    const m = await pool.groupMoments({ kind: 'file', path: file, tensor: '' }, map).promise;
    const ref = twoPass(data, map, 6);
    for (let c = 0; c < 6; c++) {
      assert.equal(m.count[c], ref.n[c]);
      assertClose(m.mean[c], ref.mean[c], 1e-12, 0, `mean ${c}`);
      assertClose(m.variance(c), ref.variance[c], 1e-9, 0, `variance ${c}`);
    }
  });

  it('BatchNorm y written by two workers equals the streamed export', async () => {
    const options: InspectOptions = { ...DEFAULT_INSPECT_OPTIONS, op: 'batchnorm', channelAxis: 1, affine: { scale: [1, 2, -1, 0.5, 3, 1], bias: [0, 1, 2, 3, 4, 5] } };
    const bytes = fs.readFileSync(file);
    const shared = new SharedArrayBuffer(bytes.byteLength);
    new Uint8Array(shared).set(bytes);
    const out = new SharedArrayBuffer(data.length * 4);
    await pool.forwardInto({ kind: 'memory', bytes: shared, fileName: 'x.npy', tensor: '' }, options, out).promise;
    const y = new Float32Array(out);
    const expected = new Float32Array(data.length);
    let at = 0;
    await normalizeStream(memorySource(data, shape), options, async (chunk) => {
      expected.set(chunk, at);
      at += chunk.length;
    });
    assert.equal(at, data.length);
    // the ranges' statistics merge in another order, so a product may round the other way in the last bit
    y.forEach((v, i) => { if (!Object.is(v, expected[i])) assertClose(v, expected[i], 1e-5, 1e-6, `y[${i}]`); });
  });
});

describe('estimated quantiles', () => {
  it('lie within one fine bin of the exact ones, from the accumulator and from its merged state alike', () => {
    const map: GroupMap = { run: 5000, mod: 3 };
    const data = randomF32(30000, 9, 2, 5);
    const counts = [10000, 10000, 10000];
    const ranges = [0, 1, 2].map((g) => {
      const m = new GroupMoments(3).add(data, 0, map);
      return [m.min[g], m.max[g]] as [number, number];
    });
    const exact = new GroupQuantiles(3, counts, ranges).add(data, 0, map);
    const fine = new GroupQuantiles(3, counts, ranges, 0, Kernels.create()).add(data, 0, map);
    assert.ok(exact.exact && !fine.exact);
    const fromState = quantilesFromState(fine.state(), ranges);
    for (let g = 0; g < 3; g++) {
      const width = (ranges[g][1] - ranges[g][0]) / 4096;
      const e = exact.quantiles(g);
      const f = fine.quantiles(g);
      assert.deepEqual(fromState(g), f);
      for (const p of Object.keys(e)) assert.ok(Math.abs(f[p] - e[p]) <= width, `group ${g} ${p}%: ${f[p]} vs ${e[p]} (bin ${width})`);
    }
  });
});

describe('inspect with estimated quantiles', () => {
  it('histograms summed from the fine quantile tables equal numpy\'s binning, with and without kernels', async function () {
    this.timeout(60000);
    const shape = [2, 3, 700, 1000]; // above the exact-quantile budget
    const data = randomF32(2 * 3 * 700 * 1000, 31, 4, 3);
    data[77] = NaN;
    const options = { ...DEFAULT_INSPECT_OPTIONS, op: 'none' as const, channelAxis: 1 };
    const fast = await inspect(memorySource(data, shape, 1 << 18), options);
    const slow = await withKernels(false, () => inspect(memorySource(data, shape, 1 << 18), options));
    assert.equal(fast.quantilesExact, false);
    assertSameResult(fast, slow, 'estimated');
    const map: GroupMap = { run: 700 * 1000, mod: 3 };
    const ranges = fast.channel.before.map((b) => histogramRange(b.min, b.max));
    const bins = fast.channel.histBefore[0].counts.length;
    const perChannel = new GroupHistograms(3, bins, ranges).add(data, 0, map);
    fast.channel.histBefore.forEach((h, c) => assert.deepEqual(h.counts, Array.from(perChannel.counts.subarray(c * bins, (c + 1) * bins)), `channel ${c}`));
    const overallRange = histogramRange(fast.overall.before.min, fast.overall.before.max);
    const overall = new GroupHistograms(1, options.bins, [overallRange]).add(data, 0, { run: data.length, mod: 0 });
    assert.deepEqual(fast.overall.histBefore.counts, Array.from(overall.counts));
    // more bins than the fine histogram has: it cannot nest, and the histogram is binned on its own
    const many = await inspect(memorySource(data, shape, 1 << 18), { ...options, bins: 5000 });
    assert.deepEqual(many.overall.histBefore.counts, Array.from(new GroupHistograms(1, 5000, [overallRange]).add(data, 0, { run: data.length, mod: 0 }).counts));
  });
});

describe('inspect payload', () => {
  it('stays under 1 MB for a tensor with many channels and samples, however many elements', async () => {
    const shape = [64, 512, 3, 3];
    const data = randomF32(64 * 512 * 3 * 3, 5);
    const result = await inspect(memorySource(data, shape), { ...DEFAULT_INSPECT_OPTIONS, op: 'batchnorm', channelAxis: 1, bins: 1000 });
    const bytes = Buffer.byteLength(JSON.stringify(result));
    assert.ok(bytes < 1 << 20, `payload ${bytes} bytes`);
  });
});
