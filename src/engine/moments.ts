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
import { KERNEL_MIN_RUN, RegroupedChunk, SegmentWalk, type Segments } from './segments';
import type { Kernels } from './wasm/kernels';

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

/** The arrays of a GroupMoments, structured-cloneable: what a worker sends back to be merged. */
export interface MomentsState {
  groups: number;
  count: Float64Array;
  mean: Float64Array;
  m2: Float64Array;
  min: Float64Array;
  max: Float64Array;
  nan: Float64Array;
  posinf: Float64Array;
  neginf: Float64Array;
  zeros: Float64Array;
}

export class GroupMoments implements MomentsState {
  readonly count: Float64Array;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly nan: Float64Array;
  readonly posinf: Float64Array;
  readonly neginf: Float64Array;
  readonly zeros: Float64Array;

  /**
   * With `kernels`, float32 segments are reduced by WebAssembly (kernelModule.ts); the TypeScript loop is the
   * reference. With `arrays`, the accumulator works in those (see `over`) instead of fresh ones.
   */
  constructor(readonly groups: number, private readonly kernels: Kernels | null = null, arrays?: MomentsState) {
    this.count = arrays?.count ?? new Float64Array(groups);
    this.mean = arrays?.mean ?? new Float64Array(groups);
    this.m2 = arrays?.m2 ?? new Float64Array(groups);
    this.min = arrays?.min ?? new Float64Array(groups).fill(Infinity);
    this.max = arrays?.max ?? new Float64Array(groups).fill(-Infinity);
    this.nan = arrays?.nan ?? new Float64Array(groups);
    this.posinf = arrays?.posinf ?? new Float64Array(groups);
    this.neginf = arrays?.neginf ?? new Float64Array(groups);
    this.zeros = arrays?.zeros ?? new Float64Array(groups);
  }

  /**
   * An accumulator over `state`'s own arrays, not a copy: for reading a state, and for merging into one that is no
   * longer needed as it was (per-group states can be tens of MB: LayerNorm has a group per row).
   */
  static over(state: MomentsState): GroupMoments {
    return new GroupMoments(state.groups, null, state);
  }

  /**
   * The arrays themselves, not copies, for a run that is over: what a worker sends back to be merged (a copy of
   * LayerNorm's per-row moments would be tens of MB).
   */
  state(): MomentsState {
    const out = { groups: this.groups } as MomentsState;
    for (const key of MOMENT_ARRAYS) out[key] = this[key];
    return out;
  }

  /** Back to no values in any group, in the same arrays: an accumulator reused chunk after chunk. */
  clear(): this {
    for (const key of MOMENT_ARRAYS) this[key].fill(key === 'min' ? Infinity : key === 'max' ? -Infinity : 0);
    return this;
  }

  /** Adds `values`, which are the tensor's elements `start .. start + values.length - 1` in storage order. */
  add(values: NumericArray, start: number, map: GroupMap): this {
    const kernels = this.kernels && values instanceof Float32Array ? this.kernels : null;
    if (kernels && RegroupedChunk.pays(map, values.length)) {
      // short runs (channels-last): the kernel reduces each group's elements of the chunk, gathered
      const regrouped = kernels.regroup(values as Float32Array, start, map);
      this.addSegments(kernels, regrouped.values, regrouped);
    } else if (map.run < KERNEL_MIN_RUN && map.mod > 0 && values.length > map.run) {
      // with mod 0 a group is one contiguous run (LayerNorm rows): gathering short runs per group gains nothing
      this.addShortRuns(values, start, map);
    } else {
      const staged = kernels ? kernels.stage(values as Float32Array) : values;
      this.addSegments(kernels, staged, new SegmentWalk(map, start, values.length));
    }
    return this;
  }

  /** Each segment is reduced (by the kernel when it is long enough), then merged into its group. */
  private addSegments(kernels: Kernels | null, values: NumericArray, segments: Segments): void {
    const base = kernels ? kernels.addressOf(values as Float32Array) : 0;
    for (const s = segments; s.next();) {
      if (kernels && s.to - s.from >= KERNEL_MIN_RUN) this.addSegmentKernel(kernels, values, base, s.from, s.to, s.group);
      else this.addSegment(values, s.from, s.to, s.group);
    }
  }

  private addSegmentKernel(kernels: Kernels, values: NumericArray, base: number, from: number, to: number, g: number): void {
    const shift = values[from];
    const r = kernels.moments(base + from * 4, to - from, shift);
    if (!Number.isFinite(r.s) || !Number.isFinite(r.q)) {
      this.addSegmentCareful(values, from, to, g);
      return;
    }
    let { lo, hi } = r;
    if (lo === 0 || hi === 0) {
      // the kernel's lanes may have met ±0 in another order: take the sign of the first zero, as the loop does
      let j = from;
      while (values[j] !== 0) j++;
      if (lo === 0) lo = values[j];
      if (hi === 0) hi = values[j];
    }
    this.mergeShifted(g, to - from, shift, r.s, r.q, lo, hi, r.zeros, 0, 0, 0);
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

  /**
   * Short runs (e.g. channels-last) that are not regrouped for the kernels (float64 data, the TypeScript reference,
   * groups of a few elements each): per-group shifted sums over the whole call in flat typed arrays, merged
   * once per group at the end.
   */
  private addShortRuns(values: NumericArray, start: number, map: GroupMap): void {
    // only the groups of the blocks this call touches (all of them without blocks): mod > 0 here
    const first = map.block ? Math.floor(start / map.block) * map.mod : 0;
    const last = map.block ? (Math.floor((start + values.length - 1) / map.block) + 1) * map.mod : map.mod;
    const acc = new ShortRunSums(last - first);
    for (const s = new SegmentWalk(map, start, values.length); s.next();) {
      const g = s.group - first;
      for (let j = s.from; j < s.to; j++) {
        const v = values[j];
        if (v - v !== 0) {
          if (v !== v) acc.nan[g]++;
          else if (v > 0) acc.posinf[g]++;
          else acc.neginf[g]++;
          continue;
        }
        if (acc.n[g] === 0) acc.shift[g] = v;
        const d = v - acc.shift[g];
        acc.n[g]++;
        acc.s[g] += d;
        acc.q[g] += d * d;
        if (v < acc.lo[g]) acc.lo[g] = v;
        if (v > acc.hi[g]) acc.hi[g] = v;
        if (v === 0) acc.zeros[g]++;
      }
    }
    for (let g = 0; g < acc.n.length; g++) {
      if (acc.n[g] > 0 || acc.nan[g] + acc.posinf[g] + acc.neginf[g] > 0) {
        this.mergeShifted(first + g, acc.n[g], acc.shift[g], acc.s[g], acc.q[g], acc.lo[g], acc.hi[g], acc.zeros[g], acc.nan[g], acc.posinf[g], acc.neginf[g]);
      }
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
  mergeGroup(g: number, other: MomentsState, from: number): this {
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

  /** Adds another accumulator over the same groups (a different chunk or range of the same tensor). */
  merge(other: MomentsState): this {
    for (let g = 0; g < this.groups; g++) this.mergeGroup(g, other, g);
    return this;
  }

  /** All groups merged into one (the overall statistics of the tensor). */
  total(): GroupMoments {
    const t = new GroupMoments(1);
    for (let g = 0; g < this.groups; g++) t.mergeGroup(0, this, g);
    return t;
  }

  /** Mean over finite values; NaN when there are none. */
  finiteMean(g: number): number {
    return this.count[g] > 0 ? this.mean[g] : NaN;
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

  /** mean(x²) as IEEE arithmetic gives it (RMSNorm's denominator): NaN with any NaN, +Inf with any infinity. */
  ieeeMeanSquare(g: number): number {
    if (this.nan[g] > 0) return NaN;
    if (this.posinf[g] + this.neginf[g] > 0) return Infinity;
    return this.count[g] > 0 ? this.m2[g] / this.count[g] + this.mean[g] * this.mean[g] : NaN;
  }

  /** Min and max as IEEE comparisons give them (min-max scaling): NaN with any NaN, ±Inf with an infinity. */
  ieeeRange(g: number): [number, number] {
    if (this.nan[g] > 0) return [NaN, NaN];
    return [this.neginf[g] > 0 ? -Infinity : this.min[g], this.posinf[g] > 0 ? Infinity : this.max[g]];
  }
}

const MOMENT_ARRAYS = ['count', 'mean', 'm2', 'min', 'max', 'nan', 'posinf', 'neginf', 'zeros'] as const;

/**
 * Empty arrays for `groups` groups in one SharedArrayBuffer: a worker's state in them reaches the host and the other
 * workers shared, not copied (cloning LayerNorm's per-row state took the host's thread 270-380 ms per message).
 */
export function sharedMomentsState(groups: number): MomentsState {
  const buffer = new SharedArrayBuffer(MOMENT_ARRAYS.length * groups * 8);
  const state = { groups } as MomentsState;
  MOMENT_ARRAYS.forEach((key, i) => { state[key] = new Float64Array(buffer, i * groups * 8, groups); });
  // the rest is zero as allocated
  state.min.fill(Infinity);
  state.max.fill(-Infinity);
  return state;
}

/** `states` (the same groups over different ranges) merged into the first one's arrays, which it returns. */
export function mergeInto(states: MomentsState[]): MomentsState {
  const first = GroupMoments.over(states[0]);
  for (let i = 1; i < states.length; i++) first.merge(states[i]);
  return states[0];
}

/** One call's per-group shifted sums for short runs. */
class ShortRunSums {
  readonly shift: Float64Array;
  readonly n: Float64Array;
  readonly s: Float64Array;
  readonly q: Float64Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly zeros: Float64Array;
  readonly nan: Float64Array;
  readonly posinf: Float64Array;
  readonly neginf: Float64Array;

  constructor(groups: number) {
    this.shift = new Float64Array(groups);
    this.n = new Float64Array(groups);
    this.s = new Float64Array(groups);
    this.q = new Float64Array(groups);
    this.lo = new Float64Array(groups).fill(Infinity);
    this.hi = new Float64Array(groups).fill(-Infinity);
    this.zeros = new Float64Array(groups);
    this.nan = new Float64Array(groups);
    this.posinf = new Float64Array(groups);
    this.neginf = new Float64Array(groups);
  }
}
