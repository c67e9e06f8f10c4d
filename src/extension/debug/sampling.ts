/**
 * Strided samples of a tensor too large to transfer whole. Every axis but the channel axis takes every s-th
 * index with one stride s, the smallest that fits the budget: each channel keeps values from across the batch
 * and the spatial extent, so per-channel statistics stay representative, and the result is still a tensor of
 * the same rank that the inspector reads like any other. Only when the channels alone exceed the budget is the
 * channel axis strided too.
 */

/** Per-axis steps (1 = every index) so that the sampled tensor holds at most `maxElements` elements. */
export function sampleSteps(shape: readonly number[], keepAxis: number | null, maxElements: number): number[] {
  const budget = Math.max(1, Math.floor(maxElements));
  const steps = shape.map(() => 1);
  const kept = keepAxis === null ? 1 : shape[keepAxis];
  const strided = shape.map((_, axis) => axis).filter((axis) => axis !== keepAxis && shape[axis] > 1);
  const sampled = (s: number) => strided.reduce((n, axis) => n * Math.ceil(shape[axis] / s), kept);
  if (sampled(1) <= budget) return steps;
  let lo = 1;
  let hi = Math.max(1, ...strided.map((axis) => shape[axis]));
  // sampled(s) only decreases as s grows: the smallest fitting s by bisection
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (sampled(mid) <= budget) hi = mid;
    else lo = mid + 1;
  }
  for (const axis of strided) steps[axis] = lo;
  if (keepAxis !== null && sampled(lo) > budget) steps[keepAxis] = Math.ceil(kept / budget);
  return steps;
}

/** The shape of `x[::s0, ::s1, …]`; null steps (the whole value) give the shape itself. */
export function sampledShape(shape: readonly number[], steps: readonly number[] | null): number[] {
  return shape.map((n, axis) => (steps ? Math.ceil(n / steps[axis]) : n));
}
