/**
 * Per-group statistics every operation reports (SEMANTICS.md "Outputs of every operation"), computed with the
 * mergeable moments of moments.ts. Frameworks propagate NaN and ±Inf through their reductions, so the values
 * used to normalize are the IEEE ones (`ieeeMean`, `ieeeVariance`), not the finite-only inspector figures.
 */
import { GroupMoments, type GroupMap } from '../moments';
import type { DenseTensor } from '../tensor';

export interface GroupStatistics {
  /** 'batch': measured on x; 'running': the running statistics that were given and used (eval mode). */
  source: 'batch' | 'running';
  /** Shape of the per-group arrays, e.g. [C] (BatchNorm), [N, G] (GroupNorm), [N, 1] (LayerNorm, reduced axes kept). */
  shape: number[];
  /** Elements per group, NaN and ±Inf included. */
  count: Float64Array;
  mean: Float64Array;
  /** Biased (divide-by-n) variance: the one every framework normalizes with. */
  variance: Float64Array;
  /** Divide-by-(n-1) variance of batch statistics (what PyTorch stores in running_var); absent for running ones. */
  unbiasedVariance?: Float64Array;
  /** 1/sqrt(variance + eps) (ONNX InvStdDev). */
  invstd: Float64Array;
}

export function measureGroups(x: DenseTensor, map: GroupMap, groups: number): GroupMoments {
  return new GroupMoments(groups).add(x.data, 0, map);
}

export function inverseStd(variance: Float64Array, eps: number): Float64Array {
  return variance.map((v) => 1 / Math.sqrt(v + eps));
}

export function batchStatistics(m: GroupMoments, shape: number[], eps: number): GroupStatistics {
  const count = new Float64Array(m.groups);
  const mean = new Float64Array(m.groups);
  const variance = new Float64Array(m.groups);
  const unbiasedVariance = new Float64Array(m.groups);
  for (let g = 0; g < m.groups; g++) {
    const n = m.elements(g);
    count[g] = n;
    mean[g] = m.ieeeMean(g);
    variance[g] = m.ieeeVariance(g);
    unbiasedVariance[g] = n > 1 ? (variance[g] * n) / (n - 1) : NaN;
  }
  return { source: 'batch', shape, count, mean, variance, unbiasedVariance, invstd: inverseStd(variance, eps) };
}

export function runningStatisticsUsed(mean: Float64Array, variance: Float64Array, countPerGroup: number,
  eps: number): GroupStatistics {
  return {
    source: 'running',
    shape: [mean.length],
    count: new Float64Array(mean.length).fill(countPerGroup),
    mean,
    variance,
    invstd: inverseStd(variance, eps),
  };
}
