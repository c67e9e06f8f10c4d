/**
 * γ (scale) and β (bias) as given by a user or a framework, expanded to the index space the kernel uses (one
 * value per channel, or per element of the normalized shape). Expansion and the reduction of gradients back
 * to the parameter's own shape share one index table, so dγ always has the shape γ was given in.
 */
import { EngineError } from '../errors';
import { elementCount, type DenseTensor } from '../tensor';

/** A parameter expanded to `values.length` kernel positions; `offsets[i]` is the given element used at position i. */
export interface AffineParameter {
  values: Float64Array;
  offsets: Int32Array;
  /** Shape the parameter was given in; its gradient is reported in this shape. */
  shape: number[];
}

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function expand(param: DenseTensor, offsets: Int32Array): AffineParameter {
  const values = new Float64Array(offsets.length);
  for (let i = 0; i < offsets.length; i++) values[i] = param.data[offsets[i]];
  return { values, offsets, shape: [...param.shape] };
}

/**
 * Per-channel γ/β: C values along at most one non-unit axis ((C,), (1, C, 1, 1)), or a single value for all.
 * `groups` > 0 also accepts one value per group (ONNX-18 GroupNormalization), repeated over the group's
 * C/groups consecutive channels.
 */
export function perChannelParameter(param: DenseTensor | undefined, channels: number, what: string, groups = 0): AffineParameter | undefined {
  if (!param) return undefined;
  const n = elementCount(param.shape);
  const nonUnit = param.shape.filter((d) => d !== 1).length;
  const offsets = new Int32Array(channels);
  if (n === 1) return expand(param, offsets);
  if (nonUnit === 1 && n === channels) {
    for (let c = 0; c < channels; c++) offsets[c] = c;
    return expand(param, offsets);
  }
  if (nonUnit === 1 && groups > 0 && n === groups) {
    const perGroup = channels / groups;
    for (let c = 0; c < channels; c++) offsets[c] = Math.floor(c / perGroup);
    return expand(param, offsets);
  }
  const accepted = groups > 0 && groups !== channels ? `${channels} (per channel) or ${groups} (per group)` : `${channels}`;
  throw new EngineError(`${what} has shape ${shapeText(param.shape)} (${n} values) but x has ${channels} channels: expected ${accepted} values.`);
}

/** Elementwise γ/β over the normalized shape, numpy-broadcast from the shape given (right-aligned). */
export function elementwiseParameter(param: DenseTensor | undefined, target: readonly number[], what: string): AffineParameter | undefined {
  if (!param) return undefined;
  const shape = param.shape;
  const mismatch = (): EngineError => new EngineError(
    `${what} has shape ${shapeText(shape)}, which does not broadcast to the normalized shape ${shapeText(target)}.`);
  if (shape.length > target.length && shape.slice(0, shape.length - target.length).some((d) => d !== 1)) throw mismatch();
  // stride of each target axis in the parameter (0 where the parameter broadcasts along it)
  const rank = target.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let k = 1; k <= Math.min(rank, shape.length); k++) {
    const d = shape[shape.length - k];
    const t = target[rank - k];
    if (d !== t && d !== 1) throw mismatch();
    strides[rank - k] = d === 1 ? 0 : s;
    s *= d;
  }
  const offsets = new Int32Array(elementCount(target));
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < offsets.length; i++) {
    offsets[i] = off;
    for (let k = rank - 1; k >= 0; k--) {
      off += strides[k];
      if (++idx[k] < target[k]) break;
      off -= strides[k] * target[k];
      idx[k] = 0;
    }
  }
  return expand(param, offsets);
}

/** A gradient over kernel positions summed back onto the parameter's own elements. */
export function reduceToParameter(grad: Float64Array, param: AffineParameter | undefined, positionsShape: readonly number[]):
  { shape: number[]; values: Float64Array } {
  if (!param) return { shape: [...positionsShape], values: grad };
  const values = new Float64Array(elementCount(param.shape));
  for (let i = 0; i < grad.length; i++) values[param.offsets[i]] += grad[i];
  return { shape: param.shape, values };
}
