// `npm run bench`: NormScope's engine next to numpy and PyTorch (CPU, 2 threads) in the same run, on a float32
// (32, 256, 56, 56) tensor and its channels-last counterpart (32, 56, 56, 256), generated in .bench/. Prints each figure, the references' figures and the ratios,
// and the fraction of the machine's memory bandwidth (read with a plain copy in the same run) reached.
// `npm run bench -- --scale` instead streams a 1 GiB .npy, a 4 GiB .npy and a 4 GiB .safetensors member through the
// worker pool as the extension host does (the .npy files also with LayerNorm, a group per row), and reports memory
// growth, throughput against `cat`, cancellation latency, the host's event-loop delay, and a breakdown of the 4 GiB
// runs without normalization (reading alone, pass 1 alone, pass 2 alone, each split over two threads as the pool
// splits it), each the fastest of min(N, 3) runs. It writes 9 GiB to .bench/.
// Options: --runs N (default 7), --keep (keep the scale files).
// The references run under /usr/bin/python3 (or $NORMSCOPE_PYTHON); a missing numpy or torch is reported as skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import { kernelBytesPlugin } from './kernelBytes.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const benchDir = path.join(root, '.bench');
const argValue = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const runs = Number(argValue('--runs') ?? 7);
/** Inspections per file in --scale: a few, as each streams gigabytes. */
const scaleRuns = Math.min(runs, 3);
const python = process.env.NORMSCOPE_PYTHON ?? '/usr/bin/python3';
const workerPath = path.join(root, 'dist', 'worker.js');
fs.mkdirSync(benchDir, { recursive: true });
if (!fs.existsSync(workerPath)) throw new Error('dist/worker.js is missing: run `npm run bench` (it builds first) or `npm run build`');

// the engine entry points, bundled from the sources like the extension's own bundles
await esbuild.build({
  entryPoints: { engine: path.join(root, 'scripts/bench/engine.ts'), passWorker: path.join(root, 'scripts/bench/passWorker.ts') },
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', outdir: benchDir, outExtension: { '.js': '.cjs' }, logLevel: 'warning',
  plugins: [kernelBytesPlugin(root)],
});
const E = createRequire(import.meta.url)(path.join(benchDir, 'engine.cjs'));
const log = { error: (m) => console.error(m), warn: (m) => console.error(m) };

/** Seeded normal values (xorshift + Box-Muller), mean 3 and std 2: every run benchmarks the same numbers. */
function fillNormal(out, seed) {
  let s = seed >>> 0 || 1;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return (s + 0.5) / 4294967296; };
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(next()));
    const t = 2 * Math.PI * next();
    out[i] = 3 + 2 * r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] = 3 + 2 * r * Math.sin(t);
  }
  return out;
}

/** Writes a float32 .npy of `shape` in slices of `sliceElements`, each filled by `fill(slice, index)`. */
function writeNpy(file, shape, sliceElements, fill) {
  const total = shape.reduce((a, b) => a * b, 1);
  const header = E.encodeNpy('float32', shape, new Uint8Array(0));
  writeSlices(file, header, total, sliceElements, fill);
}

function writeSlices(file, header, total, sliceElements, fill) {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, header);
    const slice = new Float32Array(Math.min(total, sliceElements));
    for (let at = 0, i = 0; at < total; at += slice.length, i++) {
      const part = slice.subarray(0, Math.min(slice.length, total - at));
      fill(part, i);
      fs.writeSync(fd, new Uint8Array(part.buffer, 0, part.byteLength));
    }
  } finally {
    fs.closeSync(fd);
  }
}

async function best(n, f) {
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

const fmt = (ms) => (ms === undefined ? '—' : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const ratio = (ref, ms) => (ref === undefined ? '—' : `${(ref / ms).toFixed(1)}×`);

function references(file, channelAxis = 1) {
  if (!fs.existsSync(python)) return { numpy: { skipped: `${python} not found` }, torch: { skipped: `${python} not found` } };
  const r = spawnSync(python, [path.join(root, 'scripts/bench/reference.py'), file, String(runs), String(channelAxis)], { encoding: 'utf8' });
  if (r.status !== 0) return { numpy: { skipped: `reference.py failed: ${r.stderr.trim().split('\n').pop()}` }, torch: { skipped: 'reference.py failed' } };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function throughput() {
  const shape = [32, 256, 56, 56];
  const total = shape.reduce((a, b) => a * b, 1);
  const file = path.join(benchDir, 'bn_32x256x56x56.npy');
  if (!fs.existsSync(file) || fs.statSync(file).size !== 128 + total * 4) {
    console.log(`generating ${path.relative(root, file)} (${(total * 4 / 2 ** 20).toFixed(0)} MiB)…`);
    writeNpy(file, shape, total, (slice) => fillNormal(slice, 12345));
  }
  // the same figures channels-last (NHWC, as Keras and TensorFlow keep activations): a channel is every 256th value
  const lastShape = [32, 56, 56, 256];
  const lastFile = path.join(benchDir, 'bn_32x56x56x256.npy');
  if (!fs.existsSync(lastFile) || fs.statSync(lastFile).size !== 128 + total * 4) {
    console.log(`generating ${path.relative(root, lastFile)} (${(total * 4 / 2 ** 20).toFixed(0)} MiB)…`);
    writeNpy(lastFile, lastShape, total, (slice) => fillNormal(slice, 54321));
  }
  const inMemory = (f) => {
    const bytes = fs.readFileSync(f);
    const shared = new SharedArrayBuffer(bytes.byteLength);
    new Uint8Array(shared).set(bytes);
    return { source: { kind: 'memory', bytes: shared, fileName: 'x.npy', tensor: '' }, x: new Float32Array(shared, bytes.byteLength - total * 4, total) };
  };
  const { source: memory, x } = inMemory(file);
  const { source: lastMemory } = inMemory(lastFile);
  const onDisk = { kind: 'file', path: file, tensor: '' };
  const size = total * 4;

  const pool = new E.EnginePool(workerPath, log);
  const channelMap = { run: 56 * 56, mod: 256 };
  const bnOptions = { ...E.DEFAULT_INSPECT_OPTIONS, op: 'batchnorm', mode: 'train', channelAxis: 1, eps: 1e-5 };
  const lastBnOptions = { ...bnOptions, channelAxis: 3 };
  const out = new SharedArrayBuffer(size);
  const copyTarget = new Float32Array(total);
  const engine = {};
  const measure = async () => {
    const take = async (key, f) => { engine[key] = Math.min(engine[key] ?? Infinity, await best(runs, f)); };
    await take('copy', () => copyTarget.set(x));
    await take('stats', () => pool.groupMoments(memory, channelMap).promise);
    await take('forward', () => pool.forwardInto(memory, bnOptions, out).promise);
    await take('inspectNone', () => pool.inspect(onDisk, { ...E.DEFAULT_INSPECT_OPTIONS, op: 'none', channelAxis: 1 }).promise);
    await take('inspectBn', () => pool.inspect(onDisk, bnOptions).promise);
    await take('statsLast', () => pool.groupMoments(lastMemory, { run: 1, mod: 256 }).promise);
    await take('forwardLast', () => pool.forwardInto(lastMemory, lastBnOptions, out).promise);
    await take('inspectBnLast', () => pool.inspect({ kind: 'file', path: lastFile, tensor: '' }, lastBnOptions).promise);
  };
  console.log(`engine: ${pool.size} workers (os.availableParallelism() = ${os.availableParallelism()}), min of ${runs} runs, twice around the references`);
  await pool.groupMoments(memory, channelMap).promise; // starts the workers
  await measure();
  const ref = references(file);
  const lastRef = references(lastFile, 3);
  await measure();
  pool.dispose();

  // in this thread: the TypeScript reference loops (no kernels), and a whole inspect() with the kernels
  const oneThread = {};
  oneThread.ts = await best(Math.min(runs, 3), () => new E.GroupMoments(256, null).add(x, 0, channelMap));
  const inspectOne = async (options) => {
    const opened = await E.openTensorFile(file);
    try {
      return (await E.inspect(E.entryElements(opened.entry), options)).millis;
    } finally {
      await opened.close();
    }
  };
  oneThread.inspectNone = await best(Math.min(runs, 3), () => inspectOne({ ...E.DEFAULT_INSPECT_OPTIONS, op: 'none', channelAxis: 1 }));

  const bandwidth = (2 * size) / engine.copy; // bytes read + written per ms
  const frac = (moved, ms) => `${((moved / ms / bandwidth) * 100).toFixed(0)}%`;
  const np = ref.numpy ?? {};
  const th = ref.torch ?? {};
  const npLast = lastRef.numpy ?? {};
  const thLast = lastRef.torch ?? {};
  const rows = [
    ['memory copy of the tensor (read + write)', engine.copy, undefined, undefined, `${(bandwidth / 1e6).toFixed(1)} GB/s`],
    ['per-channel statistics (mean, var, min, max, counts)', engine.stats, np.stats, th.stats, frac(size, engine.stats)],
    ['BatchNorm2d train forward (statistics + y)', engine.forward, np.batchnorm, th.batchnorm, frac(3 * size, engine.forward)],
    ['inspect, no op (moments, histograms, quantiles) from .npy', engine.inspectNone, undefined, undefined, frac(2 * size, engine.inspectNone)],
    ['inspect, BatchNorm train (+ x̂ statistics, histograms) from .npy', engine.inspectBn, undefined, undefined, frac(2 * size, engine.inspectBn)],
    ['channels-last (32, 56, 56, 256): per-channel statistics', engine.statsLast, npLast.stats, thLast.stats, frac(size, engine.statsLast)],
    ['channels-last: BatchNorm2d train forward (statistics + y)', engine.forwardLast, npLast.batchnorm, thLast.batchnorm, frac(3 * size, engine.forwardLast)],
    ['channels-last: inspect, BatchNorm train, from .npy', engine.inspectBnLast, undefined, undefined, frac(2 * size, engine.inspectBnLast)],
    ['per-channel statistics, 1 thread, TypeScript reference loops', oneThread.ts, np.stats, th.stats, frac(size, oneThread.ts)],
    ['inspect, no op, 1 thread (in process)', oneThread.inspectNone, undefined, undefined, frac(2 * size, oneThread.inspectNone)],
  ];
  console.log(`\nfloat32 (${shape.join(', ')}), ${(size / 2 ** 20).toFixed(0)} MiB; ms = min of ${runs} runs`);
  console.log(`numpy: ${np.skipped ? `skipped: ${np.skipped}` : `${np.version} (${python})`}; torch: ${th.skipped ? `skipped: ${th.skipped}` : `${th.version}, ${th.threads} threads`}`);
  const widths = [66, 10, 10, 10, 12, 12, 12];
  const line = (cells) => console.log(cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(''));
  line(['figure', 'engine ms', 'numpy ms', 'torch ms', 'numpy/eng', 'torch/eng', 'bandwidth']);
  for (const [name, ms, n, t, bw] of rows) line([name, fmt(ms), fmt(n), fmt(t), ratio(n, ms), ratio(t, ms), bw]);
  fs.writeFileSync(path.join(benchDir, 'throughput.json'), JSON.stringify({ engine, oneThread, ref, lastRef, bandwidthGBs: bandwidth / 1e6 }, null, 2));
}

/** A .safetensors file holding one float32 tensor `name` of `shape`, filled slice by slice. */
function writeSafetensors(file, name, shape, sliceElements, fill) {
  const total = shape.reduce((a, b) => a * b, 1);
  let json = JSON.stringify({ [name]: { dtype: 'F32', shape, data_offsets: [0, total * 4] } });
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const header = new Uint8Array(8 + json.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(json.length), true);
  header.set(Buffer.from(json, 'latin1'), 8);
  writeSlices(file, header, total, sliceElements, fill);
}

function catMillis(file) {
  const once = () => {
    const t = performance.now();
    execFileSync('sh', ['-c', `cat "${file}" > /dev/null`]);
    return performance.now() - t;
  };
  once(); // into the page cache
  return Math.min(once(), once(), once());
}

/**
 * Reading alone, pass 1 alone and pass 2 alone over the tensor, each split in halves over two threads as the pool
 * splits it (the same reader and passes as the engine workers): where an inspection's time goes. Min of `n` runs.
 */
async function passBreakdown(source, options, total, n) {
  const half = (step, moments) => Promise.all([0, 1].map((i) => new Promise((resolve, reject) => {
    const worker = new Worker(path.join(benchDir, 'passWorker.cjs'), {
      workerData: { path: source.path, tensor: source.tensor, options, step, from: Math.floor((total * i) / 2), to: Math.floor((total * (i + 1)) / 2), moments },
    });
    worker.once('message', (m) => { resolve(m); void worker.terminate(); });
    worker.once('error', reject);
  })));
  const wall = {};
  let moments;
  for (let i = 0; i < n; i++) {
    for (const step of ['read', 'moments', 'binning']) {
      // each thread times its own range (from its first read to its state), so thread start-up is left out
      const parts = await half(step, moments);
      if (step === 'moments') {
        moments = parts[0].state;
        for (const list of E.momentLists(parts.map((p) => p.state))) E.mergeInto(list);
      }
      wall[step] = Math.min(wall[step] ?? Infinity, Math.max(...parts.map((p) => p.ms)));
    }
  }
  return wall;
}

async function scaleFile(pool, { label, kind, file, shape, write, breakdown, ops = ['none'] }) {
  if (!fs.existsSync(file)) {
    console.log(`writing ${path.relative(root, file)} (${label})…`);
    write(file);
  }
  const source = { kind: 'file', path: file, tensor: kind === 'npy' ? '' : 'features' };
  const size = fs.statSync(file).size;
  const cat = catMillis(file);
  for (const op of ops) await scaleInspect(pool, { label, kind, shape, breakdown, op, source, size, cat });
  if (!process.argv.includes('--keep')) fs.rmSync(file);
}

/** Inspections of one scale file with `op`: time against cat, preview, host memory and event loop, cancel, payload. */
async function scaleInspect(pool, { label, kind, shape, breakdown, op, source, size, cat }) {
  const options = { ...E.DEFAULT_INSPECT_OPTIONS, op, channelAxis: 1 };
  // the host's view: resident memory sampled every 20 ms, event-loop delay over each whole run; the machine may be
  // shared, so the inspection runs a few times and the fastest run is reported (with every run's loop delay)
  const rss0 = process.memoryUsage().rss;
  let rssMax = rss0;
  const sampler = setInterval(() => { rssMax = Math.max(rssMax, process.memoryUsage().rss); }, 20);
  const measured = [];
  for (let i = 0; i < scaleRuns; i++) {
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const t = performance.now();
    let progressEvents = 0;
    let previewMs = NaN;
    const result = await pool.inspect(source, options, () => progressEvents++, () => { previewMs = performance.now() - t; }).promise;
    const ms = performance.now() - t;
    loop.disable();
    measured.push({ result, ms, previewMs, progressEvents, loopMax: loop.max / 1e6, loopP99: loop.percentile(99) / 1e6 });
  }
  clearInterval(sampler);
  const { result, ms, previewMs, progressEvents, loopMax, loopP99 } = measured.reduce((a, b) => (b.ms < a.ms ? b : a));
  // cancellation: start again, cancel after a third of the run, time until the job has stopped
  const job = pool.inspect(source, options);
  await new Promise((r) => setTimeout(r, ms / 3));
  const c = performance.now();
  job.cancel();
  const cancelled = await job.promise.then(() => 'finished first', (e) => e.name);
  const cancelMs = performance.now() - c;
  const gbs = (bytes, millis) => `${(bytes / millis / 1e6).toFixed(2)} GB/s`;
  console.log(`\n${label} .${kind} (${shape.join(', ')}) float32, inspect op ${op}${op === 'layernorm' ? ` over the last axis (${result.normalization.groups} rows)` : ''}, ${pool.size} workers, ${result.channels} channels; `
    + `load average ${os.loadavg()[0].toFixed(2)}`);
  console.log(`  cat from the page cache:      ${fmt(cat)} ms (${gbs(size, cat)})`);
  const passes = new E.InspectPlan(shape, 'float32', options).passes;
  console.log(`  inspect (${passes} passes):           ${fmt(ms)} ms, fastest of ${scaleRuns} (${gbs(size, ms)} of file; ${(cat / ms).toFixed(2)} of cat's throughput), `
    + `${progressEvents} progress events; all runs: ${measured.map((m) => fmt(m.ms)).join(', ')} ms`);
  console.log(`  pass 1's preview (moments):   ${Number.isNaN(previewMs) ? 'none (below the pool\'s preview size)' : `${fmt(previewMs)} ms after the start`}`);
  console.log(`  host memory growth:           ${((rssMax - rss0) / 2 ** 20).toFixed(0)} MB (rss ${(rss0 / 2 ** 20).toFixed(0)} → max ${(rssMax / 2 ** 20).toFixed(0)} MB)`);
  console.log(`  host event-loop delay:        max ${fmt(loopMax)} ms, p99 ${fmt(loopP99)} ms in the fastest run; `
    + `max per run: ${measured.map((m) => fmt(m.loopMax)).join(', ')} ms`);
  console.log(`  cancel after ${fmt(ms / 3)} ms:    stopped in ${fmt(cancelMs)} ms (${cancelled})`);
  // what VS Code moves for the result message: JSON plus the typed arrays' bytes (src/shared/resultWire.ts)
  const payload = E.payloadBytes({ type: 'result', requestId: 1, result: E.encodeResult(result, E.channelWindow(result.channels, 0)) });
  console.log(`  result message to the webview: ${(payload / 1024).toFixed(0)} KiB (${(JSON.stringify(result).length / 1024).toFixed(0)} KiB as plain JSON)`);
  if (breakdown && op === 'none') {
    const total = shape.reduce((a, b) => a * b, 1);
    const parts = await passBreakdown({ ...source, shape }, options, total, scaleRuns);
    const of = (step) => `${fmt(parts[step])} ms (${gbs(size, parts[step])})`;
    console.log(`  breakdown, 2 threads × half:  read only ${of('read')}; pass 1 (moments) ${of('moments')}; pass 2 (histograms, quantiles) ${of('binning')}`);
    console.log(`                                compute beyond reading: pass 1 ${fmt(parts.moments - parts.read)} ms, pass 2 ${fmt(parts.binning - parts.read)} ms; `
      + `sum of the parts ${fmt(parts.moments + parts.binning)} ms vs the pool's ${fmt(ms)} ms`);
  }
}

async function scaleRun() {
  const slice = 1 << 24;
  // one slice of normal values, shifted per slice: cheap to write, and channels still differ
  const base = fillNormal(new Float32Array(slice), 1000);
  const fill = (s, i) => { const shift = (i % 7) - 3; for (let j = 0; j < s.length; j++) s[j] = base[j] + shift; };
  const gib1 = [16, 256, 256, 256]; // 2^28 float32 = 1 GiB
  const gib4 = [64, 256, 256, 256]; // 2^30 float32 = 4 GiB
  const pool = new E.EnginePool(workerPath, log);
  const files = [
    // LayerNorm too: a group per row (a million, four million), normalized chunk by chunk
    { label: '1 GiB', kind: 'npy', file: path.join(benchDir, 'scale_1GiB.npy'), shape: gib1, write: (f) => writeNpy(f, gib1, slice, fill), ops: ['none', 'layernorm'] },
    {
      label: '4 GiB', kind: 'npy', file: path.join(benchDir, 'scale_4GiB.npy'), shape: gib4, write: (f) => writeNpy(f, gib4, slice, fill),
      breakdown: true, ops: ['none', 'layernorm'],
    },
    {
      label: '4 GiB', kind: 'safetensors', file: path.join(benchDir, 'scale_4GiB.safetensors'), shape: gib4,
      write: (f) => writeSafetensors(f, 'features', gib4, slice, fill), breakdown: true,
    },
  ];
  for (const f of files) await scaleFile(pool, f);
  pool.dispose();
}

/** Activation (load the production bundle, call activate) in fresh processes, and the package size. */
function startup() {
  const times = Array.from({ length: 5 }, () => JSON.parse(execFileSync(process.execPath,
    [path.join(root, 'scripts/bench/activation.cjs'), root], { encoding: 'utf8' }).trim()));
  const load = Math.min(...times.map((t) => t.load));
  const activate = Math.min(...times.map((t) => t.activate));
  console.log(`
startup: loading dist/extension.js ${fmt(load)} ms + activate() ${fmt(activate)} ms (min of 5 fresh processes; no worker is started)`);
  const vsix = path.join(root, 'normscope.vsix');
  const bundles = ['extension.js', 'worker.js', 'webview.js', 'webview.css'].map((f) => fs.statSync(path.join(root, 'dist', f)).size);
  console.log(`package: bundles ${(bundles.reduce((a, b) => a + b, 0) / 1024).toFixed(0)} KiB (extension ${(bundles[0] / 1024).toFixed(0)}, worker ${(bundles[1] / 1024).toFixed(0)}, `
    + `webview ${((bundles[2] + bundles[3]) / 1024).toFixed(0)})`
    + (fs.existsSync(vsix) ? `; normscope.vsix ${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB (from \`npm run package\`, ${fs.statSync(vsix).mtime.toISOString()})` : '; run `npm run package` for the .vsix size'));
}

if (process.argv.includes('--scale')) await scaleRun();
else {
  await throughput();
  startup();
}
