/**
 * The one normalization kernel every operation uses: y = (x - center[g])·factor[g]·γ[a] + β[a] with g the
 * statistics group and a the affine position of each element, computed in float64 and rounded once into the
 * output array (float32 for every input but float64, SEMANTICS.md).
 */
import { outputDType, type NumericArray } from '../dtype';
import type { GroupMap } from '../moments';
import type { DenseTensor } from '../tensor';
import { forEachRange } from './groupCursor';

export interface AffineValues {
  /** Affine position of each element: floor(e / run) % mod. */
  map: GroupMap;
  gamma?: Float64Array;
  beta?: Float64Array;
}

export function outputArray(inputDType: DenseTensor['dtype'], length: number): NumericArray {
  return outputDType(inputDType) === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

export function outputTensor(input: DenseTensor, shape: readonly number[], values: ArrayLike<number>): DenseTensor {
  const data = outputArray(input.dtype, values.length);
  data.set(values);
  return { dtype: outputDType(input.dtype), shape: [...shape], data };
}

/** The normalized tensor in x's shape and output dtype. */
export function normalize(x: DenseTensor, statsMap: GroupMap, center: Float64Array, factor: Float64Array,
  affine: AffineValues): DenseTensor {
  const xs = x.data;
  const out = outputArray(x.dtype, xs.length);
  const { gamma, beta } = affine;
  forEachRange(xs.length, statsMap, affine.map, (start, end, g, gStride, a, aStride) => {
    if (!gamma && !beta) {
      for (let k = start, i = g; k < end; k++, i += gStride) out[k] = (xs[k] - center[i]) * factor[i];
      return;
    }
    for (let k = start, i = g, j = a; k < end; k++, i += gStride, j += aStride) {
      out[k] = (xs[k] - center[i]) * factor[i] * (gamma ? gamma[j] : 1) + (beta ? beta[j] : 0);
    }
  });
  return { dtype: outputDType(x.dtype), shape: [...x.shape], data: out };
}
