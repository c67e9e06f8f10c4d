/**
 * Running-statistics updates in both conventions SEMANTICS.md names. Each is `running = (1-w)·running + w·batch`
 * with a different weight w and a different batch variance:
 * - PyTorch: w = momentum (default 0.1), or 1/num_batches_tracked after the increment when momentum is None
 *   (a cumulative average); the batch variance stored is unbiased (·n/(n-1)).
 * - Keras / TensorFlow / ONNX: w = 1 - momentum (momentum default 0.99 in Keras, 0.9 in ONNX); biased variance.
 */
import { EngineError } from '../errors';
import { elementCount, type DenseTensor } from '../tensor';
import { shapeText } from './affine';

export type RunningConvention = 'pytorch' | 'keras';
export type VarianceEstimator = 'unbiased' | 'biased';

export const DEFAULT_MOMENTUM: Readonly<Record<RunningConvention, number>> = { pytorch: 0.1, keras: 0.99 };
export const DEFAULT_ESTIMATOR: Readonly<Record<RunningConvention, VarianceEstimator>> = { pytorch: 'unbiased', keras: 'biased' };

export interface RunningUpdateOptions {
  convention: RunningConvention;
  /** In the convention's own meaning; null is PyTorch's momentum=None (cumulative average). */
  momentum: number | null;
  /** PyTorch's num_batches_tracked before this update. */
  numBatchesTracked: number;
  /** Overrides the convention's estimator for the stored variance (to compare conventions like for like). */
  varianceEstimator?: VarianceEstimator;
}

/** Running statistics as given by the user, one value per channel. */
export interface RunningInput {
  mean: Float64Array;
  variance: Float64Array;
}

export interface RunningStatistics {
  mean: Float64Array;
  variance: Float64Array;
  numBatchesTracked: number;
  /** w in running = (1-w)·running + w·batch. */
  batchWeight: number;
  convention: RunningConvention;
  varianceEstimator: VarianceEstimator;
}

/** A resolved update: the batch weight and estimator, and the counter after this step. */
export interface RunningStep {
  batchWeight: number;
  varianceEstimator: VarianceEstimator;
  numBatchesTracked: number;
  convention: RunningConvention;
}

function perChannel(t: DenseTensor, channels: number, what: string): Float64Array {
  const n = elementCount(t.shape);
  if (n !== channels || t.shape.filter((d) => d !== 1).length > 1) {
    throw new EngineError(`${what} has shape ${shapeText(t.shape)} but x has ${channels} channels: expected ${channels} values.`);
  }
  return Float64Array.from(t.data);
}

export function readRunningInput(mean: DenseTensor, variance: DenseTensor, channels: number): RunningInput {
  const m = perChannel(mean, channels, 'running_mean');
  const v = perChannel(variance, channels, 'running_var');
  const bad = v.findIndex((x) => x < 0);
  if (bad >= 0) throw new EngineError(`running_var[${bad}] is ${v[bad]}: a variance cannot be negative.`);
  return { mean: m, variance: v };
}

export function resolveRunningStep(opts: RunningUpdateOptions): RunningStep {
  const { convention, momentum, numBatchesTracked } = opts;
  if (!Number.isInteger(numBatchesTracked) || numBatchesTracked < 0) {
    throw new EngineError(`num_batches_tracked must be an integer >= 0, got ${numBatchesTracked}.`);
  }
  if (momentum !== null && !(momentum >= 0 && momentum <= 1)) {
    throw new EngineError(`momentum must be between 0 and 1, got ${momentum}.`);
  }
  if (momentum === null && convention !== 'pytorch') {
    throw new EngineError(`momentum none (cumulative average) exists only in the pytorch convention, not in ${convention}.`);
  }
  const tracked = numBatchesTracked + 1;
  const batchWeight = momentum === null ? 1 / tracked : convention === 'pytorch' ? momentum : 1 - momentum;
  return { batchWeight, varianceEstimator: opts.varianceEstimator ?? DEFAULT_ESTIMATOR[convention], numBatchesTracked: tracked, convention };
}

/** The batch variance to store: biased as measured, or times n/(n-1) (NaN for n = 1, as torch gives). */
export function varianceToStore(biased: number, n: number, estimator: VarianceEstimator): number {
  if (estimator === 'biased') return biased;
  return n > 1 ? (biased * n) / (n - 1) : NaN;
}

/** One update step; `batchVariance` is already in the step's estimator. */
export function updateRunning(input: RunningInput, batchMean: Float64Array, batchVariance: Float64Array,
  step: RunningStep): RunningStatistics {
  const w = step.batchWeight;
  return {
    mean: input.mean.map((r, c) => (1 - w) * r + w * batchMean[c]),
    variance: input.variance.map((r, c) => (1 - w) * r + w * batchVariance[c]),
    numBatchesTracked: step.numBatchesTracked,
    batchWeight: w,
    convention: step.convention,
    varianceEstimator: step.varianceEstimator,
  };
}
