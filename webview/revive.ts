/**
 * VS Code carries messages as JSON, which turns NaN and ±Inf into null. The engine's results hold such values
 * on purpose (a channel of only NaN has mean NaN), and `null * 2 === 0` would turn them into plausible wrong
 * numbers, so every numeric field that may be non-finite is read back as NaN before anything computes with it.
 */
import type { StopPoint } from '../src/shared/protocol';
import type { Histogram } from '../src/engine/histogram';
import type { InspectOptions, InspectResult, SampleMoments, Summary } from '../src/engine/inspect/types';

const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);
const nums = (a: readonly unknown[]): number[] => a.map(num);

function summary(s: Summary): Summary {
  const quantiles: Summary['quantiles'] = {};
  for (const [k, v] of Object.entries(s.quantiles)) quantiles[k] = num(v);
  return {
    ...s, mean: num(s.mean), var: num(s.var), var_unbiased: num(s.var_unbiased), std: num(s.std),
    min: num(s.min), max: num(s.max), quantiles,
  };
}

function histogram(h: Histogram): Histogram {
  return { edges: nums(h.edges), counts: nums(h.counts) };
}

export function reviveOptions(o: InspectOptions): InspectOptions {
  const out: InspectOptions = { ...o, range: [num(o.range[0]), num(o.range[1])] };
  if (o.running) out.running = { mean: nums(o.running.mean), var: nums(o.running.var) };
  if (o.affine) out.affine = { scale: nums(o.affine.scale), bias: nums(o.affine.bias) };
  return out;
}

function samples(s: SampleMoments | null): SampleMoments | null {
  return s && { ...s, count: nums(s.count), mean: nums(s.mean), m2: nums(s.m2) };
}

export function reviveResult(r: InspectResult): InspectResult {
  return {
    ...r,
    options: reviveOptions(r.options),
    overall: {
      before: summary(r.overall.before),
      after: r.overall.after && summary(r.overall.after),
      histBefore: histogram(r.overall.histBefore),
      histAfter: r.overall.histAfter && histogram(r.overall.histAfter),
    },
    channel: {
      before: r.channel.before.map(summary),
      after: r.channel.after && r.channel.after.map(summary),
      histBefore: r.channel.histBefore.map(histogram),
      histAfter: r.channel.histAfter && r.channel.histAfter.map(histogram),
    },
    normalization: r.normalization && { ...r.normalization, varMin: num(r.normalization.varMin), varMax: num(r.normalization.varMax) },
    samples: samples(r.samples),
  };
}

export function reviveStops(points: StopPoint[]): StopPoint[] {
  return points.map((p) => ({ ...p, mean: nums(p.mean), var: nums(p.var) }));
}
