/** Shared test helpers: repository paths and tolerance comparisons that name what differed. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';

/** Tests run from out/test/unit/**; the repository root is found from the working directory (npm runs at the root). */
export const repoRoot = process.cwd();
export const fixture = (...parts: string[]) => path.join(repoRoot, 'test', 'fixtures', ...parts);

/** |actual - expected| <= atol + rtol·|expected|, with NaN equal to NaN (and to JSON's null). */
export function assertClose(actual: number, expected: number | null, rtol: number, atol: number, what: string): void {
  if (expected === null || Number.isNaN(expected)) {
    assert.ok(Number.isNaN(actual), `${what}: expected NaN, got ${actual}`);
    return;
  }
  const diff = Math.abs(actual - expected);
  assert.ok(diff <= atol + rtol * Math.abs(expected), `${what}: ${actual} vs ${expected} (diff ${diff}, allowed ${atol + rtol * Math.abs(expected)})`);
}

/** A small seeded generator (mulberry32) for property tests that must be reproducible. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
