/** What every test case gets: the browser, the harness URL, the fixtures and the independent reference values. */
import type { Browser } from 'playwright-core';
import type { Fixtures, Reference } from './makeFixtures';
import { InspectorPage } from './inspectorPage';
import type { Theme } from './themes';

export interface Env {
  root: string;
  browser: Browser;
  url: string;
  fx: Fixtures;
  ref: Reference;
  /** test-results/, where screenshots and the performance figures are kept. */
  results: string;
}

/** Runs `body` on a fresh page and closes it whatever happens; uncaught page errors fail the case. */
export async function withPage(env: Env, body: (p: InspectorPage) => Promise<void>, theme?: Theme): Promise<void> {
  const p = await InspectorPage.open(env.browser, env.url, theme);
  try {
    await body(p);
    if (p.pageErrors.length) throw new Error(`errors in the page: ${p.pageErrors.join('; ')}`);
  } finally {
    await p.close();
  }
}
