/**
 * Per-group histograms over fixed ranges, binned exactly as `numpy.histogram(x, bins, range=(lo, hi))` does
 * (uniform edges from linspace, last bin closed, the same edge corrections), so counts equal numpy's. Non-finite
 * values are not binned (they are counted by GroupMoments). Histograms of chunks merge by addition.
 */
import type { NumericArray } from './dtype';
import type { GroupMap } from './moments';
import { SegmentWalk } from './segments';
import type { Kernels } from './wasm/kernels';

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

const KERNEL_MIN_RUN = 16;

export class GroupHistograms {
  private readonly edges: Float64Array[];
  private readonly norm: Float64Array;
  /** JavaScript-held counts, or the addresses of the counts and edges in the kernels' memory. */
  private readonly ownCounts: Float64Array | null;
  private readonly countsPtr: number;
  private readonly edgesPtr: number;

  /**
   * `ranges[g]` = [lo, hi] of group g, already widened with histogramRange. With `kernels`, float32 segments are
   * binned by WebAssembly into counts kept in its memory (bit-for-bit the same binning as `add`'s loop).
   */
  constructor(readonly groups: number, readonly bins: number, ranges: ReadonlyArray<readonly [number, number]>,
    private readonly kernels: Kernels | null = null) {
    this.edges = ranges.map(([lo, hi]) => linspaceEdges(lo, hi, bins));
    this.norm = Float64Array.from(ranges, ([lo, hi]) => bins / (hi - lo));
    if (kernels) {
      this.ownCounts = null;
      this.countsPtr = kernels.alloc(groups * bins * 8);
      this.edgesPtr = kernels.alloc(groups * (bins + 1) * 8);
      const edges = kernels.f64(this.edgesPtr, groups * (bins + 1));
      this.edges.forEach((e, g) => edges.set(e, g * (bins + 1)));
    } else {
      this.ownCounts = new Float64Array(groups * bins);
      this.countsPtr = this.edgesPtr = -1;
    }
  }

  /** groups × bins counts, group-major (a fresh view when they live in the kernels' memory, which may grow). */
  get counts(): Float64Array {
    return this.ownCounts ?? this.kernels!.f64(this.countsPtr, this.groups * this.bins);
  }

  add(values: NumericArray, start: number, map: GroupMap): this {
    const kernels = this.kernels && values instanceof Float32Array ? this.kernels : null;
    const staged = kernels ? kernels.stage(values as Float32Array) : values;
    const base = kernels ? kernels.addressOf(staged as Float32Array) : 0;
    const bins = this.bins;
    const counts = this.counts; // after staging, which may grow the kernels' memory
    for (const s = new SegmentWalk(map, start, values.length); s.next();) {
      const g = s.group;
      const edges = this.edges[g];
      // a call per segment pays off from a few elements on; channels-last runs of one stay in the loop
      if (kernels && s.to - s.from >= KERNEL_MIN_RUN) {
        kernels.histogram(base + s.from * 4, s.to - s.from, edges[0], edges[bins], this.norm[g],
          this.edgesPtr + g * (bins + 1) * 8, this.countsPtr + g * bins * 8, bins);
      } else {
        binInto(counts, g * bins, staged, s.from, s.to, edges, this.norm[g], bins);
      }
    }
    return this;
  }

  /** Adds counts of the same groups and bins (another chunk or range of the tensor). */
  merge(other: GroupHistograms | Float64Array): this {
    const from = other instanceof GroupHistograms ? other.counts : other;
    const counts = this.counts;
    for (let k = 0; k < counts.length; k++) counts[k] += from[k];
    return this;
  }

  histogram(g: number): Histogram {
    return {
      edges: Array.from(this.edges[g]),
      counts: Array.from(this.counts.subarray(g * this.bins, (g + 1) * this.bins)),
    };
  }
}

/** numpy's binning of values[from..to) into counts[base .. base + bins); the reference for the kernel. */
function binInto(counts: Float64Array, base: number, values: NumericArray, from: number, to: number, edges: Float64Array,
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
