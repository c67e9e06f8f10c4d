/**
 * Axis permutation of a C-order tensor. LayerNorm over a non-trailing set of axes (WebNN `axes`) moves those axes
 * to the end, normalizes the trailing block and moves them back: one copy each way instead of a strided kernel.
 */
import type { NumericArray } from '../dtype';
import type { DenseTensor } from '../tensor';

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    strides[k] = s;
    s *= shape[k];
  }
  return strides;
}

export function isIdentityPermutation(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

export function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => { inv[p] = i; });
  return inv;
}

/** `values` (C order, `shape`) with its axes reordered: output axis i is input axis perm[i]. */
export function permuteValues<T extends NumericArray>(values: T, shape: readonly number[], perm: readonly number[]): T {
  if (isIdentityPermutation(perm)) return values;
  const rank = shape.length;
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const stepIn = perm.map((p) => inStrides[p]);
  const out = new (values.constructor as new (n: number) => T)(values.length);
  // walk the output in C order, moving the input offset by the permuted strides (an odometer over outShape)
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let dst = 0; dst < values.length; dst++) {
    out[dst] = values[src];
    for (let k = rank - 1; k >= 0; k--) {
      src += stepIn[k];
      if (++idx[k] < outShape[k]) break;
      src -= stepIn[k] * outShape[k];
      idx[k] = 0;
    }
  }
  return out;
}

export function permute(t: DenseTensor, perm: readonly number[]): DenseTensor {
  return { dtype: t.dtype, shape: perm.map((p) => t.shape[p]), data: permuteValues(t.data, t.shape, perm) };
}
