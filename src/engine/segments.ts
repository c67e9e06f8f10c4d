/**
 * The one walk over a chunk's segments: maximal runs of consecutive elements that a `GroupMap` (moments.ts)
 * puts in one group. Every streaming accumulator visits a chunk segment by segment, handling a segment with a
 * tight loop (or a kernel call) for its group. Counters replace the divisions of `groupOf`, so even maps with
 * one-element runs (channels-last) cost a few additions per segment.
 */
import type { NumericArray } from './dtype';
import type { GroupMap } from './moments';

/** Below this many elements a kernel call costs more than the loop it replaces. */
export const KERNEL_MIN_RUN = 16;

/** What SegmentWalk and RegroupedChunk both give: segment after segment of a chunk, each of one group. */
export interface Segments {
  readonly from: number;
  readonly to: number;
  readonly group: number;
  next(): boolean;
}

/**
 * Usage: `for (const s = new SegmentWalk(map, start, n); s.next();) { ...s.from, s.to, s.group }` where `from` and
 * `to` index the chunk (0 ≤ from < to ≤ n) whose first element is the tensor's element `start`.
 */
export class SegmentWalk implements Segments {
  from = 0;
  to = 0;
  group = 0;
  private readonly run: number;
  private readonly mod: number;
  private readonly block: number;
  /** Position inside the current run and block, the run's index (mod `mod`) and the block's index. */
  private inRun: number;
  private inBlock: number;
  private runIndex: number;
  private blockIndex: number;

  constructor(map: GroupMap, start: number, private readonly length: number) {
    this.run = map.run;
    this.mod = map.mod;
    // without mod a group is one run and blocks do not matter (groupOf ignores them)
    this.block = map.mod && map.block ? map.block : Infinity;
    this.inRun = start % map.run;
    const runs = Math.floor(start / map.run);
    this.runIndex = map.mod ? runs % map.mod : runs;
    this.inBlock = this.block === Infinity ? 0 : start % this.block;
    this.blockIndex = this.block === Infinity ? 0 : Math.floor(start / this.block);
  }

  next(): boolean {
    const from = this.to;
    if (from >= this.length) return false;
    const len = Math.min(this.run - this.inRun, this.block - this.inBlock, this.length - from);
    this.from = from;
    this.to = from + len;
    this.group = this.blockIndex * this.mod + this.runIndex;
    this.inRun += len;
    if (this.inRun === this.run) {
      this.inRun = 0;
      this.runIndex = this.mod && this.runIndex + 1 === this.mod ? 0 : this.runIndex + 1;
    }
    this.inBlock += len;
    if (this.inBlock === this.block) {
      this.inBlock = 0;
      this.blockIndex++;
    }
    return true;
  }
}

/** Elements left free after each group's, so that the groups' write cursors do not fall in the same cache sets
 * (with one element per channel they would be a power of two apart: the sweep ran seven times slower). */
const GAP = 16;
/** Elements of one tile of whole rows in a regrouping with one element per channel: 16 KB of float32, within L1. */
const TILE_ELEMENTS = 4096;

/**
 * Moves `rows` whole rows of `cursor.length` elements, from values[from] on, channel c's to out[cursor[c]] onwards
 * (leaving `cursor` as it was): the kernels' transpose, for values and out in their memory.
 */
export type TransposeRows = (from: number, rows: number, cursor: Int32Array) => void;

/**
 * A chunk rewritten group by group (each group's elements in their order) for a map of short runs with a modulus:
 * channels-last tensors and (N, C) tables, whose segments are a run of one element per channel, so that a kernel
 * call covers all of a group's elements in the chunk instead of one run. Its walk yields a segment per group.
 */
export class RegroupedChunk implements Segments {
  from = 0;
  to = 0;
  group = 0;
  private index = -1;

  /** Group first + i's elements are values[bounds[2i] .. bounds[2i + 1]): a chunk's groups are consecutive. */
  private constructor(readonly values: NumericArray, private readonly first: number, private readonly bounds: Int32Array) {}

  /**
   * Whether regrouping `length` elements pays off: `map` has short runs and a modulus, and its groups get
   * KERNEL_MIN_RUN elements of the chunk on average (a blocked map with small blocks touches many groups).
   */
  static pays(map: GroupMap, length: number): boolean {
    return map.run < KERNEL_MIN_RUN && map.mod > 1 && length > map.run && length >= KERNEL_MIN_RUN * touched(map, length);
  }

  /** Elements `out` must hold to regroup `length` elements. */
  static capacity(map: GroupMap, length: number): number {
    return length + GAP * touched(map, length);
  }

  /**
   * `values` (the tensor's elements start .. start + values.length - 1) regrouped into `out` (capacity() elements),
   * block by block (groups are block·mod + channel): each channel's count follows from the block's length, then
   * one sequential sweep writes every element at its channel's cursor. With `transposeRows`, whole rows of a map
   * with runs of one element (channels last) are moved by it instead of the loop here, which stays the reference.
   */
  static of(values: NumericArray, start: number, map: GroupMap, out: NumericArray, transposeRows?: TransposeRows): RegroupedChunk {
    const n = values.length;
    const { run, mod } = map;
    const period = run * mod;
    const block = map.block ?? Infinity;
    const bounds: number[] = [];
    const cursor = new Int32Array(mod);
    let k = 0;
    for (let a = 0; a < n;) {
      const e = start + a;
      const b = block === Infinity ? n : Math.min(n, a + block - (e % block));
      // channel c's elements in [a, b): those of whole periods, plus the part of its run in the partial ones
      const phase = e % period;
      const periods = Math.floor((b - a + phase) / period);
      const tail = (b - a + phase) % period;
      for (let c = 0; c < mod; c++) {
        const runStart = c * run;
        const inHead = Math.max(0, Math.min(runStart + run, phase) - runStart);
        const inTail = Math.max(0, Math.min(runStart + run, tail) - runStart);
        cursor[c] = k;
        bounds.push(k);
        k += periods * run - inHead + inTail;
        bounds.push(k);
        k += GAP;
      }
      let inRun = e % run;
      let c = Math.floor(phase / run);
      if (run === 1) {
        let j = a;
        for (; j < b && c !== 0; j++) {
          out[cursor[c]++] = values[j];
          if (++c === mod) c = 0;
        }
        const rows = Math.floor((b - j) / mod);
        if (transposeRows) {
          transposeRows(j, rows, cursor);
          for (let ch = 0; ch < mod; ch++) cursor[ch] += rows;
        } else {
          // whole rows of `mod` elements, a tile of rows at a time: a channel's elements of the tile are read from
          // the cache and written one after the other
          const tile = Math.max(8, Math.floor(TILE_ELEMENTS / mod));
          for (let r0 = 0; r0 < rows; r0 += tile) {
            const t = Math.min(tile, rows - r0);
            const base = j + r0 * mod;
            for (let ch = 0; ch < mod; ch++) {
              let w = cursor[ch];
              for (let r = 0, at = base + ch; r < t; r++, at += mod) out[w++] = values[at];
              cursor[ch] = w;
            }
          }
        }
        for (j += rows * mod; j < b; j++) {
          out[cursor[c]++] = values[j];
          if (++c === mod) c = 0;
        }
      } else {
        for (let j = a; j < b; j++) {
          out[cursor[c]++] = values[j];
          if (++inRun === run) {
            inRun = 0;
            if (++c === mod) c = 0;
          }
        }
      }
      a = b;
    }
    const first = block === Infinity ? 0 : Math.floor(start / block) * mod;
    return new RegroupedChunk(out, first, Int32Array.from(bounds));
  }

  next(): boolean {
    do {
      if (++this.index >= this.bounds.length / 2) return false;
      this.from = this.bounds[2 * this.index];
      this.to = this.bounds[2 * this.index + 1];
    } while (this.from === this.to);
    this.group = this.first + this.index;
    return true;
  }
}

/** At most how many groups of a map with a modulus `length` consecutive elements touch. */
function touched(map: GroupMap, length: number): number {
  return map.block ? (Math.ceil(length / map.block) + 1) * map.mod : map.mod;
}
