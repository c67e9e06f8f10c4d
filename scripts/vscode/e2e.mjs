// `npm run test:e2e`: NormScope as a user gets it. Packages normscope.vsix, installs it into a fresh extensions
// dir of code-server, opens a copy of test/fixtures/workspace in headless Chromium and runs the checks exported
// by every test/e2e/*.mjs module (in file-name order), each as `export const checks = [{ name, run(ctx) }]`.
// A failed check is screenshot and the next one runs; the last line is `N passed, N failed`.
// Usage: node scripts/vscode/e2e.mjs [--no-package] [--vsix file]
// Env: E2E_GREP (run only checks whose name contains it), TEST_VERBOSE=1, NORMSCOPE_KEEP_STATE=1.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureTools, installVsix, launchChromium, repoRoot, saveLogs, startCodeServer, workbenchUrl } from './codeServer.mjs';
import * as workbench from './workbench.mjs';

const argValue = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const vsix = path.resolve(argValue('--vsix') ?? path.join(repoRoot, 'normscope.vsix'));
const resultsDir = path.join(repoRoot, 'test-results');
const fixtureDir = path.join(repoRoot, 'test/fixtures/workspace');
const checksDir = path.join(repoRoot, 'test/e2e');
fs.mkdirSync(resultsDir, { recursive: true });
const t0 = Date.now();
const lap = (what) => console.log(`[e2e] +${Date.now() - t0} ms ${what}`);
const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);

function fatal(message) {
  console.error(`[e2e] ${message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

if (!process.argv.includes('--no-package')) {
  const r = spawnSync('npm', ['run', 'package', '--silent'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) fatal('npm run package failed');
}
if (!fs.existsSync(vsix)) fatal(`${vsix} does not exist: run npm run package`);

const modules = fs.readdirSync(checksDir).filter((f) => f.endsWith('.mjs')).sort();
const checks = [];
for (const file of modules) {
  const mod = await import(pathToFileURL(path.join(checksDir, file)).href);
  for (const check of mod.checks ?? []) checks.push({ ...check, file });
}
const selected = checks.filter((c) => !process.env.E2E_GREP || c.name.includes(process.env.E2E_GREP));
if (selected.length === 0) fatal(`no checks in test/e2e/*.mjs${process.env.E2E_GREP ? ` matching '${process.env.E2E_GREP}'` : ''}`);

const tools = ensureTools();
const state = fs.mkdtempSync(path.join(os.tmpdir(), 'normscope-e2e-'));
const extensionsDir = path.join(state, 'extensions');
console.log(installVsix({ tools, vsix, stateDir: state, extensionsDir }));
lap(`installed ${path.basename(vsix)}`);
// a copy, so that whatever the checks write stays out of the repository
const workspace = path.join(state, 'workspace');
fs.cpSync(fixtureDir, workspace, { recursive: true });
const expected = JSON.parse(fs.readFileSync(path.join(workspace, 'expected.json'), 'utf8'));

let passed = 0;
let failed = 0;
const cs = await startCodeServer({ tools, stateDir: path.join(state, 'server'), extensionsDir, folder: workspace });
let browser;
try {
  browser = await launchChromium(tools);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  page.on('console', (m) => { if (process.env.TEST_VERBOSE) console.log(`[browser ${m.type()}]`, m.text()); });
  // the workbench is a 15 MB script: on a busy machine its first load takes far more than Playwright's 30 s default
  await page.goto(workbenchUrl(cs, { folder: workspace }), { timeout: 180000 });
  await workbench.waitForWorkbench(page, expected.file);
  await workbench.waitForCommand(page, 'NormScope: Show Log');
  lap('workbench ready, NormScope loaded');

  const screenshot = async (name) => {
    const file = path.join(resultsDir, `e2e-${slug(name)}.png`);
    await page.screenshot({ path: file });
    console.log(`[e2e] screenshot ${path.relative(repoRoot, file)}`);
    return file;
  };
  const ctx = { page, workspace, expected, repoRoot, resultsDir, serverStateDir: cs.stateDir, workbench, screenshot, lap };
  for (const check of selected) {
    const started = Date.now();
    try {
      await check.run(ctx);
      passed++;
      console.log(`  ✔ ${check.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`  ✘ ${check.name} (${check.file}, ${Date.now() - started} ms)\n${String(e?.stack ?? e).replace(/^/gm, '      ')}`);
      await screenshot(`failure-${check.name}`).catch(() => {});
    }
    // every check starts from a workbench without editors
    await page.keyboard.press('Escape');
    await workbench.closeAllEditors(page).catch((e) => console.log(`[e2e] could not close editors: ${e.message}`));
  }
} catch (e) {
  // the workbench never came up: everything not run counts as failed
  console.error('[e2e] FAILED before the checks could run:', e);
  failed = selected.length - passed;
  try { await browser?.contexts()[0]?.pages()[0]?.screenshot({ path: path.join(resultsDir, 'e2e-failure.png') }); } catch { /* no page */ }
} finally {
  await browser?.close().catch(() => {});
  if (failed > 0) {
    saveLogs(cs.stateDir, path.join(resultsDir, 'e2e-logs'));
    console.log('[e2e] code-server and extension host logs copied to test-results/e2e-logs/');
  }
  await cs.stop();
  if (!process.env.NORMSCOPE_KEEP_STATE) fs.rmSync(state, { recursive: true, force: true });
  else console.log(`[e2e] state kept in ${state}`);
  lap('done');
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
