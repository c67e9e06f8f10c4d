/**
 * Walks the elements of a tensor in storage order in ranges where the statistics group and the affine position
 * are each either constant or rising by one per element (a map with run 1: channels-last channels, LayerNorm's
 * elementwise γ/β). The kernel's inner loops then hold no divisions and no calls, whatever the layout: ranges
 * as long as a channel (NCHW), a row (LayerNorm) or a whole pixel's channels (NHWC).
 */
import type { GroupMap } from '../moments';

/** groupOf(map, e) for a current element e that only moves forward. */
class GroupCursor {
  group = 0;
  /** 1 when consecutive elements are in consecutive groups (run 1), else 0. */
  readonly stride: number;
  private pos = 0;
  private runGroup = 0;
  private blockPos = 0;
  private blockBase = 0;

  constructor(private readonly map: GroupMap) {
    this.stride = map.run === 1 ? 1 : 0;
  }

  /** Elements from the current one on whose group is group + stride·i. */
  span(): number {
    const m = this.map;
    const inRun = this.stride ? (m.mod ? m.mod - this.runGroup : Infinity) : m.run - this.pos;
    return m.block ? Math.min(inRun, m.block - this.blockPos) : inRun;
  }

  advance(count: number): void {
    const m = this.map;
    const runs = Math.floor((this.pos + count) / m.run);
    this.pos = (this.pos + count) % m.run;
    this.runGroup = m.mod ? (this.runGroup + runs) % m.mod : this.runGroup + runs;
    if (m.block) {
      this.blockBase += Math.floor((this.blockPos + count) / m.block) * m.mod;
      this.blockPos = (this.blockPos + count) % m.block;
    }
    this.group = this.blockBase + this.runGroup;
  }
}

/** Element k of a range [start, end) is in statistics group g + gStride·(k - start), affine position a + aStride·(k - start). */
export type RangeVisitor = (start: number, end: number, g: number, gStride: number, a: number, aStride: number) => void;

/** Calls `visit` for consecutive ranges covering elements 0 .. length - 1. `affineMap` has no block. */
export function forEachRange(length: number, statsMap: GroupMap, affineMap: GroupMap, visit: RangeVisitor): void {
  const group = new GroupCursor(statsMap);
  const position = new GroupCursor(affineMap);
  let e = 0;
  while (e < length) {
    const count = Math.min(group.span(), position.span(), length - e);
    visit(e, e + count, group.group, group.stride, position.group, position.stride);
    group.advance(count);
    position.advance(count);
    e += count;
  }
}
