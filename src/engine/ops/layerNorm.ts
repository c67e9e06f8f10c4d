/**
 * LayerNorm: statistics per row over the normalized axes, γ/β elementwise over the normalized shape
 * (broadcast from the shape given, as ONNX allows). `statistics` has x's shape with the normalized axes kept as
 * size 1, like ONNX's Mean and InvStdDev outputs.
 */
import type { DenseTensor } from '../tensor';
import { elementwiseParameter } from './affine';
import { normalizationBackward, toGradients } from './backward';
import { checkEpsilon, requireElements, requireSameShape } from './checks';
import { batchStatistics, measureGroups } from './groupStatistics';
import { normalize } from './kernel';
import { trailingLayout, type NormalizedAxes } from './normalizedAxes';
import type { AffineOptions } from './options';
import type { NormalizationResult } from './result';

export interface LayerNormOptions extends NormalizedAxes, AffineOptions {
  /** Upstream gradient dy: when given, `gradients` holds dx, dγ, dβ. */
  gradY?: DenseTensor;
}

export function layerNorm(x: DenseTensor, o: LayerNormOptions = {}): NormalizationResult {
  const eps = o.eps ?? 1e-5;
  requireElements(x, 'x');
  checkEpsilon(eps);
  const layout = trailingLayout(x, o);
  const xl = layout.x;
  const statsMap = { run: layout.rowSize, mod: 0 };
  const affineMap = { run: 1, mod: layout.rowSize };
  const scale = elementwiseParameter(o.scale, layout.normalizedShape, 'scale');
  const bias = elementwiseParameter(o.bias, layout.normalizedShape, 'bias');
  const statistics = batchStatistics(measureGroups(xl, statsMap, layout.rows), layout.statisticsShape, eps);
  const y = normalize(xl, statsMap, statistics.mean, statistics.invstd, { map: affineMap, gamma: scale?.values, beta: bias?.values });
  const result: NormalizationResult = { y: layout.fromLayout(y), statistics, extra: {}, warnings: [] };
  if (o.gradY) {
    requireSameShape(o.gradY, x.shape, 'grad_y');
    const out = normalizationBackward({
      x: xl, dy: layout.toLayout(o.gradY), statsMap, mean: statistics.mean, invstd: statistics.invstd,
      count: statistics.count, affineMap, gamma: scale?.values, affineSize: layout.rowSize, throughStatistics: true,
    });
    result.gradients = toGradients({ ...out, dx: layout.fromLayout(out.dx) }, scale, bias, layout.normalizedShape);
  }
  return result;
}
