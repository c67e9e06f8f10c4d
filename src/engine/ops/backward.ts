/**
 * Gradients of y = γ·x̂ + β with x̂ = (x - μ)·invstd, per statistics group g and affine position a. With batch
 * statistics the gradient also flows through μ and invstd (n elements per group, dx̂ = dy·γ):
 *   dx = invstd·(dx̂ - mean_g(dx̂) - x̂·mean_g(dx̂·x̂))
 * With running statistics (BatchNorm eval) μ and invstd are constants: dx = dx̂·invstd. In both cases
 * dγ[a] = Σ dy·x̂ and dβ[a] = Σ dy over the elements at position a. This is what autograd gives for
 * torch.nn.BatchNorm (train and eval) and torch.nn.LayerNorm.
 */
import { outputDType } from '../dtype';
import type { GroupMap } from '../moments';
import type { DenseTensor } from '../tensor';
import { reduceToParameter, type AffineParameter } from './affine';
import { outputArray, outputTensor } from './kernel';
import type { Gradients } from './result';
import { AffineCursor, forEachSegment, type AffineMap } from './segments';

export interface BackwardInput {
  x: DenseTensor;
  dy: DenseTensor;
  statsMap: GroupMap;
  mean: Float64Array;
  invstd: Float64Array;
  /** Elements per statistics group (the n of the mean over a group). */
  count: Float64Array;
  affineMap: AffineMap;
  gamma?: Float64Array;
  /** Number of affine positions (C, or the size of the normalized shape). */
  affineSize: number;
  /** true when μ and invstd are the batch statistics of x (training mode, LayerNorm). */
  throughStatistics: boolean;
}

export interface BackwardOutput {
  dx: DenseTensor;
  dgamma: Float64Array;
  dbeta: Float64Array;
}

export function normalizationBackward(input: BackwardInput): BackwardOutput {
  const { x, dy, statsMap, mean, invstd, count, affineMap, gamma } = input;
  const xs = x.data;
  const dys = dy.data;
  const groups = mean.length;
  const sumD = new Float64Array(groups);
  const sumDX = new Float64Array(groups);
  const dgamma = new Float64Array(input.affineSize);
  const dbeta = new Float64Array(input.affineSize);
  forEachSegment(xs.length, statsMap, (start, end, g) => {
    const mu = mean[g];
    const inv = invstd[g];
    const cursor = new AffineCursor(affineMap, start);
    let sd = 0;
    let sdx = 0;
    for (let e = start; e < end; e++) {
      const a = cursor.index;
      const xhat = (xs[e] - mu) * inv;
      const dxhat = dys[e] * (gamma ? gamma[a] : 1);
      sd += dxhat;
      sdx += dxhat * xhat;
      dgamma[a] += dys[e] * xhat;
      dbeta[a] += dys[e];
      cursor.step();
    }
    sumD[g] += sd;
    sumDX[g] += sdx;
  });
  const dx = outputArray(x.dtype, xs.length);
  forEachSegment(xs.length, statsMap, (start, end, g) => {
    const mu = mean[g];
    const inv = invstd[g];
    const meanD = input.throughStatistics ? sumD[g] / count[g] : 0;
    const meanDX = input.throughStatistics ? sumDX[g] / count[g] : 0;
    const cursor = new AffineCursor(affineMap, start);
    for (let e = start; e < end; e++) {
      const xhat = (xs[e] - mu) * inv;
      const dxhat = dys[e] * (gamma ? gamma[cursor.index] : 1);
      dx[e] = inv * (dxhat - meanD - xhat * meanDX);
      cursor.step();
    }
  });
  return { dx: { dtype: outputDType(x.dtype), shape: [...x.shape], data: dx }, dgamma, dbeta };
}

/** dγ and dβ summed back onto the shapes γ and β were given in (`positionsShape` when they were absent). */
export function toGradients(out: BackwardOutput, scale: AffineParameter | undefined, bias: AffineParameter | undefined,
  positionsShape: readonly number[]): Gradients {
  const dscale = reduceToParameter(out.dgamma, scale, positionsShape);
  const dbias = reduceToParameter(out.dbeta, bias, positionsShape);
  return {
    dx: out.dx,
    dscale: outputTensor(out.dx, dscale.shape, dscale.values),
    dbias: outputTensor(out.dx, dbias.shape, dbias.values),
  };
}
