/**
 * InstanceNorm: statistics per (sample, channel) over the spatial axes; γ/β optional, per channel. With
 * running statistics (PyTorch's track_running_stats=True) training also updates them, as PyTorch does: each
 * channel's batch statistic is the mean over samples of the instance means and of the instance variances
 * (unbiased over the spatial size in the PyTorch convention); eval then normalizes with the running ones.
 */
import { EngineError } from '../errors';
import type { DenseTensor } from '../tensor';
import { perChannelParameter, shapeText } from './affine';
import { runningInputOf, updateOptionsOf, type NormMode, type RunningOptions } from './batchNorm';
import { checkEpsilon, requireElements } from './checks';
import { batchStatistics, measureGroups, runningStatisticsUsed, type GroupStatistics } from './groupStatistics';
import { normalize } from './kernel';
import type { ChannelOptions } from './options';
import type { NormalizationResult } from './result';
import { resolveRunningStep, updateRunning, varianceToStore, type RunningStep } from './running';
import { sampleChannels } from './sampleChannels';

export interface InstanceNormOptions extends RunningOptions, ChannelOptions {
  /** Default 'train'; eval uses the running statistics when they are given, the instance ones otherwise. */
  mode?: NormMode;
}

/** Per-channel batch mean and stored variance: averages over samples of the per-instance values. */
function channelAverages(s: GroupStatistics, samples: number, channels: number, spatial: number, step: RunningStep):
  { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  for (let n = 0; n < samples; n++) {
    for (let c = 0; c < channels; c++) {
      mean[c] += s.mean[n * channels + c] / samples;
      variance[c] += varianceToStore(s.variance[n * channels + c], spatial, step.varianceEstimator) / samples;
    }
  }
  return { mean, variance };
}

export function instanceNorm(x: DenseTensor, o: InstanceNormOptions = {}): NormalizationResult {
  const mode = o.mode ?? 'train';
  const eps = o.eps ?? 1e-5;
  requireElements(x, 'x');
  checkEpsilon(eps);
  const layout = sampleChannels(x, o.channelAxis ?? 1);
  const { channels, samples } = layout;
  const spatial = layout.perSample / channels;
  const channelMap = { run: layout.inner, mod: channels };
  const scale = perChannelParameter(o.scale, channels, 'scale');
  const bias = perChannelParameter(o.bias, channels, 'bias');
  const affine = { map: channelMap, gamma: scale?.values, beta: bias?.values };
  const runningIn = runningInputOf(o, channels);

  if (mode === 'eval' && runningIn) {
    const statistics = runningStatisticsUsed(runningIn.mean, runningIn.variance, samples * spatial, eps);
    const y = normalize(x, channelMap, statistics.mean, statistics.invstd, affine);
    return { y, statistics, extra: {}, warnings: [] };
  }
  const statsMap = layout.groupMap(1);
  const statistics = batchStatistics(measureGroups(x, statsMap, samples * channels), layout.statisticsShape(channels), eps);
  const y = normalize(x, statsMap, statistics.mean, statistics.invstd, affine);
  const result: NormalizationResult = { y, statistics, extra: {}, warnings: [] };
  if (mode === 'train' && runningIn) {
    const update = updateOptionsOf(o);
    if (update.momentum === null) {
      throw new EngineError('momentum none (cumulative average) is a BatchNorm option: PyTorch InstanceNorm has no num_batches_tracked average.');
    }
    const step = resolveRunningStep(update);
    if (step.varianceEstimator === 'unbiased' && spatial <= 1) {
      throw new EngineError(`Expected more than 1 spatial element when training: x of shape ${shapeText(x.shape)} has ${spatial} value per instance.`);
    }
    const batch = channelAverages(statistics, samples, channels, spatial, step);
    result.running = updateRunning(runningIn, batch.mean, batch.variance, step);
  }
  return result;
}
