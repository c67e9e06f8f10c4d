/**
 * Per-group moments that stream and merge: count, mean, M2 (sum of squared deviations), min, max and the
 * counts of NaN, +Inf, -Inf and exact zeros. Statistics of a tensor are the merge of the statistics of its
 * chunks (Chan et al.), so one accumulator serves an in-memory tensor, a file streamed in chunks and work split
 * across workers.
 *
 * Accuracy: each contiguous segment of one group is summed in float64 with the segment's first finite value as
 * shift, then merged with Chan's formula; a channel whose |mean| is 1e6 times its std keeps its variance.
 * Non-finite values are counted and excluded: mean, variance, min and max are over finite values.
 */
import type { NumericArray } from './dtype';

/**
 * Which group element `e` (flat storage index) belongs to: floor(e / run) % mod, or floor(e / run) when mod is
 * 0. A channel axis splitting `outer × C × inner` is { run: inner, mod: C }; LayerNorm over trailing K
 * elements is { run: K, mod: 0 }; InstanceNorm is { run: inner, mod: 0 }. With `block` set, groups also split
 * by blocks of that many elements: floor(e / block) · mod + floor(e / run) % mod, e.g. (sample, channel) pairs
 * of an NHWC tensor are { run: 1, mod: C, block: H·W·C }.
 */
export interface GroupMap {
  run: number;
  mod: number;
  block?: number;
}

export function groupOf(map: GroupMap, element: number): number {
  const r = Math.floor(element / map.run);
  if (!map.mod) return r;
  return map.block ? Math.floor(element / map.block) * map.mod + (r % map.mod) : r % map.mod;
}

/** Number of groups `map` defines over `elements` elements. */
export function groupCount(map: GroupMap, elements: number): number {
  if (map.mod && !map.block) return map.mod;
  return elements === 0 ? 0 : groupOf(map, elements - 1) + 1;
}

/** Below this run length, accumulate per group with shifted sums instead of merging every segment. */
const SHORT_RUN = 16;

export class GroupMoments {
  readonly count: Float64Array;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly nan: Float64Array;
  readonly posinf: Float64Array;
  readonly neginf: Float64Array;
  readonly zeros: Float64Array;

  constructor(readonly groups: number) {
    this.count = new Float64Array(groups);
    this.mean = new Float64Array(groups);
    this.m2 = new Float64Array(groups);
    this.min = new Float64Array(groups).fill(Infinity);
    this.max = new Float64Array(groups).fill(-Infinity);
    this.nan = new Float64Array(groups);
    this.posinf = new Float64Array(groups);
    this.neginf = new Float64Array(groups);
    this.zeros = new Float64Array(groups);
  }

  /** Adds `values`, which are the tensor's elements `start .. start + values.length - 1` in storage order. */
  add(values: NumericArray, start: number, map: GroupMap): this {
    // with mod 0 a group is one contiguous run (LayerNorm rows): gathering short runs per group gains nothing
    if (map.run < SHORT_RUN && map.mod > 0 && values.length > map.run) this.addShortRuns(values, start, map);
    else this.addSegments(values, start, map);
    return this;
  }

  /** Long runs (e.g. NCHW channels): each contiguous segment is reduced, then merged into its group. */
  private addSegments(values: NumericArray, start: number, map: GroupMap): void {
    let i = 0;
    const n = values.length;
    while (i < n) {
      const e = start + i;
      const g = groupOf(map, e);
      const end = Math.min(n, i + (map.run - (e % map.run)));
      this.addSegment(values, i, end, g);
      i = end;
    }
  }

  private addSegment(values: NumericArray, from: number, to: number, g: number): void {
    // fast loop assumes every value is finite; a NaN or Inf makes s or q non-finite and sends us to the careful loop
    const k = values[from];
    let s = 0;
    let q = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let zeros = 0;
    for (let i = from; i < to; i++) {
      const v = values[i];
      const d = v - k;
      s += d;
      q += d * d;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (v === 0) zeros++;
    }
    if (Number.isFinite(s) && Number.isFinite(q)) {
      this.mergeShifted(g, to - from, k, s, q, lo, hi, zeros, 0, 0, 0);
      return;
    }
    this.addSegmentCareful(values, from, to, g);
  }

  private addSegmentCareful(values: NumericArray, from: number, to: number, g: number): void {
    let k = NaN;
    let n = 0;
    let s = 0;
    let q = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let zeros = 0;
    let nan = 0;
    let posinf = 0;
    let neginf = 0;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (v !== v) { nan++; continue; }
      if (v === Infinity) { posinf++; continue; }
      if (v === -Infinity) { neginf++; continue; }
      if (n === 0) k = v;
      const d = v - k;
      n++;
      s += d;
      q += d * d;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (v === 0) zeros++;
    }
    this.mergeShifted(g, n, k, s, q, lo, hi, zeros, nan, posinf, neginf);
  }

  /** Short runs (e.g. channels-last): per-group shifted sums for this call, merged once at the end. */
  private addShortRuns(values: NumericArray, start: number, map: GroupMap): void {
    const touched = new Map<number, number>();
    const acc: number[][] = [];
    // per slot: shift, n, s, q, lo, hi, zeros, nan, posinf, neginf
    let i = 0;
    const n = values.length;
    while (i < n) {
      const e = start + i;
      const g = groupOf(map, e);
      const end = Math.min(n, i + (map.run - (e % map.run)));
      let slot = touched.get(g);
      if (slot === undefined) {
        slot = acc.length;
        touched.set(g, slot);
        acc.push([NaN, 0, 0, 0, Infinity, -Infinity, 0, 0, 0, 0]);
      }
      const a = acc[slot];
      for (let j = i; j < end; j++) {
        const v = values[j];
        if (v !== v) { a[7]++; continue; }
        if (v === Infinity) { a[8]++; continue; }
        if (v === -Infinity) { a[9]++; continue; }
        if (a[1] === 0) a[0] = v;
        const d = v - a[0];
        a[1]++;
        a[2] += d;
        a[3] += d * d;
        if (v < a[4]) a[4] = v;
        if (v > a[5]) a[5] = v;
        if (v === 0) a[6]++;
      }
      i = end;
    }
    for (const [g, slot] of touched) {
      const a = acc[slot];
      this.mergeShifted(g, a[1], a[0], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
    }
  }

  /** Merges n finite values given as shifted sums (s = Σ(x-k), q = Σ(x-k)²) into group g. */
  private mergeShifted(g: number, n: number, k: number, s: number, q: number, lo: number, hi: number,
    zeros: number, nan: number, posinf: number, neginf: number): void {
    this.nan[g] += nan;
    this.posinf[g] += posinf;
    this.neginf[g] += neginf;
    if (n === 0) return;
    const mean = k + s / n;
    const m2 = Math.max(0, q - (s * s) / n);
    this.mergeMoments(g, n, mean, m2);
    if (lo < this.min[g]) this.min[g] = lo;
    if (hi > this.max[g]) this.max[g] = hi;
    this.zeros[g] += zeros;
  }

  private mergeMoments(g: number, n: number, mean: number, m2: number): void {
    const na = this.count[g];
    if (na === 0) {
      this.count[g] = n;
      this.mean[g] = mean;
      this.m2[g] = m2;
      return;
    }
    const total = na + n;
    const delta = mean - this.mean[g];
    this.mean[g] += (delta * n) / total;
    this.m2[g] += m2 + (delta * delta * na * n) / total;
    this.count[g] = total;
  }

  /** Merges group `from` of `other` (a different chunk, or another group) into group `g` of this one. */
  mergeGroup(g: number, other: GroupMoments, from: number): this {
    this.nan[g] += other.nan[from];
    this.posinf[g] += other.posinf[from];
    this.neginf[g] += other.neginf[from];
    if (other.count[from] === 0) return this;
    this.mergeMoments(g, other.count[from], other.mean[from], other.m2[from]);
    if (other.min[from] < this.min[g]) this.min[g] = other.min[from];
    if (other.max[from] > this.max[g]) this.max[g] = other.max[from];
    this.zeros[g] += other.zeros[from];
    return this;
  }

  /** Adds another accumulator over the same groups (a different chunk of the same tensor). */
  merge(other: GroupMoments): this {
    for (let g = 0; g < this.groups; g++) this.mergeGroup(g, other, g);
    return this;
  }

  /** All groups merged into one (the overall statistics of the tensor). */
  total(): GroupMoments {
    const t = new GroupMoments(1);
    for (let g = 0; g < this.groups; g++) t.mergeGroup(0, this, g);
    return t;
  }

  /** Biased (divide-by-n, numpy ddof=0) variance over finite values; NaN when there are none. */
  variance(g: number): number {
    const n = this.count[g];
    return n > 0 ? this.m2[g] / n : NaN;
  }

  /** Unbiased (divide-by-(n-1), torch.var default) variance; NaN for fewer than two finite values. */
  unbiasedVariance(g: number): number {
    const n = this.count[g];
    return n > 1 ? this.m2[g] / (n - 1) : NaN;
  }

  /** Elements of group g including NaN and ±Inf. */
  elements(g: number): number {
    return this.count[g] + this.nan[g] + this.posinf[g] + this.neginf[g];
  }

  /** Mean as IEEE arithmetic gives it (NaN if any NaN or both infinities, ±Inf if an infinity): what frameworks compute. */
  ieeeMean(g: number): number {
    if (this.nan[g] > 0 || (this.posinf[g] > 0 && this.neginf[g] > 0)) return NaN;
    if (this.posinf[g] > 0) return Infinity;
    if (this.neginf[g] > 0) return -Infinity;
    return this.count[g] > 0 ? this.mean[g] : NaN;
  }

  /** Biased variance as IEEE arithmetic gives it: NaN as soon as any value is not finite. */
  ieeeVariance(g: number): number {
    if (this.nan[g] + this.posinf[g] + this.neginf[g] > 0) return NaN;
    return this.variance(g);
  }
}
