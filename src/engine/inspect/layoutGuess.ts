/**
 * A first guess at what a live tensor is, from its shape and where it comes from: PyTorch activations are
 * channels-first (N, C, H, W), TensorFlow/Keras and JAX/Flax ones channels-last (N, H, W, C), and a rank-3
 * tensor with a wide last axis is a transformer's (N, L, C). The guess only picks the inspector's starting
 * options; the user can change every one of them in the panel.
 */
import type { InspectOptions } from './types';

/** Where a debug value comes from, as the debuggee reported it. */
export type TensorOrigin = 'torch' | 'tensorflow' | 'jax' | 'numpy' | 'sequence' | 'javascript';

export interface LayoutGuess {
  /** 'NCHW', 'NHWC', '(N, L, C)', … in the user's terms, for the panel's header. */
  layout: string;
  options: Pick<InspectOptions, 'op' | 'channelAxis' | 'normalizedDims'>;
  /** One sentence: why this layout and operation. */
  reason: string;
}

/** Transformer widths are at least this and a multiple of 8 (64, 384, 512, 768, 1024, 4096, …). */
const MIN_MODEL_WIDTH = 64;

export function guessLayout(shape: readonly number[], origin: TensorOrigin): LayoutGuess {
  const rank = shape.length;
  const channelsLast = origin === 'tensorflow' || origin === 'jax';
  if (rank < 2) {
    return { layout: rank === 0 ? 'scalar' : '(N,)', options: { op: 'none', channelAxis: null, normalizedDims: 1 },
      reason: 'a vector: its values as one group' };
  }
  if (rank === 2) {
    return { layout: '(N, C)', options: { op: 'batchnorm', channelAxis: 1, normalizedDims: 1 },
      reason: 'features of a batch (N, C): BatchNorm1d over axis 1' };
  }
  if (rank === 3) {
    const width = shape[2];
    const looksLikeTokens = width >= MIN_MODEL_WIDTH && width % 8 === 0 && width >= shape[1];
    if (channelsLast || looksLikeTokens) {
      return { layout: '(N, L, C)', options: { op: 'layernorm', channelAxis: 2, normalizedDims: 1 },
        reason: channelsLast ? 'a channels-last sequence (N, L, C): LayerNorm over the last axis'
          : `a transformer activation (N, L, C) with width ${width}: LayerNorm over the last axis` };
    }
    return { layout: '(N, C, L)', options: { op: 'batchnorm', channelAxis: 1, normalizedDims: 1 },
      reason: 'a 1-D convolution activation (N, C, L): BatchNorm1d over axis 1' };
  }
  if (rank === 4 || rank === 5) {
    const spatial = rank === 4 ? 'HW' : 'DHW';
    if (channelsLast || (origin !== 'torch' && looksChannelsLast(shape))) {
      return { layout: `N${spatial}C`, options: { op: 'batchnorm', channelAxis: rank - 1, normalizedDims: 1 },
        reason: `channels-last activations (N${spatial}C): BatchNorm over the last axis` };
    }
    return { layout: `NC${spatial}`, options: { op: 'batchnorm', channelAxis: 1, normalizedDims: 1 },
      reason: `convolution activations (NC${spatial}): BatchNorm over axis 1` };
  }
  return { layout: `rank ${rank}`, options: { op: 'batchnorm', channelAxis: 1, normalizedDims: 1 },
    reason: 'channels on axis 1, as PyTorch lays them out' };
}

/**
 * numpy and plain arrays carry no convention: (N, H, W, C) when the last axis is the smallest and the ones
 * before it are equal spatial sizes (images 32×32×3); a 7×7×512 feature map stays ambiguous and goes NCHW.
 */
function looksChannelsLast(shape: readonly number[]): boolean {
  const last = shape[shape.length - 1];
  const spatial = shape.slice(1, -1);
  return spatial.every((n) => n === spatial[0] && last < n);
}
