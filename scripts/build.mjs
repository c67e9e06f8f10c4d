// One build for every bundle: extension host, engine worker, webview, CLI, and the test entry points.
// `--production` minifies and drops source maps; `--watch` rebuilds on change (used by the F5 task).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { kernelBytesPlugin } from './kernelBytes.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** Every `*.test.ts` below a folder, so that adding a test file needs no build change. */
function testFiles(dir) {
  const found = [];
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) found.push(p);
    }
  };
  walk(path.join(root, dir));
  return found;
}

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};
const node = { ...common, platform: 'node', target: 'node20', format: 'cjs' };
// the shipped bundles carry the kernels' bytes ready; the tests' bundles encode them from the sources they test
const shipped = { ...node, plugins: [kernelBytesPlugin(root)] };

const builds = [
  { ...shipped, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', external: ['vscode'] },
  { ...shipped, entryPoints: { worker: 'src/worker/engineWorker.ts' }, outdir: 'dist' },
  { ...shipped, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  {
    ...common, platform: 'browser', target: 'es2022', format: 'iife',
    entryPoints: { webview: 'webview/main.ts' }, outdir: 'dist',
  },
];
if (!production) {
  // tests import the sources directly; node_modules stay external so mocha, fast-check and vscode are shared
  builds.push(
    { ...node, entryPoints: testFiles('test/unit'), outbase: 'test/unit', outdir: 'out/test/unit', packages: 'external' },
    { ...node, entryPoints: testFiles('test/integration'), outbase: 'test/integration', outdir: 'out/test/integration', packages: 'external', external: ['vscode'] },
  );
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('[build] watching');
} else {
  const t0 = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`[build] ${builds.length} bundles in ${Date.now() - t0} ms${production ? ' (production)' : ''}`);
}
