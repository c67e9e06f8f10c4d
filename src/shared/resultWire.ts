/**
 * How an InspectResult travels to the webview, so that the message stays under 1 MB whatever the tensor:
 * - a window of at most MAX_WINDOW_CHANNELS channels is sent (the host keeps the whole result and sends another
 *   window when the page asks), with every per-channel array of options (γ/β, running statistics) cut to it;
 * - per-channel figures travel as one Float64Array per field. VS Code sends typed arrays as binary buffers, not
 *   JSON, so each number costs 8 bytes instead of ~20 characters, and NaN/±Inf arrive as themselves.
 * `decodeResult` rebuilds the InspectResult the page works with, indexed from 0 within the window.
 */
import type { Histogram } from '../engine/histogram';
import type { Diagnostic, InspectOptions, InspectResult, SampleMoments, Summary } from '../engine/inspect/types';
import type { Quantiles } from '../engine/quantiles';

/** Channels sent at once: ~300 bytes each with their histograms, so a window stays far below 1 MB. */
export const MAX_WINDOW_CHANNELS = 1024;

/** The channels a webview shows: [start, start + count) of `total`. */
export interface ChannelWindow {
  start: number;
  count: number;
  total: number;
}

/** A Summary's numeric fields, in the order columns and exports list them (quantiles follow, one per percent). */
export const SUMMARY_FIELDS = ['count', 'elements', 'mean', 'var', 'var_unbiased', 'std', 'min', 'max', 'nan', 'posinf', 'neginf', 'zeros'] as const;

export interface SummaryColumns {
  /** One column per SUMMARY_FIELDS entry. */
  fields: Float64Array[];
  quantileKeys: string[];
  quantiles: Float64Array[];
}

/** Channel c's histogram is edges[edgeAt[c] .. edgeAt[c + 1]) and the counts between (one fewer). */
export interface HistogramColumns {
  edgeAt: Float64Array;
  edges: Float64Array;
  counts: Float64Array;
}

export interface WireSamples {
  rows: number;
  samplesPerRow: number;
  count: Float64Array;
  mean: Float64Array;
  m2: Float64Array;
}

export interface WireResult {
  window: ChannelWindow;
  shape: number[];
  dtype: InspectResult['dtype'];
  options: InspectOptions;
  batch: number;
  quantilesExact: boolean;
  overall: InspectResult['overall'];
  channel: { before: SummaryColumns; after: SummaryColumns | null; histBefore: HistogramColumns; histAfter: HistogramColumns | null };
  normalization: InspectResult['normalization'];
  samples: WireSamples | null;
  diagnostics: Diagnostic[];
  millis: number;
}

/** The window starting at (or as near as possible to) `start`, clamped to the channels there are. */
export function channelWindow(total: number, start: number): ChannelWindow {
  const count = Math.min(total, MAX_WINDOW_CHANNELS);
  const from = Math.max(0, Math.min(Math.floor(Number.isFinite(start) ? start : 0), total - count));
  return { start: from, count, total };
}

/** `options` with each per-channel array (of `total` values) cut to the window. */
export function windowOptions(options: InspectOptions, w: ChannelWindow): InspectOptions {
  const cut = (a: number[]) => (a.length === w.total ? a.slice(w.start, w.start + w.count) : a);
  const out: InspectOptions = { ...options };
  if (options.affine) out.affine = { scale: cut(options.affine.scale), bias: cut(options.affine.bias) };
  if (options.running) out.running = { mean: cut(options.running.mean), var: cut(options.running.var) };
  return out;
}

/**
 * The inverse of windowOptions for options the page sends back: its per-channel arrays hold the window's
 * channels and are written over `full`'s (the options the window was cut from); the channels outside keep
 * `full`'s values, or γ = 1, β = 0 where `full` had none. Arrays of any other length are taken as they are.
 */
export function unwindowOptions(options: InspectOptions, full: InspectOptions | undefined, w: ChannelWindow): InspectOptions {
  if (w.count === w.total) return options;
  const paste = (part: number[], whole: number[] | undefined, fill: number): number[] => {
    if (part.length !== w.count) return part;
    const out = whole?.length === w.total ? [...whole] : new Array<number>(w.total).fill(fill);
    for (let i = 0; i < part.length; i++) out[w.start + i] = part[i];
    return out;
  };
  const out: InspectOptions = { ...options };
  if (options.affine) out.affine = { scale: paste(options.affine.scale, full?.affine?.scale, 1), bias: paste(options.affine.bias, full?.affine?.bias, 0) };
  if (options.running) {
    if (!full?.running || options.running.mean.length !== w.count) out.running = options.running;
    else out.running = { mean: paste(options.running.mean, full.running.mean, NaN), var: paste(options.running.var, full.running.var, NaN) };
  }
  return out;
}

export function encodeResult(r: InspectResult, w: ChannelWindow): WireResult {
  const inWindow = (c: number | undefined) => c !== undefined && c >= w.start && c < w.start + w.count;
  return {
    window: w,
    shape: r.shape,
    dtype: r.dtype,
    options: windowOptions(r.options, w),
    batch: r.batch,
    quantilesExact: r.quantilesExact,
    overall: r.overall,
    channel: {
      before: summaryColumns(r.channel.before, w),
      after: r.channel.after && summaryColumns(r.channel.after, w),
      histBefore: histogramColumns(r.channel.histBefore, w),
      histAfter: r.channel.histAfter && histogramColumns(r.channel.histAfter, w),
    },
    normalization: r.normalization,
    samples: r.samples && wireSamples(r.samples, w),
    // a finding about a channel outside the window keeps its text (which names the channel) but no link
    diagnostics: r.diagnostics.map(({ channel, ...d }) => (inWindow(channel) ? { ...d, channel: channel! - w.start } : d)),
    millis: r.millis,
  };
}

/** The page's view of a WireResult: an InspectResult over the window's channels, numbered from 0. */
export function decodeResult(m: WireResult): InspectResult {
  const w = m.window;
  return {
    shape: m.shape,
    dtype: m.dtype,
    options: m.options,
    channels: w.count,
    batch: m.batch,
    quantilesExact: m.quantilesExact,
    overall: m.overall,
    channel: {
      before: summaries(m.channel.before, w.count),
      after: m.channel.after && summaries(m.channel.after, w.count),
      histBefore: histograms(m.channel.histBefore, w.count),
      histAfter: m.channel.histAfter && histograms(m.channel.histAfter, w.count),
    },
    normalization: m.normalization,
    samples: m.samples && {
      rows: m.samples.rows, samplesPerRow: m.samples.samplesPerRow, channels: w.count,
      count: Array.from(m.samples.count), mean: Array.from(m.samples.mean), m2: Array.from(m.samples.m2),
    },
    diagnostics: m.diagnostics,
    millis: m.millis,
  };
}

/**
 * The bytes VS Code moves for `message`: its JSON with typed arrays replaced by references, plus each distinct
 * ArrayBuffer behind them (whole: a view of a larger buffer sends all of it).
 */
export function payloadBytes(message: unknown): number {
  const buffers = new Set<ArrayBufferLike>();
  const json = JSON.stringify(message, (_key, v: unknown) => {
    if (!ArrayBuffer.isView(v)) return v;
    buffers.add(v.buffer);
    return { $$vscode_array_buffer_reference$$: true, index: buffers.size - 1, view: { type: 0, byteLength: v.byteLength, byteOffset: v.byteOffset } };
  });
  let bytes = json.length;
  for (const b of buffers) bytes += b.byteLength;
  return bytes;
}

function summaryColumns(all: Summary[], w: ChannelWindow): SummaryColumns {
  const part = all.slice(w.start, w.start + w.count);
  const quantileKeys = Object.keys(part[0]?.quantiles ?? {});
  return {
    fields: SUMMARY_FIELDS.map((f) => Float64Array.from(part, (s) => s[f])),
    quantileKeys,
    quantiles: quantileKeys.map((k) => Float64Array.from(part, (s) => s.quantiles[k] ?? NaN)),
  };
}

function summaries(cols: SummaryColumns, count: number): Summary[] {
  return Array.from({ length: count }, (_, c) => {
    const quantiles: Quantiles = {};
    cols.quantileKeys.forEach((k, i) => { quantiles[k] = cols.quantiles[i][c]; });
    const s = { quantiles } as Summary;
    SUMMARY_FIELDS.forEach((f, i) => { s[f] = cols.fields[i][c]; });
    return s;
  });
}

function histogramColumns(all: Histogram[], w: ChannelWindow): HistogramColumns {
  const part = all.slice(w.start, w.start + w.count);
  const edgeAt = new Float64Array(part.length + 1);
  part.forEach((h, c) => { edgeAt[c + 1] = edgeAt[c] + h.edges.length; });
  const edges = new Float64Array(edgeAt[part.length]);
  const counts = new Float64Array(Math.max(0, edges.length - part.length));
  part.forEach((h, c) => {
    edges.set(h.edges, edgeAt[c]);
    counts.set(h.counts, edgeAt[c] - c);
  });
  return { edgeAt, edges, counts };
}

function histograms(cols: HistogramColumns, count: number): Histogram[] {
  return Array.from({ length: count }, (_, c) => {
    const from = cols.edgeAt[c];
    const to = cols.edgeAt[c + 1];
    return { edges: numbers(cols.edges, from, to), counts: numbers(cols.counts, from - c, to - c - 1) };
  });
}

/**
 * a[from .. to - 1] as a plain array. An index loop: Array.from over a typed array's iterator ran unoptimized here
 * (this decodes once per result, in the page), 31 ms for 256 channels' histograms against 4 ms.
 */
function numbers(a: Float64Array, from: number, to: number): number[] {
  const out = new Array<number>(to - from);
  for (let i = from; i < to; i++) out[i - from] = a[i];
  return out;
}

function wireSamples(s: SampleMoments, w: ChannelWindow): WireSamples {
  const cut = (a: number[]) => {
    const out = new Float64Array(s.rows * w.count);
    for (let r = 0; r < s.rows; r++) {
      for (let c = 0; c < w.count; c++) out[r * w.count + c] = a[r * s.channels + w.start + c];
    }
    return out;
  };
  return { rows: s.rows, samplesPerRow: s.samplesPerRow, count: cut(s.count), mean: cut(s.mean), m2: cut(s.m2) };
}
