/**
 * RMSNorm: y = x / sqrt(mean(x²) + eps)·γ over the normalized axes, no mean subtraction and no β. mean(x²) comes
 * from the same moments as every other operation: mean(x²) = σ² + μ², a sum of two non-negative terms that
 * loses nothing to cancellation.
 */
import type { DType } from '../dtype';
import type { DenseTensor } from '../tensor';
import { elementwiseParameter } from './affine';
import { checkEpsilon, requireElements } from './checks';
import { batchStatistics, measureGroups } from './groupStatistics';
import { normalize } from './kernel';
import { trailingLayout, type NormalizedAxes } from './normalizedAxes';
import type { NormalizationResult } from './result';

export interface RmsNormOptions extends NormalizedAxes {
  /** Default 1e-5 (ONNX); null is PyTorch's eps=None: the machine epsilon of x's dtype. */
  eps?: number | null;
  scale?: DenseTensor;
}

/**
 * torch.finfo(dtype).eps for the dtype PyTorch would run in: the input's own float type, float32 for the types
 * this engine computes to float32 (integers, bool).
 */
export function machineEpsilon(dtype: DType): number {
  switch (dtype) {
    case 'float64': return 2 ** -52;
    case 'float16': return 2 ** -10;
    case 'bfloat16': return 2 ** -7;
    default: return 2 ** -23;
  }
}

export function rmsNorm(x: DenseTensor, o: RmsNormOptions = {}): NormalizationResult {
  const eps = o.eps === null ? machineEpsilon(x.dtype) : (o.eps ?? 1e-5);
  requireElements(x, 'x');
  checkEpsilon(eps);
  const layout = trailingLayout(x, o);
  const statsMap = { run: layout.rowSize, mod: 0 };
  const scale = elementwiseParameter(o.scale, layout.normalizedShape, 'scale');
  const moments = measureGroups(layout.x, statsMap, layout.rows);
  const rstd = new Float64Array(layout.rows);
  for (let g = 0; g < layout.rows; g++) rstd[g] = 1 / Math.sqrt(moments.ieeeMeanSquare(g) + eps);
  const y = normalize(layout.x, statsMap, new Float64Array(layout.rows), rstd, { map: { run: 1, mod: layout.rowSize }, gamma: scale?.values });
  return {
    y: layout.fromLayout(y),
    statistics: batchStatistics(moments, layout.statisticsShape, eps),
    extra: { rstd },
    warnings: [],
  };
}
