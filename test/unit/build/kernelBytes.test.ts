/**
 * The shipped bundles carry the kernels' module bytes encoded at build time (scripts/kernelBytes.mjs) instead of the
 * encoder: they must be the bytes the sources encode now, and a valid module. A stale or missed replacement would
 * leave a worker with other kernels than the ones the tests check, or none (the TypeScript loops would then do all
 * the work, silently slower).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kernelModuleBytes } from '../../../src/engine/wasm/kernelModule';

const dist = path.resolve(__dirname, '../../../../dist');

describe('kernel bytes in the bundles', () => {
  const bytes = kernelModuleBytes();
  const literal = `[${bytes.join(',')}]`;

  it('are a valid WebAssembly module', () => {
    assert.ok(WebAssembly.validate(bytes));
  });

  for (const bundle of ['worker.js', 'extension.js', 'cli.js']) {
    it(`${bundle} holds the bytes the sources encode, and no encoder`, () => {
      // as the build printed the plugin's array literal: spaced and wrapped, or minified
      const text = fs.readFileSync(path.join(dist, bundle), 'utf8').replace(/\s+/g, '');
      assert.ok(text.includes(literal), `${bundle} lacks the current kernel bytes: rebuild (node scripts/build.mjs)`);
      assert.ok(!text.includes('encodeModule'), `${bundle} still carries the module encoder`);
    });
  }
});
