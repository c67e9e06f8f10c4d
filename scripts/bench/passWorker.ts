// The benchmark's breakdown of a split inspection (`npm run bench -- --scale`): one worker thread of it reads its
// range of the tensor through the engine worker's reader and, per `step`, only reads, or runs inspect pass 1 or 2
// over it. Bundled by scripts/bench.mjs; answers { ms, state } for the range.
import { parentPort, workerData } from 'node:worker_threads';
import { InspectPlan, NO_CONTROL, type MomentsPass } from '../../src/engine/inspect/inspect';
import type { InspectOptions } from '../../src/engine/inspect/types';
import { Kernels, warmUpKernels } from '../../src/engine/wasm/kernels';
import { withSourceEntry } from '../../src/node/tensorFiles';
import { visitRange } from '../../src/worker/rangeChunks';

interface Job {
  path: string;
  tensor: string;
  options: InspectOptions;
  step: 'read' | 'moments' | 'binning';
  from: number;
  to: number;
  moments?: MomentsPass;
}

const job = workerData as Job;
warmUpKernels();
void withSourceEntry({ kind: 'file', path: job.path, tensor: job.tensor }, async (entry) => {
  const kernels = Kernels.create();
  const plan = new InspectPlan(entry.shape, entry.dtype, job.options);
  const run = job.step === 'moments' ? plan.moments(kernels) : job.step === 'binning' ? plan.binning(job.moments!, kernels) : null;
  const t = performance.now();
  await visitRange(entry, job.from, job.to, kernels, NO_CONTROL, (chunk, start) => run?.add(chunk, start));
  const state = run?.state();
  parentPort!.postMessage({ ms: performance.now() - t, state });
});
