/**
 * The inspector's statistics, streamed: pass 1 gathers moments (per channel, per normalization group, per
 * sample×channel); pass 2 bins the raw values and computes x̂ chunk by chunk for its moments; pass 3 bins x̂ when
 * its range could not be known before pass 2. Every pass checks for cancellation between chunks.
 */
import { outputDType, type DType, type NumericArray } from '../dtype';
import { CancelledError } from '../errors';
import { GroupHistograms, histogramRange } from '../histogram';
import { GroupMoments, groupCount, type GroupMap } from '../moments';
import { GroupQuantiles } from '../quantiles';
import { channelSplit, elementCount, normalizeAxis } from '../tensor';
import { diagnose } from './diagnostics';
import { applyPlan, newScratch, planNormalization, sampleChannelMap, type NormParams, type NormPlan } from './normPlan';
import type { InspectOptions, InspectResult, SampleMoments, Summary } from './types';

/** The tensor's values in C order, chunk by chunk; `chunks()` starts over at every call. */
export interface ElementSource {
  shape: number[];
  dtype: DType;
  chunks(): AsyncIterable<NumericArray>;
}

export interface RunControl {
  isCancelled(): boolean;
  /** Called between chunks with the fraction of the whole run done. */
  progress(fraction: number): void;
}

export const NO_CONTROL: RunControl = { isCancelled: () => false, progress: () => undefined };

/** More (sample, channel) rows than this are merged pairwise-consecutively so the payload stays bounded. */
const MAX_SAMPLE_ROWS = 256;
/** Per-channel histograms keep channels × bins under this many counts. */
const MAX_CHANNEL_BIN_CELLS = 131072;

export async function inspect(src: ElementSource, options: InspectOptions, control: RunControl = NO_CONTROL): Promise<InspectResult> {
  const t0 = Date.now();
  const { shape } = src;
  const total = elementCount(shape);
  const axis = shape.length && options.channelAxis !== null ? normalizeAxis(options.channelAxis, shape.length, 'channel axis') : null;
  const split = channelSplit(shape, axis);
  const channelMap: GroupMap = { run: Math.max(1, split.inner), mod: split.channels };
  const plan = total > 0 ? planNormalization(shape, options) : null;
  const batchAxisDistinct = axis !== null && axis !== 0 && shape.length > 1;
  const sampleMap = batchAxisDistinct ? sampleChannelMap(shape, axis) : null;
  const passes = plan && !plan.perChannel ? 3 : 2;
  let pass = 0;

  const stream = async (visit: (chunk: NumericArray, start: number) => void) => {
    let start = 0;
    for await (const chunk of src.chunks()) {
      if (control.isCancelled()) throw new CancelledError();
      visit(chunk, start);
      start += chunk.length;
      control.progress((pass + (total ? start / total : 1)) / passes);
    }
    pass++;
  };

  // pass 1: moments
  const chMoments = new GroupMoments(split.channels);
  const normMoments = plan && !sameMap(plan.map, channelMap) ? new GroupMoments(groupCount(plan.map, total)) : null;
  const sampleMoments = sampleMap ? new GroupMoments(groupCount(sampleMap, total)) : null;
  await stream((chunk, start) => {
    chMoments.add(chunk, start, channelMap);
    normMoments?.add(chunk, start, plan!.map);
    sampleMoments?.add(chunk, start, sampleMap!);
  });
  const overallMoments = chMoments.total();
  const params = plan ? plan.params(normMoments ?? chMoments) : null;

  // pass 2: raw histograms and quantiles; x̂ moments (and x̂ histograms when each channel's map is known)
  const bins = Math.max(1, Math.round(options.bins));
  const channelBins = Math.max(8, Math.min(bins, Math.floor(MAX_CHANNEL_BIN_CELLS / Math.max(1, split.channels))));
  const chRanges = rangesOf(chMoments);
  const rawCh = new GroupHistograms(split.channels, channelBins, chRanges.map(([lo, hi]) => histogramRange(lo, hi)));
  const rawAll = new GroupHistograms(1, bins, [histogramRange(overallMoments.min[0], overallMoments.max[0])]);
  const rawChQ = new GroupQuantiles(split.channels, chMoments.count, chRanges);
  const rawAllQ = new GroupQuantiles(1, overallMoments.count, rangesOf(overallMoments));
  const afterMoments = plan ? new GroupMoments(split.channels) : null;
  const scratch = plan ? newScratch(src.dtype, Math.min(total, 1 << 22)) : null;
  let after: AfterBinning | null = null;
  // an affine map per channel sends finite values to finite values: raw counts size the exact x̂ quantiles
  if (plan && params && plan.perChannel) after = afterBinning(mappedRanges(chRanges, params, src.dtype), bins, channelBins, chMoments.count);
  const all: GroupMap = { run: Math.max(1, total), mod: 0 };
  await stream((chunk, start) => {
    rawCh.add(chunk, start, channelMap);
    rawAll.add(chunk, start, all);
    rawChQ.add(chunk, start, channelMap);
    rawAllQ.add(chunk, start, all);
    if (plan && params && afterMoments && scratch) {
      const xhat = applyPlan(chunk, start, plan, params, scratch);
      afterMoments.add(xhat, start, channelMap);
      after?.add(xhat, start, channelMap, all);
    }
  });

  // pass 3: x̂ histograms over the x̂ ranges pass 2 found
  if (plan && params && afterMoments && scratch && !after) {
    const binning = afterBinning(rangesOf(afterMoments), bins, channelBins, afterMoments.count, rangesOf(afterMoments.total())[0]);
    after = binning;
    await stream((chunk, start) => binning.add(applyPlan(chunk, start, plan, params, scratch), start, channelMap, all));
  }
  control.progress(1);

  const summarize = (m: GroupMoments, q: GroupQuantiles, g: number, qg = g): Summary => summary(m, g, q, qg);
  const afterAll = afterMoments ? afterMoments.total() : null;
  const result: InspectResult = {
    shape: [...shape],
    dtype: src.dtype,
    options,
    channels: split.channels,
    batch: batchAxisDistinct ? shape[0] : 1,
    quantilesExact: rawChQ.exact && rawAllQ.exact && (!after || after.exact),
    overall: {
      before: summarize(overallMoments, rawAllQ, 0),
      after: afterAll && after ? summarize(afterAll, after.allQ, 0) : null,
      histBefore: rawAll.histogram(0),
      histAfter: after ? after.all.histogram(0) : null,
    },
    channel: {
      before: range(split.channels).map((c) => summarize(chMoments, rawChQ, c)),
      after: afterMoments && after ? range(split.channels).map((c) => summarize(afterMoments, after!.chQ, c)) : null,
      histBefore: range(split.channels).map((c) => rawCh.histogram(c)),
      histAfter: after ? range(split.channels).map((c) => after!.ch.histogram(c)) : null,
    },
    normalization: plan ? normalizationSummary(plan, normMoments ?? chMoments, options) : null,
    samples: sampleMoments ? samplePayload(sampleMoments, split.channels) : null,
    diagnostics: [],
    millis: 0,
  };
  result.diagnostics = diagnose(result);
  result.millis = Date.now() - t0;
  return result;
}

interface AfterBinning {
  ch: GroupHistograms;
  all: GroupHistograms;
  chQ: GroupQuantiles;
  allQ: GroupQuantiles;
  exact: boolean;
  add(xhat: NumericArray, start: number, channelMap: GroupMap, all: GroupMap): void;
}

function afterBinning(chRanges: [number, number][], bins: number, channelBins: number, counts: ArrayLike<number>,
  overall?: [number, number]): AfterBinning {
  const finite = chRanges.filter(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi));
  const allRange = overall ?? (finite.length
    ? [Math.min(...finite.map((r) => r[0])), Math.max(...finite.map((r) => r[1]))] as [number, number]
    : [NaN, NaN] as [number, number]);
  const ch = new GroupHistograms(chRanges.length, channelBins, chRanges.map(([lo, hi]) => histogramRange(lo, hi)));
  const all = new GroupHistograms(1, bins, [histogramRange(allRange[0], allRange[1])]);
  let total = 0;
  for (let c = 0; c < chRanges.length; c++) total += counts[c];
  const chQ = new GroupQuantiles(chRanges.length, counts, chRanges);
  const allQ = new GroupQuantiles(1, [total], [allRange]);
  return {
    ch, all, chQ, allQ, exact: chQ.exact && allQ.exact,
    add(xhat, start, channelMap, allMap) {
      ch.add(xhat, start, channelMap);
      all.add(xhat, start, allMap);
      chQ.add(xhat, start, channelMap);
      allQ.add(xhat, start, allMap);
    },
  };
}

function rangesOf(m: GroupMoments): [number, number][] {
  return range(m.groups).map((g) => [m.min[g], m.max[g]]);
}

/**
 * Each channel's x̂ range when its map is affine: the images of min and max (swapped for a negative scale),
 * rounded as the stored x̂ is, so the range is exactly the min and max of the x̂ values.
 */
function mappedRanges(ranges: [number, number][], p: NormParams, dtype: DType): [number, number][] {
  const round = outputDType(dtype) === 'float32' ? Math.fround : (v: number) => v;
  return ranges.map(([lo, hi], c) => {
    const a = round((lo - p.shift[c]) * p.scale[c] + p.offset[c]);
    const b = round((hi - p.shift[c]) * p.scale[c] + p.offset[c]);
    return [Math.min(a, b), Math.max(a, b)];
  });
}

function summary(m: GroupMoments, g: number, q: GroupQuantiles, qg: number): Summary {
  const v = m.variance(g);
  return {
    count: m.count[g],
    elements: m.elements(g),
    mean: m.count[g] ? m.mean[g] : NaN,
    var: v,
    var_unbiased: m.unbiasedVariance(g),
    std: Math.sqrt(v),
    min: m.count[g] ? m.min[g] : NaN,
    max: m.count[g] ? m.max[g] : NaN,
    nan: m.nan[g],
    posinf: m.posinf[g],
    neginf: m.neginf[g],
    zeros: m.zeros[g],
    quantiles: q.quantiles(qg),
  };
}

function normalizationSummary(plan: NormPlan, m: GroupMoments, o: InspectOptions): InspectResult['normalization'] {
  let varMin = Infinity;
  let varMax = -Infinity;
  let epsDominated = 0;
  for (let g = 0; g < m.groups; g++) {
    const v = m.variance(g);
    if (!(v === v)) continue;
    if (v < varMin) varMin = v;
    if (v > varMax) varMax = v;
    if (o.op !== 'rmsnorm' && o.op !== 'minmax' && v < o.eps) epsDominated++;
  }
  return { groups: plan.groups, groupSize: plan.groupSize, varMin, varMax, epsDominated };
}

function samplePayload(m: GroupMoments, channels: number): SampleMoments {
  const samples = channels ? m.groups / channels : 0;
  const perRow = Math.max(1, Math.ceil(samples / MAX_SAMPLE_ROWS));
  const rows = Math.ceil(samples / perRow);
  const merged = new GroupMoments(rows * channels);
  for (let r = 0; r < rows; r++) {
    for (let s = r * perRow; s < Math.min(samples, (r + 1) * perRow); s++) {
      for (let c = 0; c < channels; c++) merged.mergeGroup(r * channels + c, m, s * channels + c);
    }
  }
  return {
    rows, samplesPerRow: perRow, channels,
    count: Array.from(merged.count), mean: Array.from(merged.mean), m2: Array.from(merged.m2),
  };
}

function sameMap(a: GroupMap, b: GroupMap): boolean {
  return a.run === b.run && a.mod === b.mod && (a.block ?? 0) === (b.block ?? 0);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
