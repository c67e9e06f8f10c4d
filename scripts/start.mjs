// `npm start`: NormScope in a real VS Code on this machine, in the browser. Packages normscope.vsix, installs the
// tools on first use (scripts/vscode/tools.sh: Node 24 and code-server from npm, cached), installs the .vsix into
// a profile kept in ~/.cache/normscope-dev (never the user's own VS Code folders), and serves code-server on
// 127.0.0.1 with a random password, samples/ open and a sample tensor open in the NormScope inspector.
// Stays in the foreground; Ctrl-C stops code-server.
// Env: PORT (default: a free port), PASSWORD (default: random), NORMSCOPE_DEV_STATE (profile folder),
//      NORMSCOPE_SAMPLE (file in samples/ to open first; default digits_bn1_input.npy).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureTools, installVsix, quietUserSettings, repoRoot, startCodeServer, workbenchUrl } from './vscode/codeServer.mjs';

const t0 = Date.now();
const say = (what) => console.log(`[start] +${((Date.now() - t0) / 1000).toFixed(1)} s ${what}`);

say('packaging normscope.vsix (production bundles)');
const pkg = spawnSync('npm', ['run', 'package', '--silent'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
if (pkg.status !== 0) {
  console.error('[start] npm run package failed; run it alone to see why');
  process.exit(1);
}

const tools = ensureTools();
const stateDir = process.env.NORMSCOPE_DEV_STATE
  || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'normscope-dev');
const extensionsDir = path.join(stateDir, 'extensions');
say(`installing normscope.vsix into ${extensionsDir}`);
installVsix({ tools, vsix: path.join(repoRoot, 'normscope.vsix'), stateDir, extensionsDir });

const samples = path.join(repoRoot, 'samples');
const sample = path.join(samples, process.env.NORMSCOPE_SAMPLE || 'digits_bn1_input.npy');
const password = process.env.PASSWORD || crypto.randomBytes(12).toString('base64url');
const port = process.env.PORT ? Number(process.env.PORT) : undefined;
// The association makes a file opened before the extension host is up wait for NormScope's editor instead of
// falling back to the text editor (the custom editor is already the default once the extension is registered).
const tensorInspector = 'normscope.tensorInspector';
const userSettings = {
  ...quietUserSettings,
  'workbench.editorAssociations': { '*.npy': tensorInspector, '*.npz': tensorInspector, '*.safetensors': tensorInspector },
};
const cs = await startCodeServer({ tools, stateDir, extensionsDir, folder: samples, password, port, userSettings });

// the workbench opens `openFile` from the URL's payload; .npy files open in NormScope's custom editor by default
const url = workbenchUrl(cs, { folder: samples, payload: fs.existsSync(sample) ? [['openFile', cs.remoteUri(sample)]] : [] });
console.log(`
  NormScope in VS Code ${JSON.parse(fs.readFileSync(path.join(path.dirname(tools.codeServer), '../../lib/vscode/package.json'), 'utf8')).version} (code-server), ready in ${((Date.now() - t0) / 1000).toFixed(1)} s

  URL:       ${cs.url}
  password:  ${password}

  Opening this link shows samples/ with ${path.basename(sample)} in the NormScope inspector:
  ${url}

  Profile and log: ${stateDir}   Ctrl-C stops the server.
`);

let stopping = false;
const shutdown = async (code) => {
  if (stopping) return;
  stopping = true;
  console.log('\n[start] stopping code-server');
  await cs.stop();
  process.exit(code);
};
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
process.on('SIGHUP', () => shutdown(0));
cs.proc.on('exit', (code, signal) => {
  if (stopping) return;
  console.error(`[start] code-server exited (${code ?? signal}); see ${cs.logFile}`);
  process.exit(code || 1);
});
