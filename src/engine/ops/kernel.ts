/**
 * The one normalization kernel every operation uses: y = (x - center[g])·factor[g]·γ[a] + β[a], computed in
 * float64 and rounded once into the output array (float32 for every input but float64, SEMANTICS.md).
 */
import { outputDType, type NumericArray } from '../dtype';
import type { GroupMap } from '../moments';
import type { DenseTensor } from '../tensor';
import { AffineCursor, forEachSegment, type AffineMap } from './segments';

export interface AffineValues {
  map: AffineMap;
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

export function normalizeValues(x: NumericArray, out: NumericArray, statsMap: GroupMap, center: Float64Array,
  factor: Float64Array, affine: AffineValues): void {
  const { gamma, beta } = affine;
  forEachSegment(x.length, statsMap, (start, end, g) => {
    const c = center[g];
    const f = factor[g];
    if (!gamma && !beta) {
      for (let e = start; e < end; e++) out[e] = (x[e] - c) * f;
      return;
    }
    const cursor = new AffineCursor(affine.map, start);
    for (let e = start; e < end; e++) {
      const a = cursor.index;
      out[e] = (x[e] - c) * f * (gamma ? gamma[a] : 1) + (beta ? beta[a] : 0);
      cursor.step();
    }
  });
}

/** The normalized tensor in x's shape and output dtype. */
export function normalize(x: DenseTensor, statsMap: GroupMap, center: Float64Array, factor: Float64Array,
  affine: AffineValues): DenseTensor {
  const data = outputArray(x.dtype, x.data.length);
  normalizeValues(x.data, data, statsMap, center, factor, affine);
  return { dtype: outputDType(x.dtype), shape: [...x.shape], data };
}
