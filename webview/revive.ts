/**
 * VS Code carries messages as JSON, which turns NaN and ±Inf into null. The engine's results hold such values
 * on purpose (a channel of only NaN has mean NaN), and `null * 2 === 0` would turn them into plausible wrong
 * numbers, so every numeric field that may be non-finite is read back as NaN before anything computes with it.
 * Typed arrays (the per-channel figures, see resultWire.ts) travel as binary and arrive intact.
 */
import type { StopPoint, WireStopPoint } from '../src/shared/protocol';
import type { Histogram } from '../src/engine/histogram';
import type { InspectOptions, InspectResult, Summary } from '../src/engine/inspect/types';
import { SUMMARY_FIELDS, decodeResult, type WireResult } from '../src/shared/resultWire';

const num = (v: unknown): number => (typeof v === 'number' ? v : NaN);
const nums = (a: readonly unknown[]): number[] => a.map(num);

function summary(s: Summary): Summary {
  const quantiles: Summary['quantiles'] = {};
  for (const [k, v] of Object.entries(s.quantiles)) quantiles[k] = num(v);
  const out = { ...s, quantiles };
  for (const f of SUMMARY_FIELDS) out[f] = num(s[f]);
  return out;
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

/** The page's result from the host's: per-channel figures arrive as typed arrays (NaN intact), the rest as JSON. */
export function reviveResult(w: WireResult): InspectResult {
  return decodeResult({
    ...w,
    options: reviveOptions(w.options),
    overall: {
      before: summary(w.overall.before),
      after: w.overall.after && summary(w.overall.after),
      histBefore: histogram(w.overall.histBefore),
      histAfter: w.overall.histAfter && histogram(w.overall.histAfter),
    },
    normalization: w.normalization && { ...w.normalization, varMin: num(w.normalization.varMin), varMax: num(w.normalization.varMax) },
  });
}

export function reviveStops(points: WireStopPoint[]): StopPoint[] {
  return points.map((p) => ({ stop: p.stop, label: p.label, mean: Array.from(p.mean), var: Array.from(p.var) }));
}
