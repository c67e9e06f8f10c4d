/** What every normalization operation returns. */
import type { DenseTensor } from '../tensor';
import type { GroupStatistics } from './groupStatistics';
import type { RunningStatistics } from './running';

export interface Gradients {
  dx: DenseTensor;
  /** dγ in the shape γ was given in (per-channel or normalized shape when γ was absent, i.e. all ones). */
  dscale: DenseTensor;
  dbias: DenseTensor;
}

/** Per-group values only some operations have, in the shape of `statistics.shape`. */
export interface ExtraStatistics {
  /** RMSNorm: 1/sqrt(mean(x²) + eps), the factor that scaled y (PyTorch's `rstd`). */
  rstd?: Float64Array;
  /** Min-max: the minimum and maximum each feature was mapped from. */
  min?: Float64Array;
  max?: Float64Array;
}

export interface NormalizationResult {
  y: DenseTensor;
  /** The statistics y was normalized with (batch statistics, or the running ones in eval mode). */
  statistics: GroupStatistics;
  extra: ExtraStatistics;
  /** Updated running statistics (BatchNorm/InstanceNorm training with running statistics given). */
  running?: RunningStatistics;
  gradients?: Gradients;
  /** Things the user should know that are not errors (e.g. a constant feature in min-max). */
  warnings: string[];
}
