/** Per-channel figures derived in the page from the engine's result and the current γ/β (pure functions). */
import type { InspectResult } from '../src/engine/inspect/types';
import type { Affine } from './gammaBeta';

export interface AfterStats {
  mean: Float64Array;
  std: Float64Array;
}

/** Mean and std (ddof=0) of y = γ·x̂ + β per channel: exact, since the map is affine within a channel. */
export function afterStats(r: InspectResult, a: Affine): AfterStats | null {
  const after = r.channel.after;
  if (!after) return null;
  const out = { mean: new Float64Array(r.channels), std: new Float64Array(r.channels) };
  for (let c = 0; c < r.channels; c++) {
    out.mean[c] = a.gamma[c] * after[c].mean + a.beta[c];
    out.std[c] = Math.abs(a.gamma[c]) * after[c].std;
  }
  return out;
}

/**
 * BatchNorm eval: how far each channel's batch mean is from running_mean, in running std — the train/eval
 * mismatch (the engine's running-mismatch diagnostic uses the same measure).
 */
export function runningShift(r: InspectResult): Float64Array | null {
  const run = r.options.running;
  if (r.options.op !== 'batchnorm' || !run || run.mean.length !== r.channels) return null;
  return Float64Array.from(r.channel.before, (s, c) => (s.mean - run.mean[c]) / Math.sqrt(run.var[c] + r.options.eps));
}

/** The γ/β a normalization starts from: the file's when they fit the channel count, else 1 and 0. */
export function startAffine(r: InspectResult): { gamma: number[]; beta: number[] } {
  const a = r.options.affine;
  if (a && a.scale.length === r.channels && a.bias.length === r.channels) return { gamma: [...a.scale], beta: [...a.bias] };
  return { gamma: new Array<number>(r.channels).fill(1), beta: new Array<number>(r.channels).fill(0) };
}

/** Whether the operation has a β: RMSNorm scales only; z-score, min-max and none have no affine at all. */
export function affineKind(r: InspectResult): 'full' | 'scale' | 'none' {
  switch (r.options.op) {
    case 'rmsnorm':
      return 'scale';
    case 'zscore':
    case 'minmax':
    case 'none':
      return 'none';
    default:
      return 'full';
  }
}
