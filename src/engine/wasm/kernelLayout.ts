/**
 * Where the kernels (kernelModule.ts) and their caller (kernels.ts) meet in the kernels' memory, apart from the
 * module's encoder: a bundle that carries the module's bytes ready (kernelBytes.ts) then carries no encoder.
 */

/**
 * Byte address of the result slots (the histogram kernels' scratch), then of the running kernel's vector constants;
 * allocations start after them.
 */
export const OUT = 0;
export const OUT_BYTES = 64;
export const SCRATCH = OUT;
export const CONSTANTS = OUT + OUT_BYTES;
const CONSTANT_SLOTS = 16;
export const RESERVED_BYTES = CONSTANTS + 16 * CONSTANT_SLOTS;

/** Tables of more bins than this use the float64 variants: the float32 margin would send too many values to the scalar code. */
export const F32_MAX_BINS = 1 << 16;
