/**
 * Arrays for the pass states a worker hands over (transferred: pass 2's fine histogram counts, megabytes each), cut
 * from spare buffers of the exact size when the thread has one. A fresh array costs a page fault per 4 KiB the first
 * time it is written: 3-10 ms for 2 MB on a virtual machine, in every inspection. The worker that merges the states
 * sends their buffers back, and the pool hands them to the next inspection's workers (enginePool.ts).
 */

/** Smaller buffers are not worth keeping (a few page faults). */
const SPARE_MIN_BYTES = 1 << 16;
/** The newest spares kept: an inspection hands over a few big tables per worker. */
const MAX_SPARES = 8;
const spares: ArrayBuffer[] = [];

/** A zeroed float64 array of `length` elements, on a spare buffer of that size if there is one. */
export function stateFloat64(length: number): Float64Array {
  const i = spares.findIndex((b) => b.byteLength === length * 8);
  if (i < 0) return new Float64Array(length);
  return new Float64Array(spares.splice(i, 1)[0]).fill(0);
}

/** Keeps `buffers` (those big enough; a detached one has no bytes) for stateFloat64. */
export function keepSpares(buffers: readonly ArrayBuffer[]): void {
  spares.push(...spareWorthy(buffers));
  if (spares.length > MAX_SPARES) spares.splice(0, spares.length - MAX_SPARES);
}

/** Of `buffers`, those worth sending back to be kept as spares. */
export function spareWorthy(buffers: readonly ArrayBuffer[]): ArrayBuffer[] {
  return buffers.filter((b) => b.byteLength >= SPARE_MIN_BYTES);
}
