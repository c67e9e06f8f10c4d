/** A tiny sequential test runner: every case runs, failures print their error, and the last line is the count. */
export type TestFn = () => Promise<void>;

const cases: { name: string; fn: TestFn }[] = [];

/** WEBVIEW_TEST_GREP=text runs only the cases whose name contains it (while working on one). */
const only = process.env.WEBVIEW_TEST_GREP;

export function test(name: string, fn: TestFn): void {
  if (!only || name.includes(only)) cases.push({ name, fn });
}

export async function runAll(): Promise<{ passed: number; failed: number }> {
  let passed = 0;
  let failed = 0;
  for (const c of cases) {
    const t0 = Date.now();
    try {
      await c.fn();
      passed++;
      console.log(`  ok   ${c.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`  FAIL ${c.name}\n${String(e instanceof Error ? e.stack ?? e.message : e).replace(/^/gm, '       ')}`);
    }
  }
  return { passed, failed };
}
