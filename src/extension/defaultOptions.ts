/**
 * The options a new inspector starts with, guessed from the tensor's shape: channels on axis 1 (PyTorch NC…)
 * with BatchNorm in training mode; a vector or scalar is shown raw, one channel.
 */
import { DEFAULT_INSPECT_OPTIONS, type InspectOptions } from '../engine/inspect/types';

export function defaultOptionsFor(shape: readonly number[], bins: number): InspectOptions {
  if (shape.length < 2) return { ...DEFAULT_INSPECT_OPTIONS, op: 'none', channelAxis: null, bins };
  return { ...DEFAULT_INSPECT_OPTIONS, op: 'batchnorm', channelAxis: 1, bins };
}
