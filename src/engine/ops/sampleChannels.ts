/**
 * GroupNorm and InstanceNorm take statistics per sample and per channel group. The sample (batch) axis is axis
 * 0, unless the channel axis is 0 itself (an unbatched tensor, one sample); every other axis is spatial. The
 * channel axis may sit anywhere, so (sample, group) is a GroupMap with a per-sample `block`: no transposition.
 */
import { channelSplit, elementCount, normalizeAxis, type DenseTensor } from '../tensor';
import type { GroupMap } from '../moments';

export interface SampleChannels {
  axis: number;
  samples: number;
  channels: number;
  /** Elements after the channel axis (the run of one channel). */
  inner: number;
  /** Elements per sample. */
  perSample: number;
  /** Shape of per-(sample, k) statistics: [N, k], or [k] without a batch axis. */
  statisticsShape(perSampleGroups: number): number[];
  /** Groups of `channelsPerGroup` consecutive channels within each sample. */
  groupMap(channelsPerGroup: number): GroupMap;
}

export function sampleChannels(x: DenseTensor, channelAxis: number): SampleChannels {
  const axis = normalizeAxis(channelAxis, x.shape.length, 'channel axis');
  const { channels, inner } = channelSplit(x.shape, axis);
  const samples = axis > 0 ? x.shape[0] : 1;
  const perSample = elementCount(x.shape) / samples;
  return {
    axis, samples, channels, inner, perSample,
    statisticsShape: (k) => (axis > 0 ? [samples, k] : [k]),
    groupMap: (channelsPerGroup) => ({ run: channelsPerGroup * inner, mod: channels / channelsPerGroup, block: perSample }),
  };
}
