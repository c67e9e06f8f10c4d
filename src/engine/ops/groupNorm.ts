/**
 * GroupNorm: statistics per (sample, group of C/G consecutive channels) over those channels and all spatial
 * axes. γ/β are per channel (C,) as in PyTorch and ONNX-21, or per group (G,) as in ONNX-18, where each group's
 * value applies to its C/G channels.
 */
import { EngineError } from '../errors';
import type { DenseTensor } from '../tensor';
import { perChannelParameter, shapeText } from './affine';
import { checkEpsilon, requireElements } from './checks';
import { batchStatistics, measureGroups } from './groupStatistics';
import { normalize } from './kernel';
import type { ChannelOptions } from './options';
import type { NormalizationResult } from './result';
import { sampleChannels } from './sampleChannels';

export interface GroupNormOptions extends ChannelOptions {
  groups: number;
}

export function groupNorm(x: DenseTensor, o: GroupNormOptions): NormalizationResult {
  const eps = o.eps ?? 1e-5;
  requireElements(x, 'x');
  checkEpsilon(eps);
  const layout = sampleChannels(x, o.channelAxis ?? 1);
  const { channels, samples } = layout;
  const groups = o.groups;
  if (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0) {
    throw new EngineError(`groups ${groups} does not divide the ${channels} channels of x (shape ${shapeText(x.shape)}, channel axis ${layout.axis}).`);
  }
  const statsMap = layout.groupMap(channels / groups);
  const affineMap = { run: layout.inner, mod: channels };
  const scale = perChannelParameter(o.scale, channels, 'scale', groups);
  const bias = perChannelParameter(o.bias, channels, 'bias', groups);
  const statistics = batchStatistics(measureGroups(x, statsMap, samples * groups), layout.statisticsShape(groups), eps);
  const y = normalize(x, statsMap, statistics.mean, statistics.invstd, { map: affineMap, gamma: scale?.values, beta: bias?.values });
  return { y, statistics, extra: {}, warnings: [] };
}
