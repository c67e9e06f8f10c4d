/**
 * Which axes LayerNorm and RMSNorm reduce over, in the three ways frameworks name them: PyTorch's trailing
 * `normalizedShape`, ONNX's first normalized `axis`, or WebNN's explicit `axes` list. The kernel only knows
 * "the trailing K elements of each row", so explicit axes are moved to the end (in the order listed, which is
 * also the order of γ/β's dims) and moved back afterwards.
 */
import { EngineError } from '../errors';
import { elementCount, normalizeAxis, type DenseTensor } from '../tensor';
import { shapeText } from './affine';
import { inversePermutation, isIdentityPermutation, permute } from './permute';

/** At most one of the three; none means ONNX's default, the last axis. */
export interface NormalizedAxes {
  /** PyTorch: the sizes of the trailing normalized dims. */
  normalizedShape?: number[];
  /** ONNX: the first normalized axis; every axis from it to the end is normalized. */
  axis?: number;
  /** WebNN: exactly these axes, in γ/β's dim order. */
  axes?: number[];
}

export interface TrailingLayout {
  /** x with the normalized axes last. */
  x: DenseTensor;
  /** Sizes of the normalized axes, in γ/β order. */
  normalizedShape: number[];
  /** Elements per row (product of normalizedShape). */
  rowSize: number;
  rows: number;
  /** x's shape with every normalized axis kept as size 1 (ONNX Mean/InvStdDev). */
  statisticsShape: number[];
  /** Moves a tensor from x's original axis order into the layout's order, or back. */
  toLayout(t: DenseTensor): DenseTensor;
  fromLayout(t: DenseTensor): DenseTensor;
}

function reducedAxes(x: DenseTensor, spec: NormalizedAxes): number[] {
  const rank = x.shape.length;
  const given = [spec.normalizedShape && 'normalized_shape', spec.axis !== undefined && 'axis', spec.axes && 'axes'].filter(Boolean);
  if (given.length > 1) throw new EngineError(`give one of normalized_shape, axis and axes, not ${given.join(' and ')}.`);
  if (spec.normalizedShape) {
    const ns = spec.normalizedShape;
    const tail = x.shape.slice(rank - ns.length);
    if (ns.length === 0 || ns.length > rank || ns.some((d, i) => d !== tail[i])) {
      throw new EngineError(`normalized_shape ${shapeText(ns)} must be the last ${ns.length || 'one or more'} dims of x, whose shape is ${shapeText(x.shape)}.`);
    }
    return ns.map((_, i) => rank - ns.length + i);
  }
  if (!spec.axes) {
    const first = normalizeAxis(spec.axis ?? -1, rank, 'axis');
    return x.shape.slice(first).map((_, i) => first + i);
  }
  const axes = spec.axes.map((a) => normalizeAxis(a, rank, 'axes entry'));
  const twice = axes.find((a, i) => axes.indexOf(a) !== i);
  if (twice !== undefined) throw new EngineError(`axes ${shapeText(spec.axes)} names axis ${twice} twice.`);
  return axes;
}

export function trailingLayout(x: DenseTensor, spec: NormalizedAxes): TrailingLayout {
  const axes = reducedAxes(x, spec);
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const inverse = inversePermutation(perm);
  const identity = isIdentityPermutation(perm);
  const normalizedShape = axes.map((a) => x.shape[a]);
  const rowSize = elementCount(normalizedShape);
  return {
    x: identity ? x : permute(x, perm),
    normalizedShape,
    rowSize,
    rows: elementCount(x.shape) / rowSize,
    statisticsShape: x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
    toLayout: (t) => (identity ? t : permute(t, perm)),
    fromLayout: (t) => (identity ? t : permute(t, inverse)),
  };
}
