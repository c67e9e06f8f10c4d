/**
 * Findings a user debugging a normalization layer looks for, each linked to its channel where it has one.
 * Thresholds are named constants so the messages can state them.
 */
import type { Diagnostic, InspectResult } from './types';

/** Items listed per kind before the rest are summarized in one line, keeping the payload bounded. */
const MAX_PER_CODE = 32;
/** |γ| at or below this is treated as a switched-off channel. */
export const GAMMA_ZERO = 1e-4;
/** Batch vs running mean farther apart than this many running std is a train/eval mismatch. */
export const MISMATCH_STD = 3;
/** Batch/running variance ratios outside [1/RATIO, RATIO] are a mismatch too. */
export const MISMATCH_VAR_RATIO = 4;
/** BatchNorm batches smaller than this give noisy statistics. */
export const SMALL_BATCH = 8;

export function diagnose(r: InspectResult): Diagnostic[] {
  const out: Diagnostic[] = [];
  const o = r.options;
  const add = (items: Diagnostic[], summary: (rest: number) => Diagnostic) => {
    out.push(...items.slice(0, MAX_PER_CODE));
    if (items.length > MAX_PER_CODE) out.push(summary(items.length - MAX_PER_CODE));
  };
  const all = r.overall.before;
  if (all.elements === 0) {
    out.push({ severity: 'info', code: 'constant', message: `The tensor has no elements (shape (${r.shape.join(', ')})): there is nothing to normalize.` });
    return out;
  }
  const nonFinite = all.nan + all.posinf + all.neginf;
  if (nonFinite > 0) {
    out.push({
      severity: 'error', code: 'nonfinite',
      message: `${all.nan} NaN, ${all.posinf} +Inf and ${all.neginf} -Inf of ${all.elements} values. Statistics are over the ${all.count} finite values; `
        + 'the normalization propagates them as the frameworks do (a group holding one becomes NaN).',
    });
    add(r.channel.before.flatMap<Diagnostic>((s, c) => s.nan + s.posinf + s.neginf > 0
      ? [{ severity: 'error', code: 'nonfinite', channel: c, message: `Channel ${c}: ${s.nan} NaN, ${s.posinf} +Inf, ${s.neginf} -Inf.` }] : []),
    (rest) => ({ severity: 'error', code: 'nonfinite', message: `…and ${rest} more channels with NaN or Inf.` }));
  }
  const perChannelVarianceMatters = o.op === 'batchnorm' || o.op === 'zscore' || o.op === 'none';
  if (perChannelVarianceMatters) {
    add(r.channel.before.flatMap<Diagnostic>((s, c) => {
      if (s.count > 1 && s.var === 0) {
        return [{ severity: 'warning', code: 'constant', channel: c, message: `Channel ${c} is constant (every value is ${s.min}): a dead channel; its normalized output is 0.` }];
      }
      if (o.op === 'batchnorm' && s.var < o.eps) {
        return [{ severity: 'warning', code: 'eps-dominated', channel: c,
          message: `Channel ${c}: variance ${fmt(s.var)} is below eps ${o.eps}, so eps dominates the denominator and the output is squashed (std after ${fmt(Math.sqrt(s.var / (s.var + o.eps)))}).` }];
      }
      return [];
    }), (rest) => ({ severity: 'warning', code: 'dead-channel', message: `…and ${rest} more dead or eps-dominated channels.` }));
  }
  if ((o.op === 'minmax' || o.op === 'zscore') && r.channel.before.some((s) => s.count > 0 && s.min === s.max)) {
    const constant = r.channel.before.filter((s) => s.count > 0 && s.min === s.max).length;
    out.push({ severity: 'warning', code: 'constant-feature', message: o.op === 'minmax'
      ? `${constant} constant feature(s) map to ${o.range[0]} (max = min, nothing to scale).`
      : `${constant} constant feature(s) have σ = 0: without eps their z-score divides by zero.` });
  }
  if (o.op === 'layernorm' || o.op === 'groupnorm' || o.op === 'instancenorm') {
    const n = r.normalization;
    if (n && n.epsDominated > 0) {
      out.push({ severity: 'warning', code: 'eps-dominated',
        message: `${n.epsDominated} of ${n.groups} normalization groups have variance below eps ${o.eps} (smallest ${fmt(n.varMin)}): eps dominates there.` });
    }
  }
  if (o.affine) {
    add(o.affine.scale.flatMap<Diagnostic>((g, c) => Math.abs(g) <= GAMMA_ZERO
      ? [{ severity: 'warning', code: 'gamma-zero', channel: c, message: `Channel ${c}: γ = ${fmt(g)} ≈ 0 switches the channel off (output ≈ β = ${fmt(o.affine!.bias[c] ?? 0)}).` }] : []),
    (rest) => ({ severity: 'warning', code: 'gamma-zero', message: `…and ${rest} more channels with γ ≈ 0.` }));
  }
  if (o.running) {
    const { var: rv } = o.running;
    add(rv.flatMap<Diagnostic>((v, c) => v < o.eps
      ? [{ severity: 'warning', code: 'eps-dominated', channel: c, message: `Channel ${c}: running_var ${fmt(v)} is below eps ${o.eps}: in eval mode eps dominates the denominator for this channel.` }] : []),
    (rest) => ({ severity: 'warning', code: 'eps-dominated', message: `…and ${rest} more channels whose running_var is below eps.` }));
  }
  if (o.op === 'batchnorm' && o.running) {
    const { mean, var: rv } = o.running;
    add(r.channel.before.flatMap<Diagnostic>((s, c) => {
      const shift = (s.mean - mean[c]) / Math.sqrt(rv[c] + o.eps);
      const ratio = s.var / (rv[c] + o.eps);
      return Math.abs(shift) > MISMATCH_STD || ratio > MISMATCH_VAR_RATIO || ratio < 1 / MISMATCH_VAR_RATIO
        ? [{ severity: 'warning', code: 'running-mismatch', channel: c,
          message: `Channel ${c}: batch mean is ${fmt(shift)} running std from running_mean, batch/running variance ratio ${fmt(ratio)}: train and eval outputs differ here.` }]
        : [];
    }), (rest) => ({ severity: 'warning', code: 'running-mismatch', message: `…and ${rest} more channels whose batch statistics are far from the running statistics.` }));
  }
  if (o.op === 'batchnorm' && o.mode === 'train' && r.batch < SMALL_BATCH && r.batch > 0) {
    out.push({ severity: 'warning', code: 'small-batch',
      message: `Batch size ${r.batch} is below ${SMALL_BATCH}: batch statistics are noisy, and the running statistics learned from them will be too.` });
  }
  if (!r.quantilesExact) {
    out.push({ severity: 'info', code: 'estimated-quantiles',
      message: 'Quantiles are estimated from fine histograms of all values (error under one fine bin width; at most 4096 bins); histograms and moments are exact.' });
  }
  return out;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v);
}
