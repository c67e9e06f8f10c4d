/**
 * The kernels' module bytes. Encoding them took 35-40 ms of a cold worker's start, on the way to its first tensor,
 * so the build (scripts/kernelBytes.mjs) replaces this file in the bundles with the bytes it encoded once; tests
 * import it as it is, and encode.
 */
export { kernelModuleBytes } from './kernelModule';
