/** Checks on inputs every operation shares; each message names the numbers the user gave. */
import { EngineError } from '../errors';
import { elementCount, type DenseTensor } from '../tensor';
import { shapeText } from './affine';

export function requireElements(t: DenseTensor, what: string): void {
  if (elementCount(t.shape) === 0) {
    throw new EngineError(`${what} of shape ${shapeText(t.shape)} has no elements: there is nothing to normalize.`);
  }
}

export function checkEpsilon(eps: number): void {
  if (!Number.isFinite(eps) || eps < 0) throw new EngineError(`eps must be a finite number >= 0, got ${eps}.`);
}

export function requireSameShape(t: DenseTensor, shape: readonly number[], what: string): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new EngineError(`${what} has shape ${shapeText(t.shape)} but x has shape ${shapeText(shape)}: they must be equal.`);
  }
}
