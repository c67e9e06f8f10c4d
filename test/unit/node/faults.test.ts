/**
 * Faults and load on the real engine workers (dist/worker.js, built by `npm run test:unit`): a worker crashing
 * mid-computation, a file truncated or deleted while it is read, cancellation, and bursts of superseding
 * requests. Each must end in a result or a typed user error, and the pool must keep working afterwards.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnginePool, type JobHandle } from '../../../src/node/enginePool';
import { encodeNpy } from '../../../src/formats/npy';
import { DEFAULT_INSPECT_OPTIONS, type InspectOptions, type InspectResult } from '../../../src/engine/inspect/types';
import type { WorkerSource } from '../../../src/shared/workerProtocol';
import type { UserError } from '../../../src/engine/errors';
import { assertClose, repoRoot } from '../helpers';

const quiet = { warn: () => undefined, error: () => undefined };
const options: InspectOptions = { ...DEFAULT_INSPECT_OPTIONS, op: 'batchnorm', channelAxis: 1, bins: 32 };
/**
 * (64, 8, 256, 256) float32 = 128 MiB: several passes over it take long enough that a crash or cancel posted at the
 * first progress report lands mid-run even on a fast machine; values i % 97 so the statistics are known exactly.
 */
const SHAPE = [64, 8, 256, 256];

function writeTensor(file: string, shape = SHAPE): void {
  const n = shape.reduce((a, b) => a * b);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = i % 97;
  fs.writeFileSync(file, encodeNpy('float32', shape, new Uint8Array(data.buffer)));
}

/** numpy-free reference: channel c holds (i % 97) for its indices i, computed here in float64 by brute force. */
function referenceMean(shape: number[], channel: number): number {
  const [n, c, h, w] = shape;
  let s = 0;
  for (let b = 0; b < n; b++) for (let k = 0; k < h * w; k++) s += ((b * c + channel) * h * w + k) % 97;
  return s / (n * h * w);
}

/** Resolves at the job's first progress report: the work is under way. */
function started(pool: EnginePool, source: WorkerSource): { job: JobHandle<InspectResult>; running: Promise<void> } {
  let onProgress!: () => void;
  const running = new Promise<void>((r) => { onProgress = r; });
  const job = pool.inspect(source, options, () => onProgress());
  return { job, running };
}

describe('engine workers under faults and load', function () {
  this.timeout(120000);
  let dir: string;
  let pool: EnginePool;
  const file = () => path.join(dir, 'big.npy');
  const source = (f = file()): WorkerSource => ({ kind: 'file', path: f, tensor: '' });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'normscope-faults-'));
    writeTensor(file());
    pool = new EnginePool(path.join(repoRoot, 'dist', 'worker.js'), quiet);
  });

  afterEach(() => {
    pool.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a worker crashing mid-computation rejects the job with a message, and the next job runs', async () => {
    const { job, running } = started(pool, source());
    await running;
    pool.crashForTest();
    await assert.rejects(job.promise, (e: Error) => e.name === 'UserError' && /stopped unexpectedly|failed/.test(e.message));
    const again = await pool.inspect(source(), options).promise;
    assertClose(again.channel.before[3].mean, referenceMean(SHAPE, 3), 1e-12, 1e-12, 'channel 3 mean after the restart');
  });

  it('a file truncated while it is read gives a format error naming the truncation', async () => {
    const { job, running } = started(pool, source());
    await running;
    fs.truncateSync(file(), 1 << 20);
    await assert.rejects(job.promise, (e: UserError) => e.area === 'format' && /truncated or changed while being read/.test(e.message));
    await assert.rejects(pool.inspect(source(), options).promise, (e: UserError) => e.area === 'format' && /truncated or its header lies/.test(e.message));
  });

  it('a file deleted while it is read is finished from the open handle; opening it again says it is gone', async () => {
    const { job, running } = started(pool, source());
    await running;
    fs.rmSync(file());
    // POSIX keeps an unlinked file readable through open handles: the run completes with the right numbers
    const r = await job.promise.catch((e: Error) => e);
    if (r instanceof Error) assert.equal(r.name, 'UserError', r.message);
    else assertClose(r.channel.before[0].mean, referenceMean(SHAPE, 0), 1e-12, 1e-12, 'channel 0 mean');
    await assert.rejects(pool.inspect(source(), options).promise, (e: Error) => e.name === 'UserError' && /ENOENT/.test(e.message));
  });

  it('cancelling a running job rejects it as cancelled', async () => {
    const { job, running } = started(pool, source());
    await running;
    job.cancel();
    await assert.rejects(job.promise, (e: Error) => e.name === 'CancelledError');
  });

  it('100 superseding requests: each cancels the one before, the last one\'s numbers are right, memory stays bounded', async () => {
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const jobs: JobHandle<InspectResult>[] = [];
    for (let i = 0; i < 100; i++) {
      jobs.at(-1)?.cancel();
      jobs.push(pool.inspect(source(), { ...options, bins: 10 + i }));
      await new Promise((r) => setTimeout(r, 10)); // 100 requests in about a second, as a user dragging a control
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const outcomes = await Promise.allSettled(jobs.map((j) => j.promise));
    const last = outcomes.at(-1)!;
    assert.equal(last.status, 'fulfilled');
    const result = (last as PromiseFulfilledResult<InspectResult>).value;
    assert.equal(result.options.bins, 109);
    assertClose(result.channel.before[5].mean, referenceMean(SHAPE, 5), 1e-12, 1e-12, 'channel 5 mean');
    for (const o of outcomes.slice(0, -1)) if (o.status === 'rejected') assert.equal((o.reason as Error).name, 'CancelledError');
    const cancelled = outcomes.filter((o) => o.status === 'rejected').length;
    console.log(`      100 requests: ${cancelled} cancelled, ${100 - cancelled} finished; host RSS ${(rss0 / 2 ** 20).toFixed(0)} → peak ${(peak / 2 ** 20).toFixed(0)} MiB`);
    assert.ok(peak - rss0 < 512 * 2 ** 20, `host memory grew by ${((peak - rss0) / 2 ** 20).toFixed(0)} MiB`);
  });

  it('ten large files at once all finish with their own numbers', async () => {
    const shapes = Array.from({ length: 10 }, (_, k) => [2 + k, 8, 64, 64]);
    const files = shapes.map((s, k) => {
      const f = path.join(dir, `t${k}.npy`);
      writeTensor(f, s);
      return f;
    });
    const results = await Promise.all(files.map((f) => pool.inspect(source(f), options).promise));
    results.forEach((r, k) => {
      assert.deepEqual(r.shape, shapes[k]);
      assertClose(r.channel.before[7].mean, referenceMean(shapes[k], 7), 1e-12, 1e-12, `file ${k} channel 7 mean`);
    });
  });
});

describe('state-dict layers through the engine workers', () => {
  it('lists the sample model\'s norm layers and reads bn1\'s parameters as numpy does', async () => {
    const pool = new EnginePool(path.join(repoRoot, 'dist', 'worker.js'), quiet);
    try {
      const source: WorkerSource = { kind: 'file', path: path.join(repoRoot, 'samples', 'digits_cnn_state.npz'), tensor: '' };
      const { layers } = await pool.list(source).promise;
      const bn1 = layers.find((l) => l.prefix === 'bn1');
      assert.ok(bn1 && bn1.kind === 'batchnorm' && bn1.runningVar === 'bn1.running_var');
      const p = await pool.layerParameters(source, bn1).promise;
      // numpy: np.load('samples/digits_cnn_state.npz')['bn1.running_var'][:3], ['bn1.weight'][:3]
      [0.02000037394464016, 0.023746835067868233, 0.050489068031311035].forEach((v, c) => assert.equal(p.runningVar![c], v));
      [1.0210236310958862, 1.0912957191467285, 0.9389718770980835].forEach((v, c) => assert.equal(p.scale![c], v));
      assert.equal(p.runningMean!.length, bn1.channels);
      assert.equal(p.bias!.length, bn1.channels);
    } finally {
      pool.dispose();
    }
  });
});
