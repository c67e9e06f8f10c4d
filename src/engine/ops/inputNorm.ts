/**
 * Input normalization of a dataset-like tensor, per feature (a chosen axis) over every other axis:
 * - z-score: (x - μ)/sqrt(σ² + eps) with the population σ (numpy std, ddof=0; scikit-learn's StandardScaler);
 * - min-max: (x - min)/(max - min) mapped to [a, b].
 * A constant feature would divide by zero; like scikit-learn, it maps to 0 (z-score) or to a (min-max), with a
 * warning naming the features. NaN and ±Inf propagate as IEEE arithmetic does.
 */
import { EngineError } from '../errors';
import { channelSplit, normalizeAxis, type DenseTensor } from '../tensor';
import { checkEpsilon, requireElements } from './checks';
import { batchStatistics, measureGroups } from './groupStatistics';
import { normalize } from './kernel';
import type { NormalizationResult } from './result';

export interface InputNormOptions {
  /** Default 1 (the features of an (n_samples, n_features) table); null treats the whole tensor as one feature. */
  featureAxis?: number | null;
}

export interface ZScoreOptions extends InputNormOptions {
  /** Default 0. */
  eps?: number;
}

export interface MinMaxOptions extends InputNormOptions {
  /** Default [0, 1]. */
  range?: [number, number];
}

function features(x: DenseTensor, featureAxis: number | null | undefined): { count: number; map: { run: number; mod: number } } {
  const axis = featureAxis === null ? null : normalizeAxis(featureAxis ?? 1, x.shape.length, 'feature axis');
  const { channels, inner } = channelSplit(x.shape, axis);
  return { count: channels, map: { run: inner, mod: channels } };
}

function constantWarning(constant: number[], total: number, what: string): string[] {
  if (constant.length === 0) return [];
  const shown = constant.slice(0, 8).join(', ') + (constant.length > 8 ? `, … (${constant.length} in all)` : '');
  return [`${constant.length} of ${total} features are constant (feature ${shown}): ${what}.`];
}

export function zScore(x: DenseTensor, o: ZScoreOptions = {}): NormalizationResult {
  const eps = o.eps ?? 0;
  requireElements(x, 'x');
  checkEpsilon(eps);
  const f = features(x, o.featureAxis);
  const statistics = batchStatistics(measureGroups(x, f.map, f.count), [f.count], eps);
  const constant: number[] = [];
  const factor = statistics.invstd.map((inv, g) => {
    if (inv !== Infinity) return inv;
    constant.push(g);
    return 0;
  });
  const y = normalize(x, f.map, statistics.mean, factor, { map: f.map });
  return { y, statistics, extra: {}, warnings: constantWarning(constant, f.count, 'z-score maps them to 0') };
}

export function minMax(x: DenseTensor, o: MinMaxOptions = {}): NormalizationResult {
  const [a, b] = o.range ?? [0, 1];
  requireElements(x, 'x');
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(a < b)) {
    throw new EngineError(`the min-max range must be two finite numbers a < b, got ${a},${b}.`);
  }
  const f = features(x, o.featureAxis);
  const moments = measureGroups(x, f.map, f.count);
  const min = new Float64Array(f.count);
  const max = new Float64Array(f.count);
  const factor = new Float64Array(f.count);
  const constant: number[] = [];
  for (let g = 0; g < f.count; g++) {
    [min[g], max[g]] = moments.ieeeRange(g);
    factor[g] = (b - a) / (max[g] - min[g]);
    if (min[g] === max[g] && Number.isFinite(min[g])) {
      factor[g] = 0;
      constant.push(g);
    }
  }
  const y = normalize(x, f.map, min, factor, { map: { run: 1, mod: 1 }, beta: Float64Array.of(a) });
  return {
    y,
    statistics: batchStatistics(moments, [f.count], 0),
    extra: { min, max },
    warnings: constantWarning(constant, f.count, `min-max maps them to ${a}`),
  };
}
