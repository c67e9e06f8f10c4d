/**
 * Layout presets (which axis holds the channels), the axes each operation averages over, and the active
 * operation spelled in its framework's own terms for the header.
 */
import type { InspectOptions, OpKind } from '../src/engine/inspect/types';
import { assertNever } from './assertNever';
import { fmtParam, shapeText } from '../src/shared/format';

export const LAYOUTS = ['NC', 'NCL', 'NCHW', 'NCDHW', 'NLC', 'NHWC', 'NDHWC'] as const;
export type LayoutName = (typeof LAYOUTS)[number];

export function normalizedAxis(axis: number | null, rank: number): number | null {
  if (axis === null || axis < -rank || axis >= rank) return null;
  return axis < 0 ? axis + rank : axis;
}

/** The number of channels along the channel axis; the whole tensor is one channel when there is none. */
export function channelCount(shape: readonly number[], channelAxis: number | null): number {
  const axis = normalizedAxis(channelAxis, shape.length);
  return axis === null ? 1 : shape[axis];
}

/** The preset of this rank whose channel axis is `channelAxis`, if any. */
export function layoutOf(rank: number, channelAxis: number | null): LayoutName | null {
  const axis = normalizedAxis(channelAxis, rank);
  return LAYOUTS.find((l) => l.length === rank && l.indexOf('C') === axis) ?? null;
}

export function layoutChannelAxis(layout: LayoutName): number {
  return layout.indexOf('C');
}

/** N, C, H, W… when a preset fits; d0, d1… otherwise (with C at the channel axis). */
export function axisNames(rank: number, channelAxis: number | null): string[] {
  const preset = layoutOf(rank, channelAxis);
  if (preset) return preset.split('');
  const axis = normalizedAxis(channelAxis, rank);
  return Array.from({ length: rank }, (_, k) => (k === axis ? 'C' : `d${k}`));
}

export interface Reduction {
  /** Axes the statistics are averaged over. */
  reduced: boolean[];
  /** GroupNorm's channel axis: averaged within each group of C/G channels. */
  partial: boolean[];
}

export function reducedAxes(o: InspectOptions, rank: number): Reduction {
  const axis = normalizedAxis(o.channelAxis, rank);
  const all = (f: (k: number) => boolean) => Array.from({ length: rank }, (_, k) => f(k));
  const none = all(() => false);
  switch (o.op) {
    case 'batchnorm':
    case 'zscore':
    case 'minmax':
      return { reduced: all((k) => k !== axis), partial: none };
    case 'layernorm':
    case 'rmsnorm':
      return { reduced: all((k) => k >= rank - o.normalizedDims), partial: none };
    case 'instancenorm':
      return { reduced: all((k) => k !== 0 && k !== axis), partial: none };
    case 'groupnorm':
      return { reduced: all((k) => k !== 0 && k !== axis), partial: all((k) => k === axis) };
    case 'none':
      return { reduced: none, partial: none };
    default:
      return assertNever(o.op);
  }
}

export const OP_LABELS: Readonly<Record<OpKind, string>> = {
  none: 'None (statistics only)', batchnorm: 'BatchNorm', layernorm: 'LayerNorm', groupnorm: 'GroupNorm',
  instancenorm: 'InstanceNorm', rmsnorm: 'RMSNorm', zscore: 'z-score', minmax: 'min-max',
};

/** "PyTorch BatchNorm2d, train, momentum 0.1, eps 1e-5, running_var unbiased" and the like. */
export function describeOperation(o: InspectOptions, shape: readonly number[], channels: number): string {
  const rank = shape.length;
  const keras = o.convention === 'keras';
  const fw = keras ? 'Keras' : 'PyTorch';
  const eps = `${keras ? 'epsilon' : 'eps'} ${fmtParam(o.eps)}`;
  const spatial = Math.min(3, Math.max(1, rank - 2));
  const trailing = shapeText(shape.slice(rank - o.normalizedDims));
  const kerasAxes = o.normalizedDims === 1 ? '-1' : `[${Array.from({ length: o.normalizedDims }, (_, k) => k - o.normalizedDims).join(', ')}]`;
  const axis = normalizedAxis(o.channelAxis, rank);
  switch (o.op) {
    case 'batchnorm': {
      const name = keras ? 'BatchNormalization' : `BatchNorm${spatial}d`;
      if (o.mode === 'eval') return `${fw} ${name}, eval, ${eps}, normalizes with ${keras ? 'moving_mean/moving_variance' : 'running_mean/running_var'}`;
      const momentum = o.momentum === null ? 'momentum None (cumulative average)' : `momentum ${fmtParam(o.momentum)}`;
      return `${fw} ${name}, train, ${momentum}, ${eps}, ${keras ? 'moving_variance biased' : 'running_var unbiased'}`;
    }
    case 'layernorm':
      return keras ? `Keras LayerNormalization(axis=${kerasAxes}), ${eps}` : `PyTorch LayerNorm(normalized_shape=${trailing}), ${eps}`;
    case 'rmsnorm':
      return keras ? `Keras RMSNormalization(axis=${kerasAxes}), ${eps}` : `PyTorch RMSNorm(normalized_shape=${trailing}), ${eps}`;
    case 'groupnorm':
      return keras ? `Keras GroupNormalization(groups=${o.groups}), ${eps}` : `PyTorch GroupNorm(num_groups=${o.groups}, num_channels=${channels}), ${eps}`;
    case 'instancenorm':
      return keras ? `Keras GroupNormalization(groups=${channels}) (instance normalization), ${eps}`
        : `PyTorch InstanceNorm${spatial}d(${channels}), ${eps}, statistics per sample and channel`;
    case 'zscore':
      return `z-score per channel (axis ${axis}): (x − mean) / std, std population (ddof=0), eps ${fmtParam(o.eps)}`;
    case 'minmax':
      return `min-max per channel (axis ${axis}) to [${o.range[0]}, ${o.range[1]}]`;
    case 'none':
      return 'No normalization (statistics only)';
    default:
      return assertNever(o.op);
  }
}
