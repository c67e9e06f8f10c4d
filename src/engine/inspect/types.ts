/**
 * What the inspector asks for and what it gets back. The result's size depends on channels and bins, never on
 * the number of elements, so it can be posted to the webview whatever the tensor.
 */
import type { DType } from '../dtype';
import type { Histogram } from '../histogram';
import type { Quantiles } from '../quantiles';

export const OP_KINDS = ['none', 'batchnorm', 'layernorm', 'groupnorm', 'instancenorm', 'rmsnorm', 'zscore', 'minmax'] as const;
export type OpKind = (typeof OP_KINDS)[number];
export type Convention = 'pytorch' | 'keras';

export interface InspectOptions {
  op: OpKind;
  /** BatchNorm: train uses batch statistics, eval uses `running`. */
  mode: 'train' | 'eval';
  /**
   * The axis shown channel by channel, and the channel axis of BatchNorm, InstanceNorm, GroupNorm, z-score and
   * min-max; null treats the whole tensor as one channel.
   */
  channelAxis: number | null;
  /** LayerNorm / RMSNorm: how many trailing axes are normalized (the length of `normalized_shape`). */
  normalizedDims: number;
  /** GroupNorm: number of groups (must divide the channel count). */
  groups: number;
  eps: number;
  /** Running-statistics momentum in `convention`'s meaning; null is PyTorch's momentum=None (cumulative average). */
  momentum: number | null;
  convention: Convention;
  /** Min-max target interval. */
  range: [number, number];
  bins: number;
  /** BatchNorm eval: the running statistics (from a state dict), one value per channel. */
  running?: { mean: number[]; var: number[] };
  /**
   * γ/β, one value per channel: the file's values (the sliders' start point), or the sliders' values when the webview
   * asks for the normalized tensor (y = γ·x̂ + β; x̂ alone when absent).
   */
  affine?: { scale: number[]; bias: number[] };
}

export const DEFAULT_INSPECT_OPTIONS: InspectOptions = {
  op: 'batchnorm', mode: 'train', channelAxis: 1, normalizedDims: 1, groups: 1, eps: 1e-5,
  momentum: 0.1, convention: 'pytorch', range: [0, 1], bins: 100,
};

/** Statistics of one group, with the estimator of each figure in its name (var: ddof=0; var_unbiased: ddof=1). */
export interface Summary {
  /** Finite values, over which mean, var, std, min, max and quantiles are computed. */
  count: number;
  /** All elements, including NaN and ±Inf. */
  elements: number;
  mean: number;
  var: number;
  var_unbiased: number;
  std: number;
  min: number;
  max: number;
  nan: number;
  posinf: number;
  neginf: number;
  zeros: number;
  quantiles: Quantiles;
}

export interface Diagnostic {
  severity: 'error' | 'warning' | 'info';
  code: 'nonfinite' | 'dead-channel' | 'eps-dominated' | 'constant' | 'gamma-zero' | 'running-mismatch'
    | 'small-batch' | 'one-value' | 'redundant-bias' | 'constant-feature' | 'estimated-quantiles';
  message: string;
  channel?: number;
}

/**
 * Moments per (sample, channel), the input of the running-statistics simulation the webview runs. Samples are
 * consecutive indices of axis 0; when there are more than the cap, consecutive samples are merged so the payload
 * stays bounded, and `samplesPerRow` says how many each row holds.
 */
export interface SampleMoments {
  rows: number;
  samplesPerRow: number;
  channels: number;
  /** rows × channels, row-major. */
  count: number[];
  mean: number[];
  m2: number[];
}

export interface InspectResult {
  shape: number[];
  dtype: DType;
  options: InspectOptions;
  channels: number;
  /** Size of axis 0 when it is not the channel axis, else 1. */
  batch: number;
  /** Quantiles computed from all values (true) or estimated from fine histograms of all values (false). */
  quantilesExact: boolean;
  overall: { before: Summary; after: Summary | null; histBefore: Histogram; histAfter: Histogram | null };
  /** `after` is x̂, the normalized values before γ/β: the webview applies γ/β itself. */
  channel: { before: Summary[]; after: Summary[] | null; histBefore: Histogram[]; histAfter: Histogram[] | null };
  /** The normalization groups (per channel for BatchNorm, per sample for LayerNorm, …). */
  normalization: { groups: number; groupSize: number; varMin: number; varMax: number; epsDominated: number } | null;
  samples: SampleMoments | null;
  diagnostics: Diagnostic[];
  /** Wall time of the computation, for the status line. */
  millis: number;
}
