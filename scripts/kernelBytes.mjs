// The WebAssembly kernels' bytes, encoded once at build time instead of in every worker as it starts
// (src/engine/wasm/kernelBytes.ts says why).
import * as esbuild from 'esbuild';
import path from 'node:path';

const MODULE = 'src/engine/wasm/kernelModule.ts';
/** What the bytes are encoded from: a change to one of these rebuilds them in watch mode. */
const SOURCES = [MODULE, 'src/engine/wasm/encoder.ts', 'src/engine/wasm/kernelLayout.ts'];

/** The module's bytes: the encoder bundled in memory and run. */
export async function encodeKernelBytes(root) {
  const out = await esbuild.build({
    entryPoints: [path.join(root, MODULE)], bundle: true, write: false, format: 'cjs', platform: 'neutral', logLevel: 'warning',
  });
  const module = { exports: {} };
  new Function('module', 'exports', out.outputFiles[0].text)(module, module.exports);
  return module.exports.kernelModuleBytes();
}

/**
 * esbuild plugin: kernelBytes.ts becomes the bytes themselves, so the bundle carries no encoder. An array literal:
 * decoding base64 took a cold worker 8-10 ms, parsing the literal a fraction of a millisecond.
 */
export function kernelBytesPlugin(root) {
  return {
    name: 'kernel-bytes',
    setup(build) {
      build.onLoad({ filter: /[\\/]engine[\\/]wasm[\\/]kernelBytes\.ts$/ }, async () => ({
        contents: `export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  return new Uint8Array([${(await encodeKernelBytes(root)).join(',')}]);
}\n`,
        loader: 'ts',
        watchFiles: SOURCES.map((s) => path.join(root, s)),
      }));
    },
  };
}
