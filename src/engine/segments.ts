/**
 * The one walk over a chunk's segments: maximal runs of consecutive elements that a `GroupMap` (moments.ts)
 * puts in one group. Every streaming accumulator visits a chunk segment by segment, handling a segment with a
 * tight loop (or a kernel call) for its group. Counters replace the divisions of `groupOf`, so even maps with
 * one-element runs (channels-last) cost a few additions per segment.
 */
import type { GroupMap } from './moments';

/**
 * Usage: `for (const s = new SegmentWalk(map, start, n); s.next();) { ...s.from, s.to, s.group }` where `from` and
 * `to` index the chunk (0 ≤ from < to ≤ n) whose first element is the tensor's element `start`.
 */
export class SegmentWalk {
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
