/**
 * Quantiles per group. Exact (numpy's default 'linear' method on the sorted values) when the values fit the
 * budget; otherwise estimated from a fine histogram, interpolating inside the bin, with the error bounded by one
 * bin width and the result labeled as estimated.
 */
import type { NumericArray } from './dtype';
import { GroupHistograms, histogramRange, nestedEdgesInto } from './histogram';
import type { GroupMap } from './moments';
import { SegmentWalk } from './segments';
import type { Kernels } from './wasm/kernels';

/** Percentages reported for every group, as SEMANTICS.md lists them. */
export const QUANTILE_PERCENTS = [1, 5, 25, 50, 75, 95, 99] as const;
/** Values kept in memory for exact quantiles (8 bytes each). */
export const EXACT_QUANTILE_BUDGET = 1 << 22;
const FINE_BINS = 4096;
/**
 * Fine-histogram cells over all groups: many channels get fewer bins each (at least MIN_FINE_BINS), which keeps
 * the tables that workers fill, send and merge small (256 channels: at most 1024 bins each; the whole tensor: 4096).
 */
const MAX_FINE_CELLS = 1 << 18;
const MIN_FINE_BINS = 64;

/**
 * The fine histogram's layout: with `coarseBins` (the histogram shown beside the quantiles) no more than the fine
 * bins, each coarse bin is cut into `split` fine ones, as many as fit, so the shown histogram is summed from the fine
 * one instead of binned again (256 channels of 24 bins: 1008 fine bins each; 100 bins overall: 4000); otherwise
 * `bins` uniform bins.
 */
function fineLayout(groups: number, coarseBins?: number): { bins: number; split: number } {
  const bins = Math.max(MIN_FINE_BINS, Math.min(FINE_BINS, Math.floor(MAX_FINE_CELLS / Math.max(1, groups))));
  if (!coarseBins || coarseBins > bins) return { bins, split: 1 };
  const split = Math.floor(bins / coarseBins);
  return { bins: coarseBins * split, split };
}

export type Quantiles = Record<string, number>;

/** numpy.quantile(sorted, q) with method='linear', for q in [0, 1]. */
export function quantileOfSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const t = pos - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  // numpy's _lerp: a + (b-a)·t, evaluated from the nearer end for t ≥ 0.5
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/**
 * What a run over (part of) the tensor hands back: the fine histogram's counts, which merge by addition, or in
 * exact mode the quantiles themselves (exact mode needs every value, so it only runs over the whole tensor).
 */
export type QuantileState = { kind: 'fine'; counts: Float64Array } | { kind: 'exact'; quantiles: Quantiles[] };

export class GroupQuantiles {
  readonly exact: boolean;
  private readonly values: Float64Array[] = [];
  private readonly filled: Int32Array;
  /** The fine histogram quantiles are estimated from (absent in exact mode). */
  readonly fine?: GroupHistograms;

  /**
   * `finiteCounts[g]` is the number of finite values group g will receive; `ranges[g]` their [min, max].
   * Both come from the moments pass. `coarseBins`: the fine histogram nests, when it has room (fineLayout), in a
   * histogram of that many bins over the same ranges, whose counts `fine.coarseCounts()` then gives.
   */
  constructor(readonly groups: number, finiteCounts: ArrayLike<number>, ranges: ReadonlyArray<readonly [number, number]>,
    budget = EXACT_QUANTILE_BUDGET, kernels: Kernels | null = null, coarseBins?: number) {
    let total = 0;
    for (let g = 0; g < groups; g++) total += finiteCounts[g];
    this.exact = quantilesAreExact(total, budget);
    this.filled = new Int32Array(groups);
    if (this.exact) {
      for (let g = 0; g < groups; g++) this.values.push(new Float64Array(finiteCounts[g]));
    } else {
      const { bins, split } = fineLayout(groups, coarseBins);
      this.fine = new GroupHistograms(groups, bins, ranges.map(([lo, hi]) => histogramRange(lo, hi)), kernels, split);
    }
  }

  add(values: NumericArray, start: number, map: GroupMap): this {
    if (this.fine) {
      this.fine.add(values, start, map);
      return this;
    }
    for (const s = new SegmentWalk(map, start, values.length); s.next();) {
      const store = this.values[s.group];
      let k = this.filled[s.group];
      for (let j = s.from; j < s.to; j++) {
        const v = values[j];
        if (v - v === 0 && k < store.length) store[k++] = v; // finite values only
      }
      this.filled[s.group] = k;
    }
    return this;
  }

  state(): QuantileState {
    if (this.fine) return { kind: 'fine', counts: this.fine.snapshot() };
    return { kind: 'exact', quantiles: Array.from({ length: this.groups }, (_, g) => this.quantiles(g)) };
  }

  quantiles(g: number): Quantiles {
    if (this.fine) return fineQuantiles(this.fine, g);
    const out: Quantiles = {};
    const sorted = this.values[g].subarray(0, this.filled[g]).sort();
    for (const p of QUANTILE_PERCENTS) out[String(p)] = quantileOfSorted(sorted, p / 100);
    return out;
  }
}

/** Whether quantiles over `finiteValues` values are exact (kept and sorted) rather than estimated. */
export function quantilesAreExact(finiteValues: number, budget = EXACT_QUANTILE_BUDGET): boolean {
  return finiteValues <= budget;
}

/**
 * Group g's quantiles from a merged state over the groups' [min, max] `ranges` and `coarseBins` (what
 * GroupQuantiles was given).
 */
export function quantilesFromState(state: QuantileState, ranges: ReadonlyArray<readonly [number, number]>, coarseBins?: number): (g: number) => Quantiles {
  if (state.kind === 'exact') return (g) => state.quantiles[g];
  const { bins, split } = fineLayout(ranges.length, coarseBins);
  const edges = new Float64Array(bins + 1);
  return (g) => {
    const [lo, hi] = histogramRange(ranges[g][0], ranges[g][1]);
    return histogramQuantiles(state.counts.subarray(g * bins, (g + 1) * bins), nestedEdgesInto(edges, lo, hi, bins / split, split));
  };
}

function fineQuantiles(fine: GroupHistograms, g: number): Quantiles {
  const { edges, counts } = fine.histogram(g);
  return histogramQuantiles(counts, edges);
}

/**
 * Every percent's value at rank q·(n-1), assuming values spread evenly inside their bin, in one sweep over the
 * bins (this runs once per result, in code the JIT has not optimized: the sweep count matters).
 */
function histogramQuantiles(counts: ArrayLike<number>, edges: ArrayLike<number>): Quantiles {
  const out: Quantiles = {};
  let total = 0;
  for (let b = 0; b < counts.length; b++) total += counts[b];
  let b = 0;
  let below = 0;
  for (const p of QUANTILE_PERCENTS) {
    if (!total) {
      out[String(p)] = NaN;
      continue;
    }
    const rank = (p / 100) * (total - 1);
    while (b < counts.length && !(counts[b] > 0 && below + counts[b] > rank)) below += counts[b++];
    if (b === counts.length) {
      out[String(p)] = edges[edges.length - 1];
      continue;
    }
    const within = (rank - below + 0.5) / counts[b];
    out[String(p)] = edges[b] + Math.min(1, Math.max(0, within)) * (edges[b + 1] - edges[b]);
  }
  return out;
}
