/**
 * Per-group histograms over fixed ranges, binned exactly as `numpy.histogram(x, bins, range=(lo, hi))` does
 * (uniform edges from linspace, last bin closed, the same edge corrections), so counts equal numpy's. Non-finite
 * values are not binned (they are counted by GroupMoments). Histograms of chunks merge by addition.
 */
import type { NumericArray } from './dtype';
import { groupOf, type GroupMap } from './moments';

export interface Histogram {
  edges: number[];
  counts: number[];
}

/** numpy widens an empty range to ±0.5 around the value; an all-non-finite group gets [0, 1]. */
export function histogramRange(lo: number, hi: number): [number, number] {
  if (!(lo <= hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/** numpy.linspace(lo, hi, bins + 1) to the last bit: step-multiplied, endpoint pinned. */
export function linspaceEdges(lo: number, hi: number, bins: number): Float64Array {
  const edges = new Float64Array(bins + 1);
  const step = (hi - lo) / bins;
  for (let i = 0; i <= bins; i++) edges[i] = lo + i * step;
  edges[bins] = hi;
  return edges;
}

export class GroupHistograms {
  readonly counts: Float64Array;
  private readonly edges: Float64Array[];
  private readonly norm: Float64Array;

  /** `ranges[g]` = [lo, hi] of group g, already widened with histogramRange. */
  constructor(readonly groups: number, readonly bins: number, ranges: ReadonlyArray<readonly [number, number]>) {
    this.counts = new Float64Array(groups * bins);
    this.edges = ranges.map(([lo, hi]) => linspaceEdges(lo, hi, bins));
    this.norm = Float64Array.from(ranges, ([lo, hi]) => bins / (hi - lo));
  }

  add(values: NumericArray, start: number, map: GroupMap): this {
    const bins = this.bins;
    let i = 0;
    const n = values.length;
    while (i < n) {
      const e = start + i;
      const g = groupOf(map, e);
      const end = Math.min(n, i + (map.run - (e % map.run)));
      const edges = this.edges[g];
      const lo = edges[0];
      const hi = edges[bins];
      const norm = this.norm[g];
      const base = g * bins;
      const counts = this.counts;
      for (let j = i; j < end; j++) {
        const v = values[j];
        if (!(v >= lo && v <= hi)) continue; // NaN, ±Inf and out-of-range values are not binned
        let b = Math.floor((v - lo) * norm);
        if (b >= bins) b = bins - 1;
        // numpy's corrections for values that rounding put one bin off their edges
        if (v < edges[b]) b--;
        else if (b !== bins - 1 && v >= edges[b + 1]) b++;
        counts[base + b]++;
      }
      i = end;
    }
    return this;
  }

  merge(other: GroupHistograms): this {
    for (let k = 0; k < this.counts.length; k++) this.counts[k] += other.counts[k];
    return this;
  }

  histogram(g: number): Histogram {
    return {
      edges: Array.from(this.edges[g]),
      counts: Array.from(this.counts.subarray(g * this.bins, (g + 1) * this.bins)),
    };
  }
}
