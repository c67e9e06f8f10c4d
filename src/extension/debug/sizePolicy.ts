/**
 * How much of a debug value to transfer: all of it, or, above the `normscope.debug.maxTransferMB` limit, the
 * strided sample the user agreed to (sampling.ts). A followed variable keeps the user's choice at every stop.
 */
import { DTYPE_BYTES } from '../../engine/dtype';
import { elementCount } from '../../engine/tensor';
import type { Description } from './replies';
import { sampledShape, sampleSteps } from './sampling';

export type SizePolicy =
  | { kind: 'whole' }
  /** Whole when at most `limitBytes`, else a strided sample that fits, keeping `keepAxis` whole. */
  | { kind: 'fit'; limitBytes: number; keepAxis: number | null };

/** Nothing larger is read whole: the `.npy` lives in one SharedArrayBuffer on the extension host. */
export const MAX_TRANSFER_BYTES = 2 ** 31;

/** The bytes NormScope would receive for the whole value, or for its strided sample `steps`. */
export function transferBytes(description: Description, steps: readonly number[] | null = null): number {
  return elementCount(sampledShape(description.shape, steps)) * DTYPE_BYTES[description.target];
}

/** Per-axis sample steps under `policy`, or null for the whole value. */
export function stepsFor(description: Description, policy: SizePolicy): number[] | null {
  const bytes = transferBytes(description);
  const limit = policy.kind === 'whole' ? MAX_TRANSFER_BYTES : Math.min(policy.limitBytes, MAX_TRANSFER_BYTES);
  if (bytes <= limit) return null;
  const keepAxis = policy.kind === 'fit' && policy.keepAxis !== null && policy.keepAxis < description.shape.length ? policy.keepAxis : null;
  return sampleSteps(description.shape, keepAxis, Math.floor(limit / DTYPE_BYTES[description.target]));
}
