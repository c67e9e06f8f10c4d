/**
 * The activation that usually follows a normalization, and where its input lands: in the saturated region the
 * gradient vanishes (or is zero for ReLU), in the near-linear region the activation does little. Fractions come
 * from a histogram, splitting a bin that straddles a boundary in proportion to the overlap.
 */
import type { Histogram } from '../src/engine/histogram';
import type { Activation } from './state';

export type Interval = readonly [number, number];

export interface ActivationSpec {
  label: string;
  f(x: number): number;
  saturated: readonly Interval[];
  linear: readonly Interval[];
  /** The regions in words, shown next to the fractions. */
  saturatedText: string;
  linearText: string;
}

export const ACTIVATION_SPECS: Readonly<Record<Exclude<Activation, 'none'>, ActivationSpec>> = {
  relu: {
    label: 'ReLU', f: (x) => Math.max(0, x),
    saturated: [[-Infinity, 0]], linear: [[0, Infinity]],
    saturatedText: 'x ≤ 0 (output 0, no gradient)', linearText: 'x > 0 (identity)',
  },
  sigmoid: {
    label: 'sigmoid', f: (x) => 1 / (1 + Math.exp(-x)),
    saturated: [[-Infinity, -4], [4, Infinity]], linear: [[-1, 1]],
    saturatedText: '|x| > 4 (slope < 0.018)', linearText: '|x| < 1 (slope > 0.19)',
  },
  tanh: {
    label: 'tanh', f: Math.tanh,
    saturated: [[-Infinity, -2], [2, Infinity]], linear: [[-0.5, 0.5]],
    saturatedText: '|x| > 2 (slope < 0.071)', linearText: '|x| < 0.5 (slope > 0.78)',
  },
  gelu: {
    label: 'GELU', f: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
    saturated: [[-Infinity, -3]], linear: [[2, Infinity]],
    saturatedText: 'x < -3 (output ≈ 0)', linearText: 'x > 2 (output within 2.3 % of x)',
  },
};

/**
 * Fraction of the histogram's values inside the union of `regions` (disjoint intervals). `zeros` of the values
 * are exactly 0 (the engine counts them): a point mass, common in conv outputs over blank input, that a
 * proportional split would smear across the boundary at 0. A point p belongs to [a, b] when a < p ≤ b, so 0 is
 * in ReLU's dead region, as its zero gradient there says.
 */
export function fractionIn(h: Histogram, regions: readonly Interval[], zeros = 0): number {
  let total = zeros;
  let inside = regions.some(([a, b]) => a < 0 && 0 <= b) ? zeros : 0;
  let zerosLeft = zeros;
  for (let i = 0; i < h.counts.length; i++) {
    let n = h.counts[i];
    if (zerosLeft && h.edges[i] <= 0 && (0 < h.edges[i + 1] || i === h.counts.length - 1)) {
      n -= zerosLeft;
      zerosLeft = 0;
    }
    if (!(n > 0)) continue;
    total += n;
    const lo = h.edges[i];
    const hi = h.edges[i + 1];
    for (const [a, b] of regions) {
      if (hi === lo) {
        if (a < lo && lo <= b) inside += n;
        continue;
      }
      const overlap = Math.min(hi, b) - Math.max(lo, a);
      if (overlap > 0) inside += n * (overlap / (hi - lo));
    }
  }
  return total ? inside / total : NaN;
}

/** Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): plenty for drawing the curve. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x < 0 ? -y : y;
}
