/**
 * The webview tests in Debian's Chromium: the built bundle (dist/webview.js, dist/webview.css) in the extension's
 * own HTML template, fed real engine output. Run by run.mjs; the last line printed is "N passed, N failed".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { loadReference, makeFixtures } from './makeFixtures';
import { runAll } from './runner';
import { serve } from './server';
import type { Env } from './env';
import { registerChannelWindow } from './cases/channelWindow';
import { registerControls } from './cases/controls';
import { registerGammaBeta } from './cases/gammaBeta';
import { registerKeyboard } from './cases/keyboard';
import { registerPerf } from './cases/perf';
import { registerPreview } from './cases/preview';
import { registerRunning } from './cases/running';
import { registerSecurity } from './cases/security';
import { registerStates } from './cases/states';
import { registerThemes } from './cases/themes';
import { registerViews } from './cases/views';

async function main(): Promise<number> {
  const root = process.cwd();
  for (const f of ['dist/webview.js', 'dist/webview.css']) {
    if (!fs.existsSync(path.join(root, f))) throw new Error(`${f} is missing: run \`npm run test:webview\`, which builds first`);
  }
  const results = path.join(root, 'test-results');
  fs.mkdirSync(results, { recursive: true });
  const ref = loadReference(root);
  const fx = await makeFixtures(root, ref);
  const server = await serve(root);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'normscope-chromium-'));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    env: { ...process.env, HOME: home },
  });
  const env: Env = { root, browser, url: server.url, fx, ref, results };
  for (const register of [registerViews, registerGammaBeta, registerRunning, registerControls, registerChannelWindow, registerPreview, registerStates, registerKeyboard,
    registerSecurity, registerThemes, registerPerf]) register(env);
  try {
    const { passed, failed } = await runAll();
    console.log(`${passed} passed, ${failed} failed`);
    return failed ? 1 : 0;
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => {
  console.error(e);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
