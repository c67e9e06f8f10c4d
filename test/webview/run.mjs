// The webview test runner: `npm run test:webview` builds the bundles, then this compiles the TypeScript suite
// (test/webview/suite.ts) with esbuild and runs it in Node; the suite drives Debian's Chromium.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const outfile = path.join(root, 'out/test/webview/suite.cjs');
await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['test/webview/suite.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  packages: 'external',
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, ['--enable-source-maps', outfile], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
