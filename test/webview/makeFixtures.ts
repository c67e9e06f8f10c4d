/**
 * Real engine output for the webview tests: `inspect()` from src/engine run on the sample tensors (and on seeded
 * generated ones where a case needs a shape the samples lack), wrapped in the `init`/`result` messages the host
 * would post. Nothing here is hand-written: the tests compare what the page shows with reference.json, which
 * numpy and torch computed independently.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { InitMessage, SourceInfo, TensorInfo } from '../../src/shared/protocol';
import type { InspectOptions, InspectResult } from '../../src/engine/inspect/types';
import { DEFAULT_INSPECT_OPTIONS } from '../../src/engine/inspect/types';
import { inspect, InspectPlan, type ElementSource } from '../../src/engine/inspect/inspect';
import { entryElements } from '../../src/formats/elementSource';
import { openTensorFile } from '../../src/node/tensorFiles';

export interface Reference {
  bn1: {
    shape: number[]; channel: number; eps: number;
    stats: { mean: number[]; var: number[]; var_unbiased: number[]; std: number[]; min: number[]; max: number[] };
    xhatMean: number[]; xhatStd: number[];
    histogram: { edges: number[]; counts: number[] };
    reluDeadFraction: number;
    reluDeadFractionAfter: number;
    running: { mean: number[]; var: number[] };
    affine: { scale: number[]; bias: number[] };
    shift: number[];
    simulation: { batch: number; pytorch: Track; pytorchCumulative: Track; keras: Track };
    noise: { rows: number; batches: number; meanStd: number; varStd: number }[];
  };
  layernorm: { shape: number[]; eps: number; featureXhatMean: number[]; featureXhatStd: number[]; affine: { scale: number[]; bias: number[] } };
}
interface Track {
  mean: number[];
  var: number[];
}

export interface Fixture {
  init: InitMessage;
  tensor: TensorInfo;
  /** Absent for a file whose init shows the picker. */
  result?: InspectResult;
  /** Pass 1's preview of `result` (InspectPlan.preview), as the host posts it while a large tensor's pass 2 runs. */
  preview?: InspectResult;
}

/** The name of a tensor that would run script if it were ever treated as markup. */
export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';

export function loadReference(root: string): Reference {
  return JSON.parse(fs.readFileSync(path.join(root, 'test/webview/fixtures/reference.json'), 'utf8')) as Reference;
}

function init(source: SourceInfo, tensors: TensorInfo[], selected: string | null, options: InspectOptions, debug = false): InitMessage {
  return { type: 'init', source, tensors, layers: [], selected, options, follow: { available: debug, enabled: false } };
}

async function fromFile(root: string, file: string, options: InspectOptions): Promise<Fixture> {
  const full = path.join(root, 'samples', file);
  const opened = await openTensorFile(full);
  try {
    const e = opened.entry;
    const tensor: TensorInfo = { name: '', shape: [...e.shape], dtype: e.dtype, order: e.order, byteLength: e.byteLength };
    const result = await inspect(entryElements(e), options);
    return { init: init({ kind: 'file', label: file, detail: full }, [tensor], '', options), tensor, result, preview: await previewOf(entryElements(e), options) };
  } finally {
    await opened.close();
  }
}

async function fromValues(label: string, shape: number[], data: Float32Array, options: InspectOptions, debug = false): Promise<Fixture> {
  const src: ElementSource = { shape, dtype: 'float32', async *chunks() { yield data; } };
  const tensor: TensorInfo = { name: '', shape, dtype: 'float32', order: 'C', byteLength: data.byteLength };
  const source: SourceInfo = debug ? { kind: 'debug', label, detail: 'Python: train.py' } : { kind: 'file', label, detail: `/generated/${label}` };
  return { init: init(source, [tensor], '', options, debug), tensor, result: await inspect(src, options) };
}

async function previewOf(src: ElementSource, options: InspectOptions): Promise<InspectResult> {
  const plan = new InspectPlan(src.shape, src.dtype, options);
  const run = plan.moments(null);
  let start = 0;
  for await (const chunk of src.chunks()) {
    run.add(chunk, start);
    start += chunk.length;
  }
  return plan.preview(run.state(), 0);
}

/** mulberry32 + Box–Muller: the same values on every run and machine. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** (N, C, H, W) with channel c ~ N(μ_c, σ_c²), μ and σ varying across channels. */
function channelsTensor(shape: [number, number, number, number], seed: number): Float32Array {
  const [n, c, hh, w] = shape;
  const next = gaussian(seed);
  const data = new Float32Array(n * c * hh * w);
  for (let i = 0; i < data.length; i++) {
    const ch = Math.floor(i / (hh * w)) % c;
    data[i] = ((ch % 7) - 3) * 0.5 + (0.5 + (ch % 5) * 0.3) * next();
  }
  return data;
}

export const NON_FINITE = { nan: 3, posinf: 2, neginf: 1 };

/** More channels than one window holds (resultWire.ts), so the page shows them a window at a time. */
export const MANY_CHANNELS = 3000;
/** Channel c of (2, MANY_CHANNELS, 2) holds c, c + 0.25, c + 0.5, c + 0.75: mean c + 0.375, var 0.078125, exactly. */
function manyChannelsTensor(): Float32Array {
  const data = new Float32Array(2 * MANY_CHANNELS * 2);
  for (let i = 0; i < data.length; i++) {
    const n = Math.floor(i / (2 * MANY_CHANNELS));
    const c = Math.floor(i / 2) % MANY_CHANNELS;
    data[i] = c + 0.25 * (2 * n + (i % 2));
  }
  return data;
}

/** Channels per slice: few enough that the engine's per-channel cell budget keeps 100 bins for each. */
const SLICE_CHANNELS = 32;

/**
 * The performance case, 256 channels × 100 bins. The engine bounds channels × bins (256 channels get
 * fewer bins), so the per-channel histograms and statistics come from the engine run on 32-channel slices of the
 * same tensor — for a per-channel operation exactly what a full run with a larger budget returns — and the
 * whole-tensor figures and sample moments from the full run.
 */
async function wideFixture(shape: [number, number, number, number], data: Float32Array, options: InspectOptions): Promise<Fixture> {
  const full = await fromValues('wide_activations.npy', shape, data, options);
  const [n, channels, hh, w] = shape;
  const inner = hh * w;
  const r = full.result!;
  const parts: InspectResult[] = [];
  for (let first = 0; first < channels; first += SLICE_CHANNELS) {
    const slice = new Float32Array(n * SLICE_CHANNELS * inner);
    for (let s = 0; s < n; s++) {
      slice.set(data.subarray((s * channels + first) * inner, (s * channels + first + SLICE_CHANNELS) * inner), s * SLICE_CHANNELS * inner);
    }
    const part = await fromValues('slice', [n, SLICE_CHANNELS, hh, w], slice, { ...options, affine: undefined });
    parts.push(part.result!);
  }
  const join = <T>(pick: (p: InspectResult) => T[] | null): T[] => parts.flatMap((p) => pick(p) ?? []);
  r.channel = {
    before: join((p) => p.channel.before), after: join((p) => p.channel.after),
    histBefore: join((p) => p.channel.histBefore), histAfter: join((p) => p.channel.histAfter),
  };
  return full;
}

export async function makeFixtures(root: string, ref: Reference) {
  const bn: InspectOptions = { ...DEFAULT_INSPECT_OPTIONS };
  const wideShape: [number, number, number, number] = [32, 256, 4, 4];
  const next = gaussian(7);
  const wideAffine = {
    scale: Array.from({ length: 256 }, () => 1 + 0.3 * next()),
    bias: Array.from({ length: 256 }, () => 0.2 * next()),
  };
  const nonFinite = channelsTensor([4, 3, 2, 2], 11);
  // channel 0 gets the NaN, channel 1 the infinities: three of the 48 values are NaN, two +Inf, one -Inf
  [0, 1, 12].forEach((i) => { nonFinite[i] = NaN; });
  [4, 5].forEach((i) => { nonFinite[i] = Infinity; });
  nonFinite[6] = -Infinity;
  const fixtures = {
    bnTrain: await fromFile(root, 'digits_bn1_input.npy', bn),
    bnEval: await fromFile(root, 'digits_bn1_input.npy', { ...bn, mode: 'eval', running: ref.bn1.running, affine: ref.bn1.affine }),
    layerNorm: await fromFile(root, 'digits_ln_input.npy', { ...bn, op: 'layernorm', channelAxis: 1, normalizedDims: 1, affine: ref.layernorm.affine }),
    groupNorm: await fromFile(root, 'digits_bn2_input.npy', { ...bn, op: 'groupnorm', groups: 4 }),
    wide: await wideFixture(wideShape, channelsTensor(wideShape, 3), { ...bn, affine: wideAffine }),
    nonFinite: await fromValues('broken.npy', [4, 3, 2, 2], nonFinite, bn),
    empty: await fromValues('empty.npy', [0, 3, 2, 2], new Float32Array(0), bn),
    debug: await fromValues('activations', [8, 4, 3, 3], channelsTensor([8, 4, 3, 3], 5), bn, true),
    manyChannels: await fromValues('many_channels.npy', [2, MANY_CHANNELS, 2], manyChannelsTensor(), bn),
  };
  const bnTensor = fixtures.bnTrain.tensor;
  const stateDict: Fixture = {
    tensor: bnTensor,
    init: {
      type: 'init',
      source: { kind: 'file', label: 'digits_cnn.safetensors', detail: path.join(root, 'samples/digits_cnn.safetensors') },
      tensors: [
        { name: 'bn1.weight', shape: [16], dtype: 'float32', order: 'C', byteLength: 64 },
        { name: HOSTILE_NAME, shape: [4, 4], dtype: 'float32', order: 'C', byteLength: 64 },
        { name: 'bn1.running_var', shape: [16], dtype: 'float32', order: 'C', byteLength: 64 },
      ],
      layers: [{
        prefix: 'bn1', kind: 'batchnorm', framework: 'pytorch', channels: 16, weight: 'bn1.weight', bias: 'bn1.bias',
        runningMean: 'bn1.running_mean', runningVar: 'bn1.running_var', numBatchesTracked: 'bn1.num_batches_tracked', redundantBias: 'conv1.bias',
      }],
      selected: null,
      options: bn,
      follow: { available: false, enabled: false },
    },
  };
  return { ...fixtures, stateDict };
}

export type Fixtures = Awaited<ReturnType<typeof makeFixtures>>;
