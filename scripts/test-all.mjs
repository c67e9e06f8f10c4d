// `npm test`: every test tier, fastest first, each ending in (or reduced to) `N passed, N failed`; the last line
// is the grand total and the exit code is non-zero when anything failed.
//   build, typecheck, lint   one check each
//   unit                     mocha over out/test/unit (plain Node)
//   webview                  test/webview/run.mjs (Debian's Chromium through playwright-core)
//   package                  npm run package, and the .vsix holds exactly what a user needs
//   integration              the mocha suite in code-server's extension host (scripts/vscode/run-integration-tests.mjs)
//   e2e                      the .vsix installed into code-server, driven from Chromium (scripts/vscode/e2e.mjs)
//   user data                every sample and fixture file is byte-for-byte and mtime unchanged (userDataGuard.mjs)
// A tier that ends without a summary line counts as 1 failed. Tiers whose runner does not exist yet are
// reported as skipped. `--only unit,e2e` runs a subset.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { changedSince, snapshot } from './userDataGuard.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice(7)
  ?? (process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined);
const only = onlyArg ? new Set(onlyArg.split(',')) : undefined;
const node = process.execPath;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const summaryLine = /^(\d+) passed, (\d+) failed/;

/** Runs a command with its output streamed through (or only collected: `quiet`); resolves with exit code and output. */
function run(cmd, args, { quiet = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; if (!quiet) process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; if (!quiet) process.stderr.write(d); });
    child.on('error', (e) => { out += String(e); resolve({ code: 127, out }); });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), out }));
  });
}

/** A tier's counts from the last `N passed, N failed` line; a failing exit without failures adds one. */
function counted({ code, out }) {
  const lines = out.split('\n').map((l) => l.trim()).filter((l) => summaryLine.test(l));
  if (lines.length === 0) return { passed: 0, failed: 1, note: `no summary line (exit ${code})` };
  const [, p, f] = lines.at(-1).match(summaryLine).map(Number);
  if (code !== 0 && f === 0) return { passed: p, failed: 1, note: `exit ${code} although no test failed` };
  return { passed: p, failed: f };
}

const check = async (cmd, args, options) => {
  const { code, out } = await run(cmd, args, options);
  return { ...(code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1, note: `exit ${code}` }), out };
};

function hasFile(dir, suffix) {
  if (!fs.existsSync(dir)) return false;
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).some((e) => e.isFile() && e.name.endsWith(suffix));
}

// What a user of the .vsix gets; anything else in it is a packaging mistake (.vscodeignore).
const vsixAllowed = [
  /^extension\.vsixmanifest$/, /^\[Content_Types\]\.xml$/,
  /^extension\/package\.json$/, /^extension\/readme\.md$/i, /^extension\/changelog\.md$/i, /^extension\/LICENSE(\.txt)?$/i,
  /^extension\/media\/icon\.png$/,
  /^extension\/dist\/[\w.-]+\.(js|css)$/,
  /^extension\/samples\/(README\.md|[\w.-]+\.(npy|npz|safetensors|json))$/,
];
const vsixRequired = ['extension/package.json', 'extension/readme.md', 'extension/changelog.md', 'extension/LICENSE.txt',
  'extension/media/icon.png', 'extension/dist/extension.js', 'extension/dist/worker.js', 'extension/dist/webview.js'];

async function packageTier() {
  const built = await check(npm, ['run', 'package']);
  const vsix = path.join(root, 'normscope.vsix');
  if (built.failed || !fs.existsSync(vsix)) return { passed: 0, failed: 2, note: 'npm run package failed' };
  const names = [];
  unzipSync(fs.readFileSync(vsix), { filter: (f) => { names.push(f.name); return false; } });
  const unexpected = names.filter((n) => !vsixAllowed.some((re) => re.test(n)));
  const missing = vsixRequired.filter((n) => !names.some((m) => m.toLowerCase() === n.toLowerCase()));
  const size = fs.statSync(vsix).size;
  console.log(`[package] normscope.vsix: ${names.length} files, ${(size / 1e6).toFixed(2)} MB`);
  for (const n of unexpected) console.log(`[package] not for users: ${n}`);
  for (const n of missing) console.log(`[package] missing: ${n}`);
  const ok = unexpected.length === 0 && missing.length === 0;
  console.log(ok ? '[package] contents: only what a user needs' : '[package] contents: FAILED');
  return { passed: 1 + (ok ? 1 : 0), failed: ok ? 0 : 1 };
}

const tiers = [
  { name: 'build', run: () => check(node, ['scripts/build.mjs']) },
  // typecheck and lint are single-threaded and independent: they run side by side, their output is printed
  // when both are done (the `startEarly` promise is started with the build's result)
  { name: 'typecheck', startEarly: () => check(npm, ['run', 'typecheck'], { quiet: true }) },
  { name: 'lint', startEarly: () => check(npm, ['run', 'lint'], { quiet: true }) },
  {
    name: 'unit',
    present: () => hasFile(path.join(root, 'test/unit'), '.test.ts'),
    run: async () => counted(await run(node, [path.join(root, 'node_modules/mocha/bin/mocha.js'), '--config', '.mocharc.json',
      '--reporter', './scripts/mochaSummaryReporter.js'])),
  },
  { name: 'webview', present: () => fs.existsSync(path.join(root, 'test/webview/run.mjs')), run: async () => counted(await run(node, ['test/webview/run.mjs'])) },
  { name: 'package', run: packageTier },
  {
    name: 'integration',
    present: () => fs.existsSync(path.join(root, 'test/integration/index.ts')),
    // the dev build (with the test bundles) runs again: `package` left production bundles in dist/
    run: async () => counted(await run(node, ['scripts/vscode/run-integration-tests.mjs'])),
  },
  { name: 'e2e', present: () => hasFile(path.join(root, 'test/e2e'), '.mjs'), run: async () => counted(await run(node, ['scripts/vscode/e2e.mjs', '--no-package'])) },
];

const t0 = Date.now();
const userData = [path.join(root, 'samples'), path.join(root, 'test/fixtures'), path.join(root, '..', 'shared', 'conformance')];
const before = snapshot(userData);
console.log(`[user data] ${before.size} tensor and fixture files fingerprinted`);
const results = [];
const early = new Map();
for (const tier of tiers) {
  if (only && !only.has(tier.name)) continue;
  if (tier.present && !tier.present()) {
    results.push({ name: tier.name, skipped: true });
    console.log(`\n=== ${tier.name}: skipped (not present)`);
    continue;
  }
  console.log(`\n=== ${tier.name}`);
  let started = Date.now();
  let r;
  if (tier.startEarly) {
    if (!early.has(tier.name)) {
      // start this and every following startEarly tier together
      for (const t of tiers.slice(tiers.indexOf(tier))) {
        if (!t.startEarly) break;
        if (!only || only.has(t.name)) early.set(t.name, { started: Date.now(), result: t.startEarly().then((x) => ({ ...x, finished: Date.now() })) });
      }
    }
    const e = early.get(tier.name);
    started = e.started;
    r = await e.result;
    process.stdout.write(r.out);
  } else {
    r = await tier.run();
  }
  const seconds = ((r.finished ?? Date.now()) - started) / 1000;
  delete r.out;
  delete r.finished;
  results.push({ name: tier.name, ...r, seconds });
  console.log(`=== ${tier.name}: ${r.passed} passed, ${r.failed} failed${r.note ? ` (${r.note})` : ''} in ${seconds.toFixed(1)} s`);
  if (tier.name === 'build' && r.failed) { console.log('=== build failed: the other tiers would test stale bundles, not run'); break; }
}

{
  const changed = changedSince(before);
  for (const c of changed) console.log(`[user data] ${c}`);
  results.push({ name: 'user data', passed: changed.length ? 0 : 1, failed: changed.length ? 1 : 0, seconds: 0,
    note: changed.length ? `${changed.length} files changed` : `${before.size} files unchanged` });
}

console.log('\n=== summary');
for (const r of results) {
  console.log(r.skipped ? `  ${r.name.padEnd(12)} skipped (not present)`
    : `  ${r.name.padEnd(12)} ${String(r.passed).padStart(5)} passed, ${r.failed} failed  ${r.seconds.toFixed(1).padStart(6)} s${r.note ? `  (${r.note})` : ''}`);
}
const passed = results.reduce((n, r) => n + (r.passed ?? 0), 0);
const failed = results.reduce((n, r) => n + (r.failed ?? 0), 0);
console.log(`  total time ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
