/**
 * Per-group histograms over fixed ranges, binned exactly as `numpy.histogram(x, bins, range=(lo, hi))` does
 * (uniform edges from linspace, last bin closed, the same edge corrections), so counts equal numpy's. Non-finite
 * values are not binned (they are counted by GroupMoments). Histograms of chunks merge by addition.
 */
import type { NumericArray } from './dtype';
import type { GroupMap } from './moments';
import { KERNEL_MIN_RUN, RegroupedChunk, SegmentWalk } from './segments';
import { stateFloat64 } from './stateArrays';
import type { HistogramTable, Kernels } from './wasm/kernels';

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

/**
 * The edges of `bins`·`split` bins that cut each bin of linspaceEdges(lo, hi, bins) into `split` near-equal parts:
 * every `split`-th edge is that bin edge bit for bit, so counts over these edges sum to numpy's counts over the
 * coarse ones (see GroupHistograms.coarseCounts). split = 1 gives linspaceEdges itself.
 */
function nestedEdges(lo: number, hi: number, bins: number, split: number): Float64Array {
  return split === 1 ? linspaceEdges(lo, hi, bins) : nestedEdgesInto(new Float64Array(bins * split + 1), lo, hi, bins, split);
}

/**
 * nestedEdges written into `out` (bins·split + 1 numbers): a table's edges go straight into the kernels' memory, and
 * a reader of many groups' edges reuses one array (each fresh typed array costs an allocation outside the heap).
 */
export function nestedEdgesInto(out: Float64Array, lo: number, hi: number, bins: number, split: number): Float64Array {
  const step = (hi - lo) / bins;
  let a = lo;
  for (let i = 0; i < bins; i++) {
    const b = i + 1 < bins ? lo + (i + 1) * step : hi;
    const part = (b - a) / split;
    for (let m = 0; m < split; m++) out[i * split + m] = a + m * part;
    a = b;
  }
  out[bins * split] = hi;
  return out;
}

/**
 * Whether binning over [lo, hi] into `bins` bins starts every value within a bin of its own (numpy's single
 * correction step then lands on the bin its edges define): the rounding of (x - lo)·bins/(hi - lo) is at most
 * about 2^-52·max(|lo|, |hi|)·bins/(hi - lo) bins, which this keeps under 2^-8. Float32 data always passes (its
 * range spans at least one float32 ulp); only float64 ranges a few ulps wide do not.
 */
function binsExactly(lo: number, hi: number, bins: number): boolean {
  return Number.isFinite(hi - lo) && Math.max(Math.abs(lo), Math.abs(hi)) * bins * 2 ** -44 <= hi - lo;
}

/** A uint32 count cannot overflow before this many values have been added. */
const MAX_UINT32 = 2 ** 32 - 1;

export class GroupHistograms {
  /** Each group's edges, without kernels (with them, the edges live in the kernels' memory only). */
  private readonly edgeArrays: Float64Array[];
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly norm: Float64Array;
  /**
   * The counts: all of them without kernels; with kernels, those moved out of the kernels' 32-bit counts, allocated
   * at the first move only (rarely: after 2^32 values), as every fresh megabyte costs page faults.
   */
  private total: Float64Array | null;
  /**
   * Addresses of the kernels' uint32 counts (bins + 1 words per group, the last one the kernels' discard word:
   * `stride` apart) and float64 edges, and how many values they may still take.
   */
  private readonly countsPtr: number;
  private readonly stride: number;
  private readonly edgesPtr: number;
  private room = MAX_UINT32;

  /**
   * Whether coarseCounts equal numpy's counts over the coarse edges (every group's range passes binsExactly);
   * when not, the coarse histogram must be binned on its own.
   */
  readonly nestsExactly: boolean;

  /**
   * `ranges[g]` = [lo, hi] of group g, already widened with histogramRange. With `kernels`, float32 segments are
   * binned by WebAssembly into counts kept in its memory (bit-for-bit the same binning as `add`'s loop). With
   * `split` > 1 the bins cut each of bins/split coarse bins in `split` (nestedEdges).
   */
  constructor(readonly groups: number, readonly bins: number, ranges: ReadonlyArray<readonly [number, number]>,
    private readonly kernels: Kernels | null = null, readonly split = 1) {
    this.nestsExactly = ranges.every(([lo, hi]) => binsExactly(lo, hi, bins));
    this.lo = Float64Array.from(ranges, ([lo]) => lo);
    this.hi = Float64Array.from(ranges, ([, hi]) => hi);
    this.norm = Float64Array.from(ranges, ([lo, hi]) => bins / (hi - lo));
    if (kernels) {
      this.total = null;
      this.edgeArrays = [];
      this.stride = bins + 1;
      this.countsPtr = kernels.alloc(groups * this.stride * 4);
      kernels.u32(this.countsPtr, groups * this.stride).fill(0); // the memory may be a reused run's
      this.edgesPtr = kernels.alloc(groups * (bins + 1) * 8);
      const edges = kernels.f64(this.edgesPtr, groups * (bins + 1));
      ranges.forEach(([lo, hi], g) => nestedEdgesInto(edges.subarray(g * (bins + 1), (g + 1) * (bins + 1)), lo, hi, bins / split, split));
    } else {
      this.total = new Float64Array(groups * bins);
      this.edgeArrays = ranges.map(([lo, hi]) => nestedEdges(lo, hi, bins / split, split));
      this.countsPtr = this.edgesPtr = -1;
      this.stride = bins;
    }
  }

  /** groups × bins counts, group-major, as they stand: without kernels the table itself, not to be modified. */
  get counts(): Float64Array {
    if (!this.kernels) return this.total!;
    // native conversions, a group at a time: an element loop here would run unoptimized, once per result, over up
    // to 2^18 cells
    const out = stateFloat64(this.groups * this.bins);
    for (let g = 0; g < this.groups; g++) out.set(this.pending(g), g * this.bins);
    if (this.total) for (let k = 0; k < out.length; k++) out[k] += this.total[k];
    return out;
  }

  /** Group g's counts in the kernels' memory, without the discard word. */
  private pending(g: number): Uint32Array {
    return this.kernels!.u32(this.countsPtr + g * this.stride * 4, this.bins);
  }

  /** The counts in an array of the caller's own. */
  snapshot(): Float64Array {
    return this.kernels ? this.counts : this.total!.slice();
  }

  /**
   * groups × bins/split counts: numpy's histogram over the coarse edges when nestsExactly, each coarse bin the sum
   * of its `split` fine ones (a value lies in fine bin j iff edges[j] ≤ v < edges[j + 1], and every split-th edge is
   * a coarse one). One table then serves both the histogram and the quantile estimate, binned once per value.
   * `fine`: the counts, when the caller took them already.
   */
  coarseCounts(fine = this.counts): Float64Array {
    const out = new Float64Array(fine.length / this.split);
    for (let k = 0; k < out.length; k++) {
      let n = 0;
      for (let m = k * this.split; m < (k + 1) * this.split; m++) n += fine[m];
      out[k] = n;
    }
    return out;
  }

  /** Moves the kernels' 32-bit counts into the float64 totals. */
  private flush(): void {
    const total = this.total ??= new Float64Array(this.groups * this.bins);
    for (let g = 0; g < this.groups; g++) {
      const pending = this.pending(g);
      for (let i = 0; i < this.bins; i++) total[g * this.bins + i] += pending[i];
      pending.fill(0);
    }
    this.room = MAX_UINT32;
  }

  /** Group g's edges (a view of the kernels' memory when they hold them: take it anew after any allocation). */
  private edges(g: number): Float64Array {
    return this.kernels ? this.kernels.f64(this.edgesPtr + g * (this.bins + 1) * 8, this.bins + 1) : this.edgeArrays[g];
  }

  add(values: NumericArray, start: number, map: GroupMap): this {
    GroupHistograms.addBoth(this, null, values, start, map);
    return this;
  }

  /**
   * Adds `values` to `a` and, when given, to `b` in one sweep: `b` holds the same groups with other bins (a
   * histogram and its fine quantile histogram) or, with its own `bMap`, one group that takes every value (the whole
   * tensor's histogram beside per-channel ones). Each table has its own ranges.
   */
  static addBoth(a: GroupHistograms, b: GroupHistograms | null, values: NumericArray, start: number, map: GroupMap, bMap = map): void {
    const kernels = a.kernels && values instanceof Float32Array ? a.kernels : null;
    const whole = bMap !== map;
    // short runs (channels-last) are regrouped, so that a kernel call bins a group's elements of the chunk at once
    const regrouped = kernels && RegroupedChunk.pays(map, values.length) ? kernels.regroup(values as Float32Array, start, map) : null;
    // one sweep pays off only through the kernels, and beside one group only when a's segments are long enough
    if (b && (!kernels || b.kernels !== kernels || (whole && map.run < KERNEL_MIN_RUN && !regrouped))) {
      a.add(values, start, map);
      b.add(values, start, bMap);
      return;
    }
    const staged = regrouped?.values ?? (kernels ? kernels.stage(values as Float32Array) : values);
    const base = kernels ? kernels.addressOf(staged as Float32Array) : 0;
    for (const h of b ? [a, b] : [a]) {
      if (h.kernels && values.length > h.room) h.flush();
      h.room -= values.length;
    }
    const aCounts = a.tally();
    const bCounts = b?.tally();
    for (const s = regrouped ?? new SegmentWalk(map, start, values.length); s.next();) {
      const g = s.group;
      const gb = whole ? 0 : g;
      // a call per segment pays off from a few elements on; channels-last runs of one stay in the loop
      if (kernels && s.to - s.from >= KERNEL_MIN_RUN) {
        kernels.histogram(base + s.from * 4, s.to - s.from, a.table(g), b?.table(gb));
      } else {
        binInto(aCounts, g * a.stride, staged, s.from, s.to, a.edges(g), a.norm[g], a.bins);
        if (b) binInto(bCounts!, gb * b.stride, staged, s.from, s.to, b.edges(gb), b.norm[gb], b.bins);
      }
    }
  }

  /** Where add counts, `stride` per group: the kernels' 32-bit counts when they hold the table, else the totals. */
  private tally(): Float64Array | Uint32Array {
    return this.kernels ? this.kernels.u32(this.countsPtr, this.groups * this.stride) : this.total!;
  }

  /** Group g's table in the kernels' memory. */
  private table(g: number): HistogramTable {
    return {
      lo: this.lo[g], hi: this.hi[g], norm: this.norm[g],
      edges: this.edgesPtr + g * (this.bins + 1) * 8, counts: this.countsPtr + g * this.stride * 4, bins: this.bins,
    };
  }

  /** Adds counts of the same groups and bins (another chunk or range of the tensor). */
  merge(from: Float64Array): this {
    const total = this.total ??= new Float64Array(this.groups * this.bins);
    for (let k = 0; k < from.length; k++) total[k] += from[k];
    return this;
  }

  histogram(g: number): Histogram {
    const at = g * this.bins;
    const counts = new Array<number>(this.bins).fill(0);
    if (this.total) for (let i = 0; i < this.bins; i++) counts[i] += this.total[at + i];
    if (this.kernels) this.pending(g).forEach((c, i) => { counts[i] += c; });
    return { edges: Array.from(this.edges(g)), counts };
  }
}

/** numpy's binning of values[from..to) into counts[base .. base + bins); the reference for the kernel. */
function binInto(counts: Float64Array | Uint32Array, base: number, values: NumericArray, from: number, to: number, edges: Float64Array,
  norm: number, bins: number): void {
  const lo = edges[0];
  const hi = edges[bins];
  for (let j = from; j < to; j++) {
    const v = values[j];
    if (!(v >= lo && v <= hi)) continue; // NaN, ±Inf and out-of-range values are not binned
    let b = Math.floor((v - lo) * norm);
    if (b >= bins) b = bins - 1;
    // numpy's corrections for values that rounding put one bin off their edges
    if (v < edges[b]) b--;
    else if (b !== bins - 1 && v >= edges[b + 1]) b++;
    counts[base + b]++;
  }
}
