/** The normalization operations of SEMANTICS.md behind one request type, for the CLI, the worker and the host. */
import type { DenseTensor } from '../tensor';
import { batchNorm, type BatchNormOptions } from './batchNorm';
import { groupNorm, type GroupNormOptions } from './groupNorm';
import { minMax, zScore, type MinMaxOptions, type ZScoreOptions } from './inputNorm';
import { instanceNorm, type InstanceNormOptions } from './instanceNorm';
import { layerNorm, type LayerNormOptions } from './layerNorm';
import type { NormalizationResult } from './result';
import { rmsNorm, type RmsNormOptions } from './rmsNorm';

export type NormalizationRequest =
  | { op: 'batchnorm'; x: DenseTensor; options: BatchNormOptions }
  | { op: 'layernorm'; x: DenseTensor; options: LayerNormOptions }
  | { op: 'groupnorm'; x: DenseTensor; options: GroupNormOptions }
  | { op: 'instancenorm'; x: DenseTensor; options: InstanceNormOptions }
  | { op: 'rmsnorm'; x: DenseTensor; options: RmsNormOptions }
  | { op: 'zscore'; x: DenseTensor; options: ZScoreOptions }
  | { op: 'minmax'; x: DenseTensor; options: MinMaxOptions };

export type NormalizationOp = NormalizationRequest['op'];

export const NORMALIZATION_OPS: readonly NormalizationOp[] =
  ['batchnorm', 'layernorm', 'groupnorm', 'instancenorm', 'rmsnorm', 'zscore', 'minmax'];

export function runNormalization(request: NormalizationRequest): NormalizationResult {
  switch (request.op) {
    case 'batchnorm': return batchNorm(request.x, request.options);
    case 'layernorm': return layerNorm(request.x, request.options);
    case 'groupnorm': return groupNorm(request.x, request.options);
    case 'instancenorm': return instanceNorm(request.x, request.options);
    case 'rmsnorm': return rmsNorm(request.x, request.options);
    case 'zscore': return zScore(request.x, request.options);
    case 'minmax': return minMax(request.x, request.options);
    default: {
      const unknown: never = request;
      throw new Error(`unknown normalization ${(unknown as { op: string }).op}`);
    }
  }
}

export type { BatchNormOptions, NormMode, RunningOptions } from './batchNorm';
export type { GroupNormOptions } from './groupNorm';
export type { MinMaxOptions, ZScoreOptions } from './inputNorm';
export type { InstanceNormOptions } from './instanceNorm';
export type { LayerNormOptions } from './layerNorm';
export type { NormalizedAxes } from './normalizedAxes';
export type { RmsNormOptions } from './rmsNorm';
export type { GroupStatistics } from './groupStatistics';
export type { ExtraStatistics, Gradients, NormalizationResult } from './result';
export { DEFAULT_MOMENTUM, type RunningConvention, type RunningStatistics, type RunningUpdateOptions, type VarianceEstimator } from './running';
export { batchNorm, groupNorm, instanceNorm, layerNorm, minMax, rmsNorm, zScore };
export { batchNormRunningSequence, type UpdateSchedule } from './runningSequence';
