/** Assertions on shown numbers: parsed back from the page's text and compared at the precision it displays. */
import assert from 'node:assert/strict';

export { assert };

/** The page's spelling of numbers (see webview/format.ts) back to a number. */
export function shown(text: string): number {
  const t = text.trim();
  if (t === 'Inf') return Infinity;
  if (t === '-Inf') return -Infinity;
  const v = Number(t.replace(/,/g, ''));
  if (t === '' || (Number.isNaN(v) && t !== 'NaN')) throw new Error(`not a number: '${text}'`);
  return v;
}

/** |actual - expected| within rel·|expected| + abs: 5 shown digits are good to 5e-5 relative. */
export function near(actual: number, expected: number, what: string, rel = 1e-4, abs = 1e-12): void {
  if (Number.isNaN(expected) && Number.isNaN(actual)) return;
  const ok = Math.abs(actual - expected) <= rel * Math.abs(expected) + abs;
  assert.ok(ok, `${what}: shown ${actual}, expected ${expected} (rel ${rel}, abs ${abs})`);
}
