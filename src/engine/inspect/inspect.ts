/**
 * The inspector's statistics, streamed: pass 1 gathers moments (per channel, per normalization group, per
 * sample×channel); pass 2 bins the raw values and computes x̂ chunk by chunk for its moments; pass 3 bins x̂ when
 * its range could not be known before pass 2. Normalization groups that lie within short spans (LayerNorm's rows)
 * are normalized chunk by chunk instead, with no state per group: pass 1 then has x̂'s moments, and pass 2 bins x̂.
 * Every pass checks for cancellation between chunks. Each pass ends in a state that merges with the same pass over
 * other ranges, which is how the worker pool splits the work.
 */
import { outputDType, type DType, type NumericArray } from '../dtype';
import { CancelledError } from '../errors';
import { GroupHistograms, histogramRange, type Histogram } from '../histogram';
import { GroupMoments, groupCount, groupOf, sharedMomentsState, type GroupMap, type MomentsState } from '../moments';
import { GroupQuantiles, quantilesAreExact, quantilesFromState, type QuantileState, type Quantiles } from '../quantiles';
import { channelSplit, elementCount, normalizeAxis, type ChannelSplit } from '../tensor';
import { Kernels } from '../wasm/kernels';
import { diagnose } from './diagnostics';
import { applyPlan, groupSpans, newScratch, planNormalization, sampleChannelMap, type NormParams, type NormPlan, type Scratch } from './normPlan';
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

/**
 * Consecutive samples are merged into one row of (sample, channel) moments so that rows × channels stays under
 * this many cells (three numbers each in the payload): at most 256 rows, fewer when there are many channels.
 */
const MAX_SAMPLE_ROWS = 256;
const MAX_SAMPLE_CELLS = 2048;
/**
 * Per-channel histograms keep channels × bins under this many counts (before and after: twice this), so that the
 * webview payload stays under 1 MB: each bin costs about 25 bytes of JSON (its count and an edge).
 */
const MAX_CHANNEL_BIN_CELLS = 6144;
/**
 * Normalization groups within spans of at most this many elements are normalized chunk by chunk (ChunkNorm): a
 * chunk's tail inside a span waits for the next chunk, so a span must stay small enough to copy and hold (4 MB of
 * float32). Longer spans mean few groups, whose moments pass 1 keeps.
 */
const LOCAL_SPAN_MAX = 1 << 20;

/**
 * Pass 1's result over a range of the tensor: moments per channel, per normalization group, and per row of
 * (sample, channel) moments (SampleRows). `norm` is null when the normalization groups are the channels or are
 * normalized chunk by chunk (InspectPlan.localSpan); then pass 1 has x̂'s moments per channel (`after`) and the
 * spread of the groups' variances.
 */
export interface MomentsPass {
  ch: MomentsState;
  norm: MomentsState | null;
  sample: MomentsState | null;
  after: MomentsState | null;
  variances: GroupVariances | null;
}

/** The spread of the normalization groups' variances (finite ones), and how many of them eps dominates. */
export interface GroupVariances {
  min: number;
  max: number;
  epsDominated: number;
}

/** Histogram counts and quantile states of one set of values (raw or x̂), per channel and overall. */
export interface BinsState {
  ch: Float64Array;
  all: Float64Array;
  chQ: QuantileState;
  allQ: QuantileState;
}

/** Pass 2's result: raw histograms and quantiles; x̂ moments; x̂ histograms when each channel's map is affine. */
export interface BinningPass {
  raw: BinsState;
  after: MomentsState | null;
  afterBins: BinsState | null;
}

/** A pass over chunks of the tensor (all of it, or a range), ending in a state that merges with other ranges'. */
export interface PassRun<S> {
  add(chunk: NumericArray, start: number): void;
  state(): S;
}

/**
 * Everything about an inspection that follows from shape, dtype and options: the group maps, the passes and how
 * their results merge and become an InspectResult. The extension host and every worker build the same one, so
 * a pass can run over ranges in several workers and be merged where it is cheap (O(groups × bins)).
 */
export class InspectPlan {
  readonly total: number;
  readonly passes: number;
  /**
   * Elements whose multiples no normalization group crosses, when its groups are normalized chunk by chunk (spans
   * of at most LOCAL_SPAN_MAX); else null. Ranges split at multiples of it: a worker's range holds whole groups.
   */
  readonly localSpan: number | null;
  private readonly split: ChannelSplit;
  private readonly channelMap: GroupMap;
  private readonly allMap: GroupMap;
  private readonly plan: NormPlan | null;
  /** How a chunk of whole spans numbers its groups, when they are normalized chunk by chunk. */
  private readonly localMap: GroupMap | null;
  /** The rows of (sample, channel) moments the payload carries, when axis 0 is a batch axis. */
  private readonly rows: SampleRows | null;
  /** The normalization groups are the (sample, channel) groups (InstanceNorm): pass 1 sums the rows from them. */
  private readonly normIsSample: boolean;
  private readonly batchAxisDistinct: boolean;
  private readonly bins: number;
  private readonly channelBins: number;

  constructor(readonly shape: number[], readonly dtype: DType, readonly options: InspectOptions) {
    this.total = elementCount(shape);
    const axis = shape.length && options.channelAxis !== null ? normalizeAxis(options.channelAxis, shape.length, 'channel axis') : null;
    this.split = channelSplit(shape, axis);
    this.channelMap = { run: Math.max(1, this.split.inner), mod: this.split.channels };
    this.allMap = { run: Math.max(1, this.total), mod: 0 };
    this.plan = this.total > 0 ? planNormalization(shape, options) : null;
    this.batchAxisDistinct = axis !== null && axis !== 0 && shape.length > 1;
    const sampleMap = this.batchAxisDistinct ? sampleChannelMap(shape, axis!) : null;
    this.rows = sampleMap ? sampleRows(sampleMap, this.total) : null;
    this.normIsSample = !!this.plan && !!sampleMap && sameMap(this.plan.map, sampleMap);
    const spans = this.plan && groupSpans(this.plan);
    this.localSpan = spans && spans.span <= LOCAL_SPAN_MAX ? spans.span : null;
    this.localMap = this.localSpan ? spans!.map : null;
    this.passes = this.plan && !this.plan.perChannel && !this.localSpan ? 3 : 2;
    this.bins = Math.max(1, Math.round(options.bins));
    this.channelBins = Math.max(8, Math.min(this.bins, Math.floor(MAX_CHANNEL_BIN_CELLS / Math.max(1, this.split.channels))));
  }

  /** Pass 1: moments. `shared`: the states' arrays live in SharedArrayBuffers (a worker's pass; see momentLists). */
  moments(kernels: Kernels | null, shared = false): PassRun<MomentsPass> {
    const fresh = (groups: number) => new GroupMoments(groups, kernels, shared ? sharedMomentsState(groups) : undefined);
    const rowMap = this.rows?.map;
    const planMap = this.plan?.map;
    const local = this.chunkNorm(kernels);
    const norm = planMap && !local && !sameMap(planMap, this.channelMap) ? fresh(groupCount(planMap, this.total)) : null;
    // groups that refine others are merged into them, not summed in another sweep: InstanceNorm's (sample,
    // channel) groups into the rows, the rows into the channels
    const rows = rowMap && !this.normIsSample ? fresh(groupCount(rowMap, this.total)) : null;
    const sample = this.rows && this.normIsSample && local ? fresh(this.rows.count) : null;
    const ch = rowMap ? null : fresh(this.split.channels);
    const after = local ? fresh(this.split.channels) : null;
    const variances = local ? noVariances() : null;
    const run: PassRun<MomentsPass> = {
      add: (chunk, start) => {
        const staged = stage(chunk, kernels);
        ch?.add(staged, start, this.channelMap);
        norm?.add(staged, start, planMap!);
        rows?.add(staged, start, rowMap!);
        if (!local) return;
        const groups = local.moments(staged);
        addVariances(variances!, groups, this.options);
        if (sample) {
          const first = groupOf(planMap!, start);
          for (let g = 0; g < groups.groups; g++) sample.mergeGroup(this.rows!.rowOf(first + g), groups, g);
        }
        after!.add(local.xhat(staged, groups), start, this.channelMap);
      },
      state: () => {
        const channels = this.split.channels;
        let samples = rows ?? sample;
        if (this.rows && !samples) {
          samples = fresh(this.rows.count);
          for (let g = 0; g < norm!.groups; g++) samples.mergeGroup(this.rows.rowOf(g), norm!, g);
        }
        const perChannel = ch ?? fresh(channels);
        if (samples) for (let g = 0; g < samples.groups; g++) perChannel.mergeGroup(g % channels, samples, g);
        return {
          ch: perChannel.state(), norm: norm?.state() ?? null, sample: samples?.state() ?? null,
          after: after?.state() ?? null, variances,
        };
      },
    };
    return this.aligned(run, kernels);
  }

  /**
   * Pass 2 over a range can merge with other ranges unless its quantiles are exact (they need every value at once):
   * the raw values', or x̂'s when pass 1 counted them (fewer, when groups normalize to NaN).
   */
  binningSplits(m: MomentsPass): boolean {
    return !quantilesAreExact(sum(m.ch.count)) && !(m.after && quantilesAreExact(sum(m.after.count)));
  }

  /**
   * Pass 2: raw histograms and quantiles; x̂ moments unless pass 1 has them; x̂ histograms when x̂'s ranges are
   * known: each channel's map is affine, or pass 1 normalized chunk by chunk.
   */
  binning(m: MomentsPass, kernels: Kernels | null): PassRun<BinningPass> {
    const raw = this.rawBins(m, kernels);
    const local = this.chunkNorm(kernels);
    if (local) {
      const afterBins = this.afterBinsOver(m.after!, kernels);
      return this.aligned({
        add: (chunk, start) => {
          const staged = stage(chunk, kernels);
          raw.add(staged, start);
          afterBins.add(local.xhat(staged, local.moments(staged)), start);
        },
        state: () => ({ raw: raw.state(), after: null, afterBins: afterBins.state() }),
      }, kernels);
    }
    const params = this.params(m);
    const plan = this.plan;
    const after = plan ? new GroupMoments(this.split.channels, kernels) : null;
    const scratch = newScratch(this.dtype, kernels);
    // an affine map per channel sends finite values to finite values: raw counts size the exact x̂ quantiles
    const afterBins = plan && params && plan.perChannel
      ? this.binsOver(mappedRanges(rangesOf(m.ch), params, this.dtype), m.ch.count, null, kernels) : null;
    return {
      add: (chunk, start) => {
        const staged = stage(chunk, kernels);
        raw.add(staged, start);
        if (plan && params && after) {
          const xhat = applyPlan(staged, start, plan.map, params, scratch, kernels);
          after.add(xhat, start, this.channelMap);
          afterBins?.add(xhat, start);
        }
      },
      state: () => ({ raw: raw.state(), after: after?.state() ?? null, afterBins: afterBins?.state() ?? null }),
    };
  }

  /** The merge of two ranges' pass 2, in `a`'s arrays (the worker that finishes owns them all). */
  mergeBinning(a: BinningPass, b: BinningPass): BinningPass {
    return {
      raw: mergeBins(a.raw, b.raw),
      after: a.after && b.after ? GroupMoments.over(a.after).merge(b.after) : null,
      afterBins: a.afterBins && b.afterBins ? mergeBins(a.afterBins, b.afterBins) : null,
    };
  }

  /** Pass 3 is needed when x̂'s ranges were unknown before pass 2 (per-sample and per-group normalizations). */
  needsAfterPass(b: BinningPass): boolean {
    return !!this.plan && !!b.after && !b.afterBins;
  }

  /** Pass 2's x̂ moments merged over its ranges: pass 3's input (O(channels), unlike the rest of pass 2's state). */
  afterMoments(parts: BinningPass[]): MomentsState {
    return parts.reduce((m, b) => m.merge(b.after!), new GroupMoments(this.split.channels)).state();
  }

  afterSplits(after: MomentsState): boolean {
    return !quantilesAreExact(sum(after.count));
  }

  /** Pass 3: x̂ histograms and quantiles over the x̂ ranges pass 2 found (`after`, its merged x̂ moments). */
  afterBinning(m: MomentsPass, after: MomentsState, kernels: Kernels | null): PassRun<BinsState> {
    const map = this.plan!.map;
    const params = this.params(m)!;
    const bins = this.afterBinsOver(after, kernels);
    const scratch = newScratch(this.dtype, kernels);
    return {
      add: (chunk, start) => bins.add(applyPlan(stage(chunk, kernels), start, map, params, scratch, kernels), start),
      state: () => bins.state(),
    };
  }

  /** The merge of two ranges' pass 3, in `a`'s arrays. */
  mergeAfter(a: BinsState, b: BinsState): BinsState {
    return mergeBins(a, b);
  }

  /** The inspector's result from the merged passes; `afterBins` is pass 3's state when there was one. */
  result(m: MomentsPass, b: BinningPass, afterPass: BinsState | null, millis: number): InspectResult {
    const channels = this.split.channels;
    const ch = GroupMoments.over(m.ch);
    const overall = ch.total();
    const chRanges = rangesOf(ch);
    const raw = this.readBins(b.raw, chRanges, rangesOf(overall)[0]);
    const afterState = m.after ?? b.after;
    const after = afterState ? GroupMoments.over(afterState) : null;
    const afterAll = after ? after.total() : null;
    let afterRead: BinsReader | null = null;
    const afterBins = b.afterBins ?? afterPass;
    if (after && afterAll && afterBins) {
      // binned over the affine images of the raw ranges (afterBinsOver's ranges otherwise)
      const mapped = this.plan!.perChannel ? mappedRanges(chRanges, this.params(m)!, this.dtype) : null;
      afterRead = this.readBins(afterBins, mapped ?? rangesOf(after), mapped ? envelope(mapped) : rangesOf(afterAll)[0]);
    }
    const result: InspectResult = {
      ...this.resultFrame(m),
      quantilesExact: b.raw.chQ.kind === 'exact' && b.raw.allQ.kind === 'exact' && (!afterRead || afterRead.exact),
      overall: {
        before: summary(overall, 0, raw.allQuantiles(0)),
        after: afterAll && afterRead ? summary(afterAll, 0, afterRead.allQuantiles(0)) : null,
        histBefore: raw.all.histogram(0),
        histAfter: afterRead ? afterRead.all.histogram(0) : null,
      },
      channel: {
        before: range(channels).map((c) => summary(ch, c, raw.chQuantiles(c))),
        after: after && afterRead ? range(channels).map((c) => summary(after, c, afterRead!.chQuantiles(c))) : null,
        histBefore: range(channels).map((c) => raw.ch.histogram(c)),
        histAfter: afterRead ? range(channels).map((c) => afterRead!.ch.histogram(c)) : null,
      },
      diagnostics: [],
      millis,
    };
    result.diagnostics = diagnose(result);
    return result;
  }

  /**
   * What pass 1 alone gives, for the inspector to show while pass 2 runs: the raw values' exact moments, counts and
   * ranges per channel and overall, their histograms of one bin, and the findings that follow from them. No
   * quantiles (`{}`) and no x̂ statistics yet; result() has them all.
   */
  preview(m: MomentsPass, millis: number): InspectResult {
    const ch = GroupMoments.over(m.ch);
    const overall = ch.total();
    const channels = range(this.split.channels);
    const result: InspectResult = {
      ...this.resultFrame(m),
      quantilesExact: quantilesAreExact(overall.count[0]),
      overall: { before: summary(overall, 0, {}), after: null, histBefore: oneBin(overall, 0), histAfter: null },
      channel: { before: channels.map((c) => summary(ch, c, {})), after: null, histBefore: channels.map((c) => oneBin(ch, c)), histAfter: null },
      diagnostics: [],
      millis,
    };
    result.diagnostics = diagnose(result);
    return result;
  }

  /** The parts of a result that pass 1 determines, besides the summaries. */
  private resultFrame(m: MomentsPass): Pick<InspectResult, 'shape' | 'dtype' | 'options' | 'channels' | 'batch' | 'normalization' | 'samples'> {
    return {
      shape: [...this.shape],
      dtype: this.dtype,
      options: this.options,
      channels: this.split.channels,
      batch: this.batchAxisDistinct ? this.shape[0] : 1,
      normalization: this.plan ? normalizationSummary(this.plan, m.variances ?? addVariances(noVariances(), GroupMoments.over(this.normGroups(m)), this.options)) : null,
      samples: m.sample && this.rows ? samplePayload(m.sample, this.rows) : null,
    };
  }

  /** The normalization's parameters, when pass 1 kept its groups' moments. */
  private params(m: MomentsPass): NormParams | null {
    return this.plan ? this.plan.params(GroupMoments.over(this.normGroups(m))) : null;
  }

  /** The normalization of chunks of whole spans, when the groups lie within them (localSpan). */
  private chunkNorm(kernels: Kernels | null): ChunkNorm | null {
    return this.localSpan ? new ChunkNorm(this.plan!, this.localMap!, newScratch(this.dtype, kernels), kernels) : null;
  }

  /** `run`, fed chunks of whole spans when the groups are normalized chunk by chunk. */
  private aligned<S>(run: PassRun<S>, kernels: Kernels | null): PassRun<S> {
    return this.localSpan ? spanAligned(run, this.localSpan, this.dtype === 'float32' ? kernels : null) : run;
  }

  /** The moments of the normalization groups, wherever pass 1 keeps them. */
  private normGroups(m: MomentsPass): MomentsState {
    return m.norm ?? m.ch;
  }

  private rawBins(m: MomentsPass, kernels: Kernels | null): BinsRun {
    const ch = GroupMoments.over(m.ch);
    return this.binsOver(rangesOf(ch), ch.count, rangesOf(ch.total())[0], kernels);
  }

  /** x̂'s histograms and quantiles over the ranges in its moments (`after`, merged over the whole tensor). */
  private afterBinsOver(after: MomentsState, kernels: Kernels | null): BinsRun {
    const moments = GroupMoments.over(after);
    return this.binsOver(rangesOf(moments), moments.count, rangesOf(moments.total())[0], kernels);
  }

  /** Histograms and quantiles per channel over `chRanges` and overall over `overall` (default: their envelope). */
  private binsOver(chRanges: [number, number][], counts: ArrayLike<number>, overall: [number, number] | null, kernels: Kernels | null): BinsRun {
    const allRange = overall ?? envelope(chRanges);
    const ch = histogramWithQuantiles(this.channelBins, chRanges, counts, this.channelMap, kernels);
    const all = histogramWithQuantiles(this.bins, [allRange], [sum(counts)], this.allMap, kernels);
    const chTable = ch.onlyTable;
    const allTable = all.onlyTable;
    return {
      add: chTable && allTable
        // one table each: a channel's and the whole tensor's in one sweep
        ? (values, start) => GroupHistograms.addBoth(chTable, allTable, values, start, this.channelMap, this.allMap)
        : (values, start) => {
          ch.add(values, start);
          all.add(values, start);
        },
      state: () => {
        const [chCounts, chQ] = ch.state();
        const [allCounts, allQ] = all.state();
        return { ch: chCounts, all: allCounts, chQ, allQ };
      },
    };
  }

  /** The inverse of binsOver's state: histograms and quantile readers over the same ranges. */
  private readBins(state: BinsState, chRanges: [number, number][], allRange: [number, number]): BinsReader {
    const ch = new GroupHistograms(chRanges.length, this.channelBins, chRanges.map(([lo, hi]) => histogramRange(lo, hi))).merge(state.ch);
    const all = new GroupHistograms(1, this.bins, [histogramRange(allRange[0], allRange[1])]).merge(state.all);
    return {
      ch, all,
      chQuantiles: quantilesFromState(state.chQ, chRanges, this.channelBins),
      allQuantiles: quantilesFromState(state.allQ, [allRange], this.bins),
      exact: state.chQ.kind === 'exact' && state.allQ.kind === 'exact',
    };
  }
}

type BinsRun = PassRun<BinsState>;

interface BinsReader {
  ch: GroupHistograms;
  all: GroupHistograms;
  chQuantiles(g: number): Quantiles;
  allQuantiles(g: number): Quantiles;
  exact: boolean;
}

/** A histogram per group and the groups' quantiles over the same values: what binsOver feeds for one group map. */
interface HistogramWithQuantiles {
  /** The one table `add` fills, when the histogram is summed from the quantiles' fine one. */
  onlyTable: GroupHistograms | null;
  add(values: NumericArray, start: number): void;
  /** The histogram's counts and the quantiles' state, in arrays of their own. */
  state(): [Float64Array, QuantileState];
}

/**
 * `bins` bins per group over `ranges` (widened with histogramRange) and the groups' quantiles. When the quantiles'
 * fine histogram nests in those bins exactly, it is the only table filled and the histogram is summed from it;
 * otherwise one sweep bins into both tables (or, for exact quantiles, keeps the values as well).
 */
function histogramWithQuantiles(bins: number, ranges: [number, number][], counts: ArrayLike<number>, map: GroupMap,
  kernels: Kernels | null): HistogramWithQuantiles {
  const quantiles = new GroupQuantiles(ranges.length, counts, ranges, undefined, kernels, bins);
  const fine = quantiles.fine ?? null;
  if (fine?.nestsExactly && fine.bins === bins * fine.split) {
    return {
      onlyTable: fine,
      add: (values, start) => fine.add(values, start, map),
      state: () => {
        const counts = fine.snapshot();
        return [fine.coarseCounts(counts), { kind: 'fine', counts }];
      },
    };
  }
  const histogram = new GroupHistograms(ranges.length, bins, ranges.map(([lo, hi]) => histogramRange(lo, hi)), kernels);
  return {
    onlyTable: null,
    add: (values, start) => {
      GroupHistograms.addBoth(histogram, fine, values, start, map);
      if (!fine) quantiles.add(values, start, map);
    },
    state: () => [histogram.snapshot(), quantiles.state()],
  };
}

/** `a` with `b`'s counts added into its arrays (no fresh ones: each fresh megabyte costs page faults). */
function mergeBins(a: BinsState, b: BinsState): BinsState {
  const add = (x: Float64Array, y: Float64Array) => {
    for (let i = 0; i < x.length; i++) x[i] += y[i];
    return x;
  };
  const q = (x: QuantileState, y: QuantileState): QuantileState => {
    if (x.kind !== 'fine' || y.kind !== 'fine') throw new Error('exact quantiles need every value in one run: they do not merge');
    return { kind: 'fine', counts: add(x.counts, y.counts) };
  };
  return { ch: add(a.ch, b.ch), all: add(a.all, b.all), chQ: q(a.chQ, b.chQ), allQ: q(a.allQ, b.allQ) };
}

/** A float32 chunk in the kernels' memory (copied once there, for every accumulator of the pass). */
function stage(chunk: NumericArray, kernels: Kernels | null): NumericArray {
  return kernels && chunk instanceof Float32Array ? kernels.stage(chunk) : chunk;
}

/**
 * Pass 1's states of every range, as lists to merge (mergeInto): one list per kind of group, each merging into the
 * first range's arrays (in place, as they may be shared with other threads).
 */
export function momentLists(parts: MomentsPass[]): MomentsState[][] {
  const keys = ['ch', 'norm', 'sample', 'after'] as const;
  return keys.filter((key) => parts[0][key]).map((key) => parts.map((p) => p[key]!));
}

/** Pass 1 over the whole tensor from its ranges' states: the first range's, once momentLists(parts) are merged into it. */
export function joinedMoments(parts: MomentsPass[]): MomentsPass {
  const spreads = parts.map((p) => p.variances);
  return { ...parts[0], variances: spreads[0] && spreads.reduce((a, b) => mergeVariances(a!, b!)) };
}

/**
 * Runs the inspection in this thread, streaming `src` once per pass. The worker pool runs the same passes over
 * ranges in several workers and merges them (momentLists, mergeBinning, mergeAfter; see enginePool.ts). `useKernels`: false
 * keeps to the TypeScript loops, for a thread that must not compile the WebAssembly kernels and reserve their
 * memory (the extension host, inspecting a tiny tensor inline).
 */
export async function inspect(src: ElementSource, options: InspectOptions, control: RunControl = NO_CONTROL,
  useKernels = true): Promise<InspectResult> {
  const t0 = Date.now();
  const plan = new InspectPlan(src.shape, src.dtype, options);
  const kernels = useKernels ? Kernels.create() : null;
  let pass = 0;
  const stream = async <S>(run: PassRun<S>): Promise<S> => {
    let start = 0;
    for await (const chunk of src.chunks()) {
      if (control.isCancelled()) throw new CancelledError();
      run.add(chunk, start);
      start += chunk.length;
      control.progress((pass + (plan.total ? start / plan.total : 1)) / plan.passes);
    }
    pass++;
    return run.state();
  };
  try {
    const m = await stream(plan.moments(kernels));
    const b = await stream(plan.binning(m, kernels));
    const a = plan.needsAfterPass(b) ? await stream(plan.afterBinning(m, b.after!, kernels)) : null;
    control.progress(1);
    return plan.result(m, b, a, Date.now() - t0);
  } finally {
    kernels?.release();
  }
}

function rangesOf(m: MomentsState): [number, number][] {
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

/** numpy's histogram of group g in one bin over its [min, max] (widened as histogramRange does). */
function oneBin(m: GroupMoments, g: number): Histogram {
  return { edges: histogramRange(m.min[g], m.max[g]), counts: [m.count[g]] };
}

function summary(m: GroupMoments, g: number, quantiles: Quantiles): Summary {
  const v = m.variance(g);
  return {
    count: m.count[g],
    elements: m.elements(g),
    mean: m.finiteMean(g),
    var: v,
    var_unbiased: m.unbiasedVariance(g),
    std: Math.sqrt(v),
    min: m.count[g] ? m.min[g] : NaN,
    max: m.count[g] ? m.max[g] : NaN,
    nan: m.nan[g],
    posinf: m.posinf[g],
    neginf: m.neginf[g],
    zeros: m.zeros[g],
    quantiles,
  };
}

function normalizationSummary(plan: NormPlan, v: GroupVariances): InspectResult['normalization'] {
  return { groups: plan.groups, groupSize: plan.groupSize, varMin: v.min, varMax: v.max, epsDominated: v.epsDominated };
}

function noVariances(): GroupVariances {
  return { min: Infinity, max: -Infinity, epsDominated: 0 };
}

/** `into` with the variances of `m`'s groups added. */
function addVariances(into: GroupVariances, m: GroupMoments, o: InspectOptions): GroupVariances {
  const counted = o.op !== 'rmsnorm' && o.op !== 'minmax';
  for (let g = 0; g < m.groups; g++) {
    const v = m.variance(g);
    if (!(v === v)) continue;
    if (v < into.min) into.min = v;
    if (v > into.max) into.max = v;
    if (counted && v < o.eps) into.epsDominated++;
  }
  return into;
}

function mergeVariances(a: GroupVariances, b: GroupVariances): GroupVariances {
  return { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), epsDominated: a.epsDominated + b.epsDominated };
}

/**
 * x̂ of a chunk of whole spans (InspectPlan.localSpan) from its own groups' moments: nothing per group outlives the
 * chunk. `map` numbers the chunk's groups from 0 (groupSpans).
 */
class ChunkNorm {
  private groups: GroupMoments | null = null;

  constructor(private readonly plan: NormPlan, private readonly map: GroupMap, private readonly scratch: Scratch,
    private readonly kernels: Kernels | null) {}

  /** The moments of the chunk's groups, in arrays reused by the next chunk. */
  moments(chunk: NumericArray): GroupMoments {
    const n = groupCount(this.map, chunk.length);
    this.groups = this.groups?.groups === n ? this.groups.clear() : new GroupMoments(n, this.kernels);
    return this.groups.add(chunk, 0, this.map);
  }

  /** The chunk's x̂, in the scratch memory (overwritten by the next chunk). */
  xhat(chunk: NumericArray, groups: GroupMoments): NumericArray {
    return applyPlan(chunk, 0, this.map, this.plan.params(groups), this.scratch, this.kernels);
  }
}

/**
 * `run` fed whole multiples of `span` elements, each starting at a multiple of it: a chunk's tail that ends inside a
 * span is copied to wait for the next chunk's head. A range starts and ends between spans (the tensor is whole spans,
 * and the pool splits at them), so nothing waits at its end. With `kernels` (float32), the waiting values are in
 * their memory, reserved now, while no chunk's view could be detached by it.
 */
function spanAligned<S>(run: PassRun<S>, span: number, kernels: Kernels | null): PassRun<S> {
  const at = kernels ? kernels.alloc(span * 4) : -1;
  let own: NumericArray | null = null;
  const held = (like: NumericArray) => at >= 0 ? kernels!.f32(at, span)
    : own ??= new (like.constructor as new (n: number) => NumericArray)(span);
  let waiting = 0;
  let waitingStart = 0;
  return {
    add: (chunk, start) => {
      let from = 0;
      if (waiting > 0) {
        from = Math.min(span - waiting, chunk.length);
        const buffer = held(chunk);
        buffer.set(chunk.subarray(0, from), waiting);
        waiting += from;
        if (waiting < span) return;
        run.add(buffer, waitingStart);
        waiting = 0;
      }
      const to = from + Math.floor((chunk.length - from) / span) * span;
      if (to > from) run.add(chunk.subarray(from, to), start + from);
      if (to < chunk.length) {
        held(chunk).set(chunk.subarray(to), 0);
        waiting = chunk.length - to;
        waitingStart = start + to;
      }
    },
    state: () => {
      if (waiting) throw new Error(`a range ended ${waiting} elements into a span of ${span}: ranges must split between spans`);
      return run.state();
    },
  };
}

/**
 * How the (sample, channel) moments become at most MAX_SAMPLE_ROWS rows (fewer when there are many channels): rows of
 * `perRow` consecutive samples, each row a group per channel. Pass 1 sums the rows directly, so its state stays
 * O(rows × channels) however many samples there are (a (N, C) table has a sample per row of the table).
 */
interface SampleRows {
  map: GroupMap;
  perRow: number;
  count: number;
  channels: number;
  /** The row group holding (sample, channel) group g. */
  rowOf(g: number): number;
}

function sampleRows(sampleMap: GroupMap, total: number): SampleRows {
  const channels = sampleMap.mod;
  const samples = groupCount(sampleMap, total) / Math.max(1, channels);
  const maxRows = Math.max(1, Math.min(MAX_SAMPLE_ROWS, Math.floor(MAX_SAMPLE_CELLS / Math.max(1, channels))));
  const perRow = Math.max(1, Math.ceil(samples / maxRows));
  const map = { ...sampleMap, block: sampleMap.block! * perRow };
  return {
    map, perRow, channels,
    count: groupCount(map, total),
    rowOf: (g) => Math.floor(g / channels / perRow) * channels + (g % channels),
  };
}

function samplePayload(m: MomentsState, rows: SampleRows): SampleMoments {
  return {
    rows: rows.channels ? m.groups / rows.channels : 0, samplesPerRow: rows.perRow, channels: rows.channels,
    count: Array.from(m.count), mean: Array.from(m.mean), m2: Array.from(m.m2),
  };
}

function sameMap(a: GroupMap, b: GroupMap): boolean {
  return a.run === b.run && a.mod === b.mod && (a.block ?? 0) === (b.block ?? 0);
}

/** The smallest range holding every finite range of `ranges` ([NaN, NaN] when none is finite). */
function envelope(ranges: [number, number][]): [number, number] {
  const finite = ranges.filter(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi));
  return finite.length ? [Math.min(...finite.map((r) => r[0])), Math.max(...finite.map((r) => r[1]))] : [NaN, NaN];
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
