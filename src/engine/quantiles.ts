/**
 * Quantiles per group. Exact (numpy's default 'linear' method on the sorted values) when the values fit the
 * budget; otherwise estimated from a fine histogram, interpolating inside the bin, with the error bounded by one
 * bin width and the result labeled as estimated.
 */
import type { NumericArray } from './dtype';
import { GroupHistograms, histogramRange } from './histogram';
import { groupOf, type GroupMap } from './moments';

/** Percentages reported for every group, as SEMANTICS.md lists them. */
export const QUANTILE_PERCENTS = [1, 5, 25, 50, 75, 95, 99] as const;
/** Values kept in memory for exact quantiles (8 bytes each). */
export const EXACT_QUANTILE_BUDGET = 1 << 22;
const FINE_BINS = 4096;

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

export class GroupQuantiles {
  readonly exact: boolean;
  private readonly values: Float64Array[] = [];
  private readonly filled: Int32Array;
  private readonly fine?: GroupHistograms;

  /**
   * `finiteCounts[g]` is the number of finite values group g will receive; `ranges[g]` their [min, max].
   * Both come from the moments pass.
   */
  constructor(readonly groups: number, finiteCounts: ArrayLike<number>, ranges: ReadonlyArray<readonly [number, number]>,
    budget = EXACT_QUANTILE_BUDGET) {
    let total = 0;
    for (let g = 0; g < groups; g++) total += finiteCounts[g];
    this.exact = total <= budget;
    this.filled = new Int32Array(groups);
    if (this.exact) {
      for (let g = 0; g < groups; g++) this.values.push(new Float64Array(finiteCounts[g]));
    } else {
      this.fine = new GroupHistograms(groups, FINE_BINS, ranges.map(([lo, hi]) => histogramRange(lo, hi)));
    }
  }

  add(values: NumericArray, start: number, map: GroupMap): this {
    if (this.fine) {
      this.fine.add(values, start, map);
      return this;
    }
    let i = 0;
    const n = values.length;
    while (i < n) {
      const e = start + i;
      const g = groupOf(map, e);
      const end = Math.min(n, i + (map.run - (e % map.run)));
      const store = this.values[g];
      let k = this.filled[g];
      for (let j = i; j < end; j++) {
        const v = values[j];
        if (v - v === 0 && k < store.length) store[k++] = v; // finite values only
      }
      this.filled[g] = k;
      i = end;
    }
    return this;
  }

  quantiles(g: number): Quantiles {
    const out: Quantiles = {};
    if (this.fine) {
      const { edges, counts } = this.fine.histogram(g);
      const total = counts.reduce((a, b) => a + b, 0);
      for (const p of QUANTILE_PERCENTS) out[String(p)] = total ? quantileFromHistogram(edges, counts, total, p / 100) : NaN;
      return out;
    }
    const sorted = this.values[g].subarray(0, this.filled[g]).sort();
    for (const p of QUANTILE_PERCENTS) out[String(p)] = quantileOfSorted(sorted, p / 100);
    return out;
  }
}

/** The value at rank q·(n-1), assuming values spread evenly inside their bin. */
function quantileFromHistogram(edges: number[], counts: number[], total: number, q: number): number {
  const rank = q * (total - 1);
  let below = 0;
  for (let b = 0; b < counts.length; b++) {
    const c = counts[b];
    if (c > 0 && below + c > rank) {
      const within = (rank - below + 0.5) / c;
      return edges[b] + Math.min(1, Math.max(0, within)) * (edges[b + 1] - edges[b]);
    }
    below += c;
  }
  return edges[edges.length - 1];
}
