/**
 * The engine worker: reads tensors from disk and runs the engine off the extension host's thread. One job at a
 * time; each checks its SharedArrayBuffer cancellation flag between chunks and reports progress at most every
 * 100 ms. Besides whole jobs it runs single inspect passes over element ranges, which the pool (enginePool.ts)
 * spreads over a worker per core and merges.
 */
import { readlinkSync } from 'node:fs';
import * as os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { outputDType } from '../engine/dtype';
import { isUserError } from '../engine/errors';
import { inspect, InspectPlan, type PassRun, type RunControl } from '../engine/inspect/inspect';
import { Forward } from '../engine/inspect/normalizeStream';
import { GroupMoments, groupCount, mergeInto, sharedMomentsState, type MomentsState } from '../engine/moments';
import { elementCount } from '../engine/tensor';
import { Kernels, warmUpKernels } from '../engine/wasm/kernels';
import type { TensorEntry } from '../formats/container';
import { entryByteRange } from '../formats/elementRange';
import { entryElements } from '../formats/elementSource';
import { listSource, withContainer, withSourceEntry } from '../node/tensorFiles';
import { readLayerParameters } from '../node/normLayers';
import { writeNormalizedNpy } from '../node/normalizedExport';
import { stateBuffers, type ForwardRequest, type FromWorker, type MomentsRequest, type PassRequest, type ToWorker } from '../shared/workerProtocol';
import { visitRange } from './rangeChunks';

const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');

const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
/**
 * Engine workers run below normal priority: they keep every core busy on a large tensor, and the extension host
 * (and the editor around it) must still get the CPU the moment it needs it. On Linux a thread's id names it to
 * setpriority; elsewhere the workers keep the default priority.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, WORKER_NICENESS);
  } catch {
    // not Linux, or not permitted: run at the default priority
  }
}
const WORKER_NICENESS = 10;
lowerPriority();

/**
 * The kernels warm up while the worker has nothing else to do, so that the first tensor's passes run on optimized
 * kernels in memory already touched: after a first listing, or WARM_UP_IDLE_MS after start when no request came
 * (the pool starts every worker with the first job). Not before a listing: it would wait for the WebAssembly
 * compile (60 ms idle, 250-550 ms under load). A round at a time, so that a request arriving meanwhile waits for
 * one round at most, and no more once a computation came (its own passes warm them).
 */
const WARM_UP_IDLE_MS = 50;
let warmUpRounds = 8;
let warmingUp = false;
const warmUpStep = () => {
  if (warmUpRounds-- <= 0) return;
  warmUpKernels(1);
  setImmediate(warmUpStep);
};
function warmUpSoon(): void {
  if (warmingUp) return;
  warmingUp = true;
  setImmediate(warmUpStep);
}
setTimeout(warmUpSoon, WARM_UP_IDLE_MS);

function control(id: number, cancel: SharedArrayBuffer): RunControl {
  const flag = new Int32Array(cancel);
  let last = 0;
  return {
    isCancelled: () => Atomics.load(flag, 0) !== 0,
    progress: (fraction) => {
      const now = Date.now();
      if (now - last < 100 && fraction < 1) return;
      last = now;
      post({ type: 'progress', id, fraction });
    },
  };
}

async function runPass(entry: TensorEntry, m: PassRequest, ctl: RunControl): Promise<unknown> {
  const plan = new InspectPlan(entry.shape, entry.dtype, m.options);
  return withKernels(async (kernels) => {
    const run: PassRun<unknown> = m.pass === 'moments' ? plan.moments(kernels, true)
      : m.pass === 'binning' ? plan.binning(m.moments!, kernels)
        : plan.afterBinning(m.moments!, m.afterMoments!, kernels);
    await visitRange(entry, m.from, m.to, kernels, ctl, (chunk, start) => run.add(chunk, start));
    return run.state();
  });
}

/** Runs `use` with a kernels instance (reused from earlier jobs, its memory already touched), released after. */
async function withKernels<T>(use: (kernels: Kernels | null) => Promise<T>): Promise<T> {
  const kernels = Kernels.create();
  try {
    return await use(kernels);
  } finally {
    kernels?.release();
  }
}

async function runMoments(entry: TensorEntry, m: MomentsRequest, ctl: RunControl): Promise<MomentsState> {
  return withKernels(async (kernels) => {
    const groups = groupCount(m.map, elementCount(entry.shape));
    const moments = new GroupMoments(groups, kernels, sharedMomentsState(groups));
    await visitRange(entry, m.from, m.to, kernels, ctl, (chunk, start) => moments.add(chunk, start, m.map));
    return moments.state();
  });
}

async function runForward(entry: TensorEntry, m: ForwardRequest, ctl: RunControl): Promise<void> {
  const wide = outputDType(entry.dtype) === 'float64';
  await withKernels(async (kernels) => {
    const y = new Forward(entry.shape, entry.dtype, m.options).output(m.moments, kernels);
    await visitRange(entry, m.from, m.to, kernels, ctl, (chunk, start) => {
      const out = wide ? new Float64Array(m.out, start * 8, chunk.length) : new Float32Array(m.out, start * 4, chunk.length);
      out.set(y(chunk, start));
    });
  });
}

port.on('message', async (m: ToWorker) => {
  if (m.type !== 'list' && m.type !== 'describe' && m.type !== 'layerParameters') warmUpRounds = 0;
  if (m.type === 'crash') process.exit(70);
  try {
    switch (m.type) {
      case 'list':
        post({ type: 'listed', id: m.id, listing: await listSource(m.source) });
        warmUpSoon();
        return;
      case 'layerParameters':
        post({ type: 'layerParameters', id: m.id, parameters: await withContainer(m.source, (c) => readLayerParameters(c, m.layer)) });
        return;
      case 'inspect': {
        const result = await withSourceEntry(m.source, (entry) => inspect(entryElements(entry), m.options, control(m.id, m.cancel)));
        post({ type: 'inspected', id: m.id, result });
        return;
      }
      case 'normalize':
        await withSourceEntry(m.source, (entry) => writeNormalizedNpy(entry, m.options, m.outPath, control(m.id, m.cancel)));
        post({ type: 'normalized', id: m.id, path: m.outPath });
        return;
      case 'describe': {
        // a selection's bytes exist only once its text is parsed: every worker of a split would parse it all again
        const description = await withSourceEntry(m.source, async (entry) => ({
          shape: [...entry.shape], dtype: entry.dtype, splittable: m.source.kind !== 'literal' && entryByteRange(entry) !== null,
        }));
        post({ type: 'described', id: m.id, description });
        return;
      }
      case 'pass': {
        const state = await withSourceEntry(m.source, (entry) => runPass(entry, m, control(m.id, m.cancel)));
        post({ type: 'passed', id: m.id, state: state as Extract<FromWorker, { type: 'passed' }>['state'] }, stateBuffers(state));
        return;
      }
      case 'merge': {
        for (const list of m.lists) mergeInto(list);
        const p = m.preview;
        post({ type: 'merged', id: m.id, preview: p ? new InspectPlan(p.shape, p.dtype, p.options).preview(p.moments, p.millis) : null });
        return;
      }
      case 'moments': {
        const state = await withSourceEntry(m.source, (entry) => runMoments(entry, m, control(m.id, m.cancel)));
        post({ type: 'passed', id: m.id, state });
        return;
      }
      case 'forward':
        await withSourceEntry(m.source, (entry) => runForward(entry, m, control(m.id, m.cancel)));
        post({ type: 'written', id: m.id });
        return;
      case 'finish': {
        const plan = new InspectPlan(m.shape, m.dtype, m.options);
        const binning = m.binning.reduce((a, b) => plan.mergeBinning(a, b));
        const after = m.after ? m.after.reduce((a, b) => plan.mergeAfter(a, b)) : null;
        const result = plan.result(m.moments, binning, after, m.millis);
        post({ type: 'inspected', id: m.id, result });
        return;
      }
      default: {
        const never: never = m;
        throw new Error(`unknown worker message ${JSON.stringify(never)}`);
      }
    }
  } catch (e) {
    post({ type: 'failed', id: m.id, error: describe(e) });
  }
});

function describe(e: unknown): { area?: string; message: string; stack?: string } {
  if (isUserError(e)) return { area: e.area, message: e.message };
  const err = e instanceof Error ? e : new Error(String(e));
  return { message: err.message, stack: err.stack };
}
