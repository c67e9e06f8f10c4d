/**
 * Several BatchNorm training steps in a row (SEMANTICS.md "Simulating several updates"): mini-batches split
 * from the batch axis (axis 0), or the same batch repeated, each step feeding its running statistics and
 * num_batches_tracked into the next, exactly as a framework's training loop would.
 */
import { EngineError } from '../errors';
import { elementCount, normalizeAxis, type DenseTensor } from '../tensor';
import { batchNorm, type BatchNormOptions } from './batchNorm';
import { requireElements } from './checks';
import type { RunningStatistics } from './running';

export type UpdateSchedule = { split: number } | { repeat: number };

function batchesOf(x: DenseTensor, schedule: UpdateSchedule): DenseTensor[] {
  if ('repeat' in schedule) {
    if (!Number.isInteger(schedule.repeat) || schedule.repeat < 1) throw new EngineError(`repeat must be an integer >= 1, got ${schedule.repeat}.`);
    return new Array<DenseTensor>(schedule.repeat).fill(x);
  }
  const size = schedule.split;
  const n = x.shape[0];
  if (!Number.isInteger(size) || size < 1) throw new EngineError(`the mini-batch size must be an integer >= 1, got ${size}.`);
  const perSample = elementCount(x.shape.slice(1));
  const batches: DenseTensor[] = [];
  for (let start = 0; start < n; start += size) {
    const count = Math.min(size, n - start);
    batches.push({ dtype: x.dtype, shape: [count, ...x.shape.slice(1)], data: x.data.subarray(start * perSample, (start + count) * perSample) });
  }
  return batches;
}

/** The running statistics after each step; options need running_mean and running_var (mode is train). */
export function batchNormRunningSequence(x: DenseTensor, options: BatchNormOptions, schedule: UpdateSchedule): RunningStatistics[] {
  requireElements(x, 'x');
  if ('split' in schedule && normalizeAxis(options.channelAxis ?? 1, x.shape.length, 'channel axis') === 0) {
    throw new EngineError('splitting into mini-batches uses axis 0 as the batch axis, but it is the channel axis here.');
  }
  if (!options.runningMean || !options.runningVar) {
    throw new EngineError('a running-statistics sequence needs running_mean and running_var to start from.');
  }
  const steps: RunningStatistics[] = [];
  let runningMean = options.runningMean;
  let runningVar = options.runningVar;
  let numBatchesTracked = options.update?.numBatchesTracked ?? 0;
  for (const batch of batchesOf(x, schedule)) {
    const r = batchNorm(batch, { ...options, mode: 'train', gradY: undefined, runningMean, runningVar, update: { ...options.update, numBatchesTracked } });
    const running = r.running as RunningStatistics;
    steps.push(running);
    runningMean = { dtype: 'float64', shape: [running.mean.length], data: running.mean };
    runningVar = { dtype: 'float64', shape: [running.variance.length], data: running.variance };
    numBatchesTracked = running.numBatchesTracked;
  }
  return steps;
}
