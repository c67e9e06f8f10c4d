// `npm run test:integration`: the mocha suite of test/integration (entry: out/test/integration/index.js) inside
// code-server's real Node extension host, the workbench driven by headless Chromium. This is the "payload route"
// of VS Code's own browser integration tests: the URL carries
//   ?payload=[["extensionDevelopmentPath", vscode-remote://...], ["extensionTestsPath", vscode-remote://...]]
// which the workbench honours only when the server runs with `--vscode-option enable-smoke-test-driver`.
// The page then exposes codeAutomationLog (the extension host's console) and codeAutomationExit(code).
// Usage: node scripts/vscode/run-integration-tests.mjs [--no-build]
// Env: TEST_TIMEOUT_MS (whole run; default 600000, mocha's per-test timeout is 60 s), TEST_VERBOSE=1 (browser
// console), NORMSCOPE_KEEP_STATE=1 (keep the temporary code-server state; on failure its logs are copied to
// test-results/integration-logs/ anyway).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { ensureTools, launchChromium, repoRoot, saveLogs, startCodeServer, workbenchUrl } from './codeServer.mjs';

const resultsDir = path.join(repoRoot, 'test-results');
const shot = path.join(resultsDir, 'integration.png');
const testsEntry = path.join(repoRoot, 'out/test/integration/index');
fs.mkdirSync(resultsDir, { recursive: true });
const t0 = Date.now();
const lap = (what) => console.log(`[integration] +${Date.now() - t0} ms ${what}`);

if (!process.argv.includes('--no-build')) {
  const b = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  if (b.status !== 0) { console.log('0 passed, 1 failed'); process.exit(1); }
}
if (!fs.existsSync(`${testsEntry}.js`)) {
  console.error(`[integration] ${testsEntry}.js is missing: the build did not emit test/integration/index.ts`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const tools = ensureTools();
const cs = await startCodeServer({ tools, extraArgs: ['--vscode-option', 'enable-smoke-test-driver'] });
// the tests get a copy of the fixture workspace: whatever they write stays out of the repository
const workspace = path.join(cs.stateDir, 'workspace');
fs.cpSync(path.join(repoRoot, 'test/fixtures/workspace'), workspace, { recursive: true });
const browser = await launchChromium(tools);
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });

// The workbench's own log lines arrive through codeAutomationLog too; the console shows the suite's output and
// the workbench's errors, test-results/integration.log everything.
const logStream = fs.createWriteStream(path.join(resultsDir, 'integration.log'));
const workbenchChatter = [/^\[(AgentHost|AgentHost:remote|ChatModelSelection|AccountPolicyGate|reconnection-grace-time|Service Worker)\]/,
  /^(Resolving|Resolved) connection token/, /^Creating a socket/, /^Updating additional builtin extensions/,
  /^Creation of workbench contribution/, /ENOTFOUND/, /authentication provider 'github'/, /^Canceled: Canceled/];
let summarySeen = false;
let done = false;
const finish = async (code, why) => {
  if (done) return;
  done = true;
  lap(`${why}; exit code ${code}`);
  try { await page.screenshot({ path: shot }); console.log('[integration] screenshot', shot); } catch (e) { console.log('[integration] no screenshot:', e.message); }
  await browser.close().catch(() => {});
  logStream.end();
  if (code !== 0) {
    saveLogs(cs.stateDir, path.join(resultsDir, 'integration-logs'));
    console.log('[integration] code-server and extension host logs copied to test-results/integration-logs/');
  }
  await cs.stop();
  // a run that died before mocha's summary (activation error, timeout) still reports one failure
  if (!summarySeen) console.log('0 passed, 1 failed');
  process.exit(code);
};
const timer = setTimeout(() => finish(2, 'TIMEOUT'), Number(process.env.TEST_TIMEOUT_MS || 600000));
process.on('SIGINT', () => finish(130, 'interrupted'));
process.on('SIGTERM', () => finish(143, 'terminated'));

page.on('pageerror', (e) => console.error('[page error]', e.message));
page.on('console', (m) => { if (process.env.TEST_VERBOSE) console.log(`[browser ${m.type()}]`, m.text()); });
await page.exposeFunction('codeAutomationLog', (type, args) => {
  const line = util.format(...(Array.isArray(args) ? args : [args])); // mocha's spec reporter sends printf-style args
  if (/^\d+ passed, \d+ failed/.test(line)) summarySeen = true;
  logStream.write(`${type}: ${line}\n`);
  if (process.env.TEST_VERBOSE || !workbenchChatter.some((re) => re.test(line))) (console[type] || console.log)(line);
});
await page.exposeFunction('codeAutomationExit', async (code) => { clearTimeout(timer); await finish(code, 'extension host exited'); });

// The workbench keeps only the last extensionDevelopmentPath of a payload (code-server 4.139.1), but loads every
// extension in a folder that has no package.json itself: NormScope and the test-only debug type that runs
// Debian's debugpy (test/fixtures/debug-extension) go in one folder of links.
const devExtensions = path.join(cs.stateDir, 'dev-extensions');
fs.mkdirSync(devExtensions);
fs.symlinkSync(repoRoot, path.join(devExtensions, 'normscope'));
fs.symlinkSync(path.join(repoRoot, 'test/fixtures/debug-extension'), path.join(devExtensions, 'debug-fixture'));

const url = workbenchUrl(cs, {
  folder: workspace,
  payload: [
    ['extensionDevelopmentPath', cs.remoteUri(devExtensions)],
    ['extensionTestsPath', cs.remoteUri(testsEntry)],
    ['skipWelcome', 'true'],
  ],
});
lap(`opening ${url}`);
await page.goto(url, { timeout: 180000 }); // the workbench's first load is slow on a busy machine
