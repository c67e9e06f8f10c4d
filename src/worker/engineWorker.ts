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
import { keepSpares, spareWorthy } from '../engine/stateArrays';
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

/**
 * A worker lowers its thread's priority when it is given long work, a range of at least LONG_WORK_ELEMENTS (a
 * 512 MiB float32 tensor split over two workers: seconds of passes on a busy machine): while that keeps every core
 * busy, the extension host (and the editor around it) must still get the CPU the moment it needs it. Shorter work,
 * such as a 100 MB file's first view, runs at normal priority: at niceness 10 it got the CPU only when the rest of
 * the machine left some (the workbench loading the inspector's page, or any other program), and a cold worker pool
 * inspecting 100 MB beside two busy processes took 1.0 s instead of 0.84 s when they stopped after 0.4 s, and
 * 2.8-3.1 s instead of 0.85-1.8 s when they ran 3 s. The priority stays lowered: raising it again takes a
 * privilege. On Linux a thread's id names it to setpriority; elsewhere the workers keep the default priority.
 */
const LONG_WORK_ELEMENTS = 1 << 26;
const WORKER_NICENESS = 10;
let priorityLowered = false;
function lowerPriority(): void {
  if (priorityLowered) return;
  priorityLowered = true;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, WORKER_NICENESS);
  } catch {
    // not Linux, or not permitted: run at the default priority
  }
}

/**
 * The kernels get ready while the worker has nothing else to do: the WebAssembly module (its bytes come with the
 * bundle) is compiled and instantiated (5-7 ms idle; every first pass needs it) once no request is being answered
 * (after the first answer, or WARM_UP_IDLE_MS after start when no request came), and the kernels run rounds on
 * made-up data (tier-up, memory touched, so the first tensor's passes run on optimized kernels) once the worker has
 * been idle for WARM_UP_IDLE_MS.
 * Never while a request is being answered, and no rounds right after a listing: the inspector asks for its first
 * statistics as soon as it has the listing, and a round there delayed them by 20-380 ms in the end-to-end test. A
 * step at a time, so that a request arriving meanwhile waits for one step at most; no rounds once a computation came
 * (its own passes warm the kernels).
 */
const WARM_UP_IDLE_MS = 50;
let warmUpRounds = 8;
let kernelsCompiled = false;
let answering = 0;
let idleTimer: NodeJS.Timeout | undefined;

function whenIdle(): void {
  if (answering > 0) return;
  if (!kernelsCompiled) setImmediate(compileKernels);
  else if (warmUpRounds > 0) idleTimer = setTimeout(warmUpRound, WARM_UP_IDLE_MS);
}
// the first request (the pool sends it as it starts the worker) comes a loop turn after this code ran
idleTimer = setTimeout(whenIdle, WARM_UP_IDLE_MS);

function compileKernels(): void {
  if (answering > 0 || kernelsCompiled) return;
  kernelsCompiled = true;
  Kernels.create()?.release();
  whenIdle();
}

function warmUpRound(): void {
  if (answering > 0 || warmUpRounds-- <= 0) return;
  warmUpKernels(1);
  setImmediate(warmUpRound);
}

/** Every request gets one answer (progress aside): the worker is idle again when none is left. */
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => {
  port.postMessage(m, transfer);
  if (m.type === 'progress') return;
  answering--;
  whenIdle();
};

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
  answering++;
  clearTimeout(idleTimer);
  if (m.type !== 'list' && m.type !== 'describe' && m.type !== 'layerParameters') warmUpRounds = 0;
  if ('from' in m && m.to - m.from >= LONG_WORK_ELEMENTS) lowerPriority();
  if (m.type === 'crash') process.exit(70);
  try {
    switch (m.type) {
      case 'list':
        post({ type: 'listed', id: m.id, listing: await listSource(m.source) });
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
        if (m.spares) keepSpares(m.spares);
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
        // the result holds numbers and arrays of its own: the states' big buffers go back to the pool for reuse
        const spares = spareWorthy(stateBuffers([m.binning, m.after]));
        post({ type: 'inspected', id: m.id, result, spares }, spares);
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
