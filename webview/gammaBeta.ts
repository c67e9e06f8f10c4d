/**
 * γ/β applied in the page, without the host: y = γ·x̂ + β is affine per channel, so the histogram of y is the
 * histogram of x̂ with its bin edges mapped (SEMANTICS.md). The all-channel histogram is exact while every
 * channel has the same γ and β; otherwise each channel's mapped bins are spread over common bins.
 */
import { histogramRange, linspaceEdges, type Histogram } from '../src/engine/histogram';

export interface Affine {
  gamma: Float64Array;
  beta: Float64Array;
}

/** The histogram of γ·x + β: the same counts over mapped edges, in ascending order (reversed when γ < 0). */
export function mapHistogram(h: Histogram, gamma: number, beta: number): Histogram {
  const n = h.counts.length;
  const edges = new Array<number>(n + 1);
  const counts = new Array<number>(n);
  const flip = gamma < 0;
  for (let i = 0; i <= n; i++) edges[i] = gamma * h.edges[flip ? n - i : i] + beta;
  for (let i = 0; i < n; i++) counts[i] = h.counts[flip ? n - 1 - i : i];
  return { edges, counts };
}

/** γ_c·scale and β_c + shift: the per-channel values combined with the all-channel sliders. */
export function effectiveAffine(gamma: ArrayLike<number>, beta: ArrayLike<number>, scale: number, shift: number): Affine {
  const n = gamma.length;
  const out = { gamma: new Float64Array(n), beta: new Float64Array(n) };
  for (let c = 0; c < n; c++) {
    out.gamma[c] = gamma[c] * scale;
    out.beta[c] = beta[c] + shift;
  }
  return out;
}

/** Every channel shares one γ and one β: then the all-channel histogram of y is exactly the mapped one of x̂. */
export function isUniform(a: Affine): boolean {
  for (let c = 1; c < a.gamma.length; c++) if (a.gamma[c] !== a.gamma[0] || a.beta[c] !== a.beta[0]) return false;
  return true;
}

/**
 * The all-channel histogram of y for channels with different γ/β: `bins` uniform bins over the union of the
 * mapped ranges; each mapped bin's count is split over the bins it overlaps in proportion to the overlap (values
 * are assumed uniform inside a bin). Totals are preserved; individual counts are approximate.
 */
export function rebinChannels(hists: readonly Histogram[], a: Affine, bins: number): Histogram {
  let lo = Infinity;
  let hi = -Infinity;
  hists.forEach((h, c) => {
    const g = a.gamma[c];
    const b = a.beta[c];
    if (!Number.isFinite(g) || !Number.isFinite(b) || !h.counts.some((n) => n > 0)) return;
    const y0 = g * h.edges[0] + b;
    const y1 = g * h.edges[h.counts.length] + b;
    lo = Math.min(lo, y0, y1);
    hi = Math.max(hi, y0, y1);
  });
  // no channel with values gives [0, 1] and all-zero counts, as the engine does for an empty group
  [lo, hi] = histogramRange(lo, hi);
  const out = new Float64Array(bins);
  const perUnit = bins / (hi - lo);
  const clamp = (j: number) => (j < 0 ? 0 : j >= bins ? bins - 1 : j);
  hists.forEach((h, c) => {
    const g = a.gamma[c];
    const b = a.beta[c];
    if (!Number.isFinite(g) || !Number.isFinite(b)) return;
    const n = h.counts.length;
    for (let i = 0; i < n; i++) {
      const count = h.counts[i];
      if (!count) continue;
      let fa = (g * h.edges[i] + b - lo) * perUnit;
      let fz = (g * h.edges[i + 1] + b - lo) * perUnit;
      if (fa > fz) [fa, fz] = [fz, fa];
      const j0 = clamp(Math.floor(fa));
      const j1 = clamp(Math.floor(fz));
      // a bin a billionth of an output bin wide (γ ≈ 0) is a point: splitting it would only amplify rounding
      if (j0 === j1 || fz - fa < 1e-9) {
        out[j0] += count;
        continue;
      }
      // each share is bounded and the last takes the rest, so the count is kept exactly whatever the rounding
      const density = count / (fz - fa);
      let left = count - Math.min(count, (j0 + 1 - fa) * density);
      out[j0] += count - left;
      for (let j = j0 + 1; j < j1; j++) {
        const share = Math.min(left, density);
        out[j] += share;
        left -= share;
      }
      out[j1] += left;
    }
  });
  return { edges: Array.from(linspaceEdges(lo, hi, bins)), counts: Array.from(out) };
}

/**
 * γ = sqrt(σ² + eps), β = μ per channel: undoes the normalization, so y equals the input. μ and σ² are the
 * ones the normalization used: the batch's in train mode, the running statistics in eval mode.
 */
export function identityAffine(mean: ArrayLike<number>, variance: ArrayLike<number>, eps: number): { gamma: number[]; beta: number[] } {
  return {
    gamma: Array.from(variance, (v) => Math.sqrt(v + eps)),
    beta: Array.from(mean),
  };
}
