/**
 * BatchNorm: statistics per channel over every other axis. Training normalizes with the batch statistics and,
 * when running statistics are given, updates them in the chosen convention; eval normalizes with the running
 * statistics. `statistics` always holds what y was normalized with, so y = (x - mean)·invstd·γ + β holds in
 * both modes.
 */
import { EngineError } from '../errors';
import { channelSplit, normalizeAxis, type DenseTensor } from '../tensor';
import { perChannelParameter, shapeText } from './affine';
import { normalizationBackward, toGradients } from './backward';
import { checkEpsilon, requireElements, requireSameShape } from './checks';
import { batchStatistics, measureGroups, runningStatisticsUsed } from './groupStatistics';
import { normalize } from './kernel';
import type { ChannelOptions } from './options';
import type { NormalizationResult } from './result';
import {
  DEFAULT_MOMENTUM, readRunningInput, resolveRunningStep, updateRunning, varianceToStore,
  type RunningInput, type RunningUpdateOptions,
} from './running';

export type NormMode = 'train' | 'eval';

export interface RunningOptions {
  runningMean?: DenseTensor;
  runningVar?: DenseTensor;
  /** Defaults: pytorch convention, its default momentum, num_batches_tracked 0. */
  update?: Partial<RunningUpdateOptions>;
}

export interface BatchNormOptions extends RunningOptions, ChannelOptions {
  /** Default 'train'. */
  mode?: NormMode;
  /** Upstream gradient dy: when given, `gradients` holds dx, dγ, dβ. */
  gradY?: DenseTensor;
}

/** The running statistics given (both or neither), checked against the channel count. */
export function runningInputOf(o: RunningOptions, channels: number): RunningInput | undefined {
  if (!o.runningMean && !o.runningVar) return undefined;
  if (!o.runningMean || !o.runningVar) {
    throw new EngineError(`running statistics need both running_mean and running_var; only ${o.runningMean ? 'running_mean' : 'running_var'} was given.`);
  }
  return readRunningInput(o.runningMean, o.runningVar, channels);
}

export function updateOptionsOf(o: RunningOptions): RunningUpdateOptions {
  const convention = o.update?.convention ?? 'pytorch';
  const momentum = o.update?.momentum;
  return {
    convention,
    momentum: momentum === undefined ? DEFAULT_MOMENTUM[convention] : momentum,
    numBatchesTracked: o.update?.numBatchesTracked ?? 0,
    varianceEstimator: o.update?.varianceEstimator,
  };
}

export function batchNorm(x: DenseTensor, o: BatchNormOptions = {}): NormalizationResult {
  const mode = o.mode ?? 'train';
  const eps = o.eps ?? 1e-5;
  requireElements(x, 'x');
  checkEpsilon(eps);
  const axis = normalizeAxis(o.channelAxis ?? 1, x.shape.length, 'channel axis');
  const { outer, channels, inner } = channelSplit(x.shape, axis);
  const map = { run: inner, mod: channels };
  const perChannel = outer * inner;
  const scale = perChannelParameter(o.scale, channels, 'scale');
  const bias = perChannelParameter(o.bias, channels, 'bias');
  const runningIn = runningInputOf(o, channels);

  let result: NormalizationResult;
  if (mode === 'train') {
    if (perChannel <= 1) {
      throw new EngineError(`Expected more than 1 value per channel when training: x of shape ${shapeText(x.shape)} has ${channels} channels on axis ${axis} with ${perChannel} value each.`);
    }
    const statistics = batchStatistics(measureGroups(x, map, channels), [channels], eps);
    const y = normalize(x, map, statistics.mean, statistics.invstd, { map, gamma: scale?.values, beta: bias?.values });
    result = { y, statistics, extra: {}, warnings: [] };
    if (runningIn) {
      const step = resolveRunningStep(updateOptionsOf(o));
      const stored = statistics.variance.map((v) => varianceToStore(v, perChannel, step.varianceEstimator));
      result.running = updateRunning(runningIn, statistics.mean, stored, step);
    }
  } else {
    if (!runningIn) throw new EngineError('batchnorm in eval mode normalizes with running statistics: give running_mean and running_var.');
    const statistics = runningStatisticsUsed(runningIn.mean, runningIn.variance, perChannel, eps);
    const y = normalize(x, map, statistics.mean, statistics.invstd, { map, gamma: scale?.values, beta: bias?.values });
    result = { y, statistics, extra: {}, warnings: [] };
  }

  if (o.gradY) {
    requireSameShape(o.gradY, x.shape, 'grad_y');
    const s = result.statistics;
    const out = normalizationBackward({
      x, dy: o.gradY, statsMap: map, mean: s.mean, invstd: s.invstd, count: s.count,
      affineMap: map, gamma: scale?.values, affineSize: channels, throughStatistics: mode === 'train',
    });
    result.gradients = toGradients(out, scale, bias, [channels]);
  }
  return result;
}
