/**
 * Element walks shared by the forward kernel and the backward pass. A statistics `GroupMap` (moments.ts) is
 * constant over segments of `run` elements (also cut at `block` boundaries); an affine map gives each element its
 * γ/β index floor(e / run) % mod and is advanced with a counter instead of a division per element.
 */
import { groupOf, type GroupMap } from '../moments';

/** Calls `visit(start, end, group)` for each maximal run of elements in one statistics group, in storage order. */
export function forEachSegment(length: number, map: GroupMap, visit: (start: number, end: number, group: number) => void): void {
  let e = 0;
  while (e < length) {
    let end = e + map.run - (e % map.run);
    if (map.block) end = Math.min(end, e + map.block - (e % map.block));
    end = Math.min(end, length);
    visit(e, end, groupOf(map, e));
    e = end;
  }
}

/** Index of the γ/β entry for element `e` (affine maps have no `block`). */
export interface AffineMap {
  run: number;
  mod: number;
}

/** A position in an affine map that moves one element at a time. */
export class AffineCursor {
  index: number;
  private pos: number;

  constructor(private readonly map: AffineMap, start: number) {
    this.pos = start % map.run;
    this.index = Math.floor(start / map.run) % map.mod;
  }

  step(): void {
    if (++this.pos === this.map.run) {
      this.pos = 0;
      if (++this.index === this.map.mod) this.index = 0;
    }
  }
}
