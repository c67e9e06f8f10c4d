/**
 * BatchNorm's running statistics, simulated over mini-batches split from the batch axis (SEMANTICS.md, "Running
 * statistics"). The input is the engine's per-(sample row, channel) moments; consecutive rows merge into a
 * mini-batch with Chan's formula, which is exact, so each step is the framework's update formula applied to the
 * mini-batch's exact statistics.
 */
import type { SampleMoments } from '../src/engine/inspect/types';

export interface MiniBatch {
  count: number;
  mean: number;
  /** Sum of squared deviations from the mean. */
  m2: number;
}

/** One channel's rows grouped `rowsPerBatch` at a time; with `fullOnly` a shorter last group is dropped. */
export function miniBatches(s: SampleMoments, channel: number, rowsPerBatch: number, fullOnly = false): MiniBatch[] {
  const out: MiniBatch[] = [];
  const size = Math.max(1, Math.floor(rowsPerBatch));
  for (let first = 0; first < s.rows; first += size) {
    const last = Math.min(s.rows, first + size);
    if (fullOnly && last - first < size) break;
    let acc: MiniBatch = { count: 0, mean: 0, m2: 0 };
    for (let r = first; r < last; r++) {
      const k = r * s.channels + channel;
      acc = merge(acc, { count: s.count[k], mean: s.mean[k], m2: s.m2[k] });
    }
    out.push(acc);
  }
  return out;
}

/** Chan et al.'s pairwise merge of two sets' count, mean and M2. */
function merge(a: MiniBatch, b: MiniBatch): MiniBatch {
  if (!b.count) return a;
  if (!a.count) return b;
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  return { count, mean: a.mean + delta * (b.count / count), m2: a.m2 + b.m2 + delta * delta * (a.count * b.count / count) };
}

export interface RunningStep {
  step: number;
  batchMean: number;
  /** Biased (ddof=0), what normalizes the batch and what Keras stores. */
  batchVar: number;
  /** Unbiased (ddof=1), what PyTorch stores. */
  batchVarUnbiased: number;
  pytorchMean: number;
  pytorchVar: number;
  kerasMean: number;
  kerasVar: number;
}

export interface Simulation {
  steps: RunningStep[];
  /** Mini-batches with fewer than 2 values, where PyTorch refuses to train ("Expected more than 1 value"). */
  skipped: number;
}

/**
 * Both conventions from the frameworks' initial state (running_mean 0, running_var 1).
 * PyTorch: running = (1-m)·running + m·batch with the unbiased variance; m = null is the cumulative average 1/k.
 * Keras: running = m·running + (1-m)·batch with the biased variance.
 */
export function simulateRunning(batches: readonly MiniBatch[], pytorchMomentum: number | null, kerasMomentum: number): Simulation {
  const steps: RunningStep[] = [];
  let skipped = 0;
  let pm = 0;
  let pv = 1;
  let km = 0;
  let kv = 1;
  for (const b of batches) {
    if (b.count < 2) {
      skipped++;
      continue;
    }
    const k = steps.length + 1;
    const biased = b.m2 / b.count;
    const unbiased = b.m2 / (b.count - 1);
    const m = pytorchMomentum ?? 1 / k;
    pm = (1 - m) * pm + m * b.mean;
    pv = (1 - m) * pv + m * unbiased;
    km = kerasMomentum * km + (1 - kerasMomentum) * b.mean;
    kv = kerasMomentum * kv + (1 - kerasMomentum) * biased;
    steps.push({ step: k, batchMean: b.mean, batchVar: biased, batchVarUnbiased: unbiased, pytorchMean: pm, pytorchVar: pv, kerasMean: km, kerasVar: kv });
  }
  return { steps, skipped };
}

export interface NoisePoint {
  /** Rows per mini-batch. */
  rows: number;
  batches: number;
  /** Standard deviation (ddof=0) across the mini-batches of their mean and of their biased variance. */
  meanStd: number;
  varStd: number;
}

/** How much the batch statistics scatter as the mini-batch shrinks: sizes with at least two full mini-batches. */
export function batchNoise(s: SampleMoments, channel: number): NoisePoint[] {
  const out: NoisePoint[] = [];
  for (let rows = 1; rows * 2 <= s.rows; rows++) {
    const batches = miniBatches(s, channel, rows, true).filter((b) => b.count > 0);
    if (batches.length < 2) continue;
    out.push({
      rows, batches: batches.length,
      meanStd: populationStd(batches.map((b) => b.mean)),
      varStd: populationStd(batches.map((b) => b.m2 / b.count)),
    });
  }
  return out;
}

function populationStd(values: readonly number[]): number {
  let acc: MiniBatch = { count: 0, mean: 0, m2: 0 };
  for (const v of values) acc = merge(acc, { count: 1, mean: v, m2: 0 });
  return Math.sqrt(acc.m2 / acc.count);
}
