/**
 * Every normalization in the inspector is, per statistics group, the affine map x̂ = (x - shift)·scale + offset
 * (before γ/β). This file says which elements form a group for each operation (a GroupMap over the C-order
 * tensor) and derives shift/scale/offset from the group's moments, validating what the user chose.
 */
import { outputDType, type DType, type NumericArray } from '../dtype';
import { EngineError } from '../errors';
import type { GroupMap, GroupMoments } from '../moments';
import { KERNEL_MIN_RUN, SegmentWalk } from '../segments';
import type { Kernels } from '../wasm/kernels';
import { channelSplit, elementCount, normalizeAxis } from '../tensor';
import type { InspectOptions } from './types';

export interface NormPlan {
  map: GroupMap;
  groups: number;
  groupSize: number;
  /** True when each channel's x̂ is one affine map of its raw values (BatchNorm, z-score, min-max). */
  perChannel: boolean;
  /** Every group's parameters, from the groups' moments. */
  params(moments: GroupMoments): NormParams;
}

export interface NormParams {
  shift: Float64Array;
  scale: Float64Array;
  offset: Float64Array;
}

/** The (sample, channel) groups of a tensor whose axis 0 is the batch: InstanceNorm's groups. */
export function sampleChannelMap(shape: readonly number[], channelAxis: number): GroupMap {
  const { channels, inner } = channelSplit(shape, channelAxis);
  const sample = normalizeAxis(channelAxis, shape.length) === 0 ? elementCount(shape) : elementCount(shape.slice(1));
  return { run: inner, mod: channels, block: Math.max(1, sample) };
}

export function planNormalization(shape: readonly number[], o: InspectOptions): NormPlan | null {
  if (o.op === 'none') return null;
  const total = elementCount(shape);
  const rank = shape.length;
  if (!(o.eps >= 0)) throw new EngineError(`eps must be a non-negative number, got ${o.eps}.`);
  const perChannelOp = o.op === 'batchnorm' || o.op === 'zscore' || o.op === 'minmax';
  if (o.op === 'layernorm' || o.op === 'rmsnorm') {
    if (!Number.isInteger(o.normalizedDims) || o.normalizedDims < 1 || o.normalizedDims > rank) {
      throw new EngineError(`normalized_shape must cover 1 to ${rank} trailing axes of shape (${shape.join(', ')}), got ${o.normalizedDims}.`);
    }
    const size = elementCount(shape.slice(rank - o.normalizedDims));
    return {
      map: { run: Math.max(1, size), mod: 0 }, groups: size ? total / size : 0, groupSize: size, perChannel: false,
      params: (m) => o.op === 'layernorm' ? standardize(m, o.eps) : rootMeanSquare(m, o.eps),
    };
  }
  if (rank === 0 || o.channelAxis === null) throw new EngineError(`${o.op} needs a channel axis; choose one for shape (${shape.join(', ')}).`);
  const axis = normalizeAxis(o.channelAxis, rank, 'channel axis');
  const { channels, inner } = channelSplit(shape, axis);
  if (perChannelOp) {
    const groupSize = channels ? total / channels : 0;
    if (o.op === 'batchnorm' && o.mode === 'train' && groupSize <= 1) {
      throw new EngineError(`Expected more than 1 value per channel when training BatchNorm: shape (${shape.join(', ')}) has `
        + `${channels} channels along axis ${axis} and ${groupSize} value per channel. Use eval mode with running statistics, or a larger batch.`);
    }
    // per channel: every range of the tensor holds every channel, so these ignore a window
    const params = o.op === 'minmax' ? (m: GroupMoments) => minMax(m, o.range)
      : o.op === 'zscore' ? (m: GroupMoments) => standardize(m, o.eps)
        : o.mode === 'eval' ? () => runningParams(o, channels) : (m: GroupMoments) => standardize(m, o.eps);
    return { map: { run: Math.max(1, inner), mod: channels }, groups: channels, groupSize, perChannel: true, params };
  }
  const map = sampleChannelMap(shape, axis);
  const samples = map.block ? total / map.block : 1;
  if (o.op === 'instancenorm') {
    const groupSize = channels ? total / (samples * channels) : 0;
    // as torch.nn.functional.instance_norm refuses it; here it would also mean a group per element
    if (groupSize === 1) {
      throw new EngineError(`Expected more than 1 spatial element for InstanceNorm: shape (${shape.join(', ')}) has one value per `
        + `(sample, channel) with channel axis ${axis}. Use LayerNorm or BatchNorm, or pick the channel axis of a tensor with spatial axes.`);
    }
    return { map, groups: samples * channels, groupSize, perChannel: false, params: (m) => standardize(m, o.eps) };
  }
  // groupnorm
  if (!Number.isInteger(o.groups) || o.groups < 1 || channels % o.groups !== 0) {
    throw new EngineError(`GroupNorm: ${o.groups} groups do not divide ${channels} channels (axis ${axis} of shape (${shape.join(', ')})).`);
  }
  const perGroup = channels / o.groups;
  return {
    map: { run: Math.max(1, inner * perGroup), mod: o.groups, block: map.block },
    groups: samples * o.groups, groupSize: samples ? total / (samples * o.groups) : 0, perChannel: false,
    params: (m) => standardize(m, o.eps),
  };
}

/**
 * Spans of `span` elements, from the tensor's start, that hold whole normalization groups, and `map` numbering
 * those groups consecutively from any span boundary taken as element 0: a chunk of whole spans can be normalized
 * alone. LayerNorm's rows; the groups themselves when they are contiguous (GroupNorm, InstanceNorm of channels-first
 * tensors); else a sample's groups. Null when the groups are channels, which every range of the tensor crosses.
 */
export function groupSpans(plan: NormPlan): { span: number; map: GroupMap } | null {
  const { map } = plan;
  if (plan.perChannel) return null;
  if (!map.mod) return { span: map.run, map };
  // a sample made of its groups one after the other: group k is elements k·run .. (k+1)·run - 1
  if (map.block === map.mod * map.run) return { span: map.run, map: { run: map.run, mod: 0 } };
  return { span: map.block!, map };
}

/** (x - μ)/sqrt(σ² + eps) with IEEE propagation: a group holding NaN or ±Inf normalizes to NaN, as frameworks do. */
function standardize(m: GroupMoments, eps: number): NormParams {
  const p = emptyParams(m.groups);
  for (let g = 0; g < m.groups; g++) {
    p.shift[g] = m.ieeeMean(g);
    p.scale[g] = 1 / Math.sqrt(m.ieeeVariance(g) + eps);
  }
  return p;
}

function rootMeanSquare(m: GroupMoments, eps: number): NormParams {
  const p = emptyParams(m.groups);
  for (let g = 0; g < m.groups; g++) p.scale[g] = 1 / Math.sqrt(m.ieeeMeanSquare(g) + eps);
  return p;
}

function minMax(m: GroupMoments, [a, b]: [number, number]): NormParams {
  if (!(a < b)) throw new EngineError(`min-max range must have a < b, got [${a}, ${b}].`);
  const p = emptyParams(m.groups);
  for (let g = 0; g < m.groups; g++) {
    const [lo, hi] = m.ieeeRange(g);
    p.shift[g] = lo;
    // a constant feature maps to a (the diagnostics say so), rather than dividing by zero
    p.scale[g] = hi === lo ? 0 : (b - a) / (hi - lo);
    p.offset[g] = a;
  }
  return p;
}

function runningParams(o: InspectOptions, channels: number): NormParams {
  const r = o.running;
  if (!r) throw new EngineError('BatchNorm eval mode needs running_mean and running_var: open the layer from a state dict, or use train mode.');
  if (r.mean.length !== channels || r.var.length !== channels) {
    throw new EngineError(`running statistics have ${r.mean.length} means and ${r.var.length} variances for ${channels} channels.`);
  }
  const p = emptyParams(channels);
  for (let c = 0; c < channels; c++) {
    if (r.var[c] < 0) throw new EngineError(`running_var is negative (${r.var[c]}) at channel ${c}: a variance cannot be negative.`);
    p.shift[c] = r.mean[c];
    p.scale[c] = 1 / Math.sqrt(r.var[c] + o.eps);
  }
  return p;
}

function emptyParams(groups: number): NormParams {
  return { shift: new Float64Array(groups), scale: new Float64Array(groups), offset: new Float64Array(groups) };
}

/**
 * Where x̂ of a chunk is written, in the operation's output dtype so that its statistics are those of what the
 * framework returns. float32 x̂ lives in the kernels' memory when there are kernels, so it feeds them without a
 * copy; since that memory may grow (detaching views), a view is taken per chunk.
 */
export class Scratch {
  private array: NumericArray | null = null;
  private ptr = -1;
  private size = 0;

  constructor(private readonly dtype: 'float32' | 'float64', private readonly kernels: Kernels | null) {}

  view(n: number): NumericArray {
    if (this.dtype === 'float32' && this.kernels) {
      if (this.size < n) {
        this.ptr = this.kernels.alloc(n * 4);
        this.size = n;
      }
      return this.kernels.f32(this.ptr, n);
    }
    if (!this.array || this.array.length < n) this.array = this.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
    return this.array.subarray(0, n);
  }
}

export function newScratch(dtype: DType, kernels: Kernels | null = null): Scratch {
  return new Scratch(outputDType(dtype), kernels);
}

/**
 * x̂ for one chunk (elements start .. start + chunk.length - 1), in `scratch`'s memory (overwritten by the next
 * chunk).
 */
export function applyPlan(chunk: NumericArray, start: number, map: GroupMap, p: NormParams, scratch: Scratch,
  kernels: Kernels | null = null): NumericArray {
  // staging first: it may grow the memory the output view lives in
  const input = kernels && chunk instanceof Float32Array ? kernels.stage(chunk) : chunk;
  const out = scratch.view(chunk.length);
  mapGroups(input, out, start, map, p, kernels);
  return out;
}

/**
 * out[j] = (input[j] - shift[g])·scale[g] + offset[g] for each element's group g under `map`; `out` may be
 * `input`. Float32 in and out, both in the kernels' memory, go through the WebAssembly `apply`: the same values
 * bit for bit.
 */
export function mapGroups(input: NumericArray, out: NumericArray, start: number, map: GroupMap, p: NormParams,
  kernels: Kernels | null): void {
  const outAt = kernels && out instanceof Float32Array ? kernels.addressOf(out) : -1;
  const inAt = outAt >= 0 && input instanceof Float32Array ? kernels!.addressOf(input) : -1;
  if (map.run < KERNEL_MIN_RUN && map.mod > 1) {
    mapShortRuns(input, out, start, map, p, map.run === 1 && inAt >= 0
      ? (from, rows, first) => kernels!.applyRows(inAt + from * 4, outAt + from * 4, rows, map.mod, p, first) : undefined);
    return;
  }
  for (const s = new SegmentWalk(map, start, input.length); s.next();) {
    const shift = p.shift[s.group];
    const scale = p.scale[s.group];
    const offset = p.offset[s.group];
    if (inAt >= 0 && s.to - s.from >= KERNEL_MIN_RUN) {
      kernels!.apply(inAt + s.from * 4, outAt + s.from * 4, s.to - s.from, shift, scale, offset);
    } else {
      for (let j = s.from; j < s.to; j++) out[j] = (input[j] - shift) * scale + offset;
    }
  }
}

/**
 * mapGroups for runs too short for a kernel call (channels-last: one element per channel): one loop over the
 * elements with a cursor over the channels, block by block, instead of a segment per run. With `applyRows` (one
 * element per channel, float32 in the kernels' memory), whole rows go to the kernel, which takes the groups from
 * `first` on; this loop stays the reference.
 */
function mapShortRuns(input: NumericArray, out: NumericArray, start: number, map: GroupMap, p: NormParams,
  applyRows?: (from: number, rows: number, first: number) => void): void {
  const n = input.length;
  const { run, mod } = map;
  const block = map.block ?? Infinity;
  const { shift, scale, offset } = p;
  // elements from .. to - 1, the first at position inRun of its run in channel c (group base + c)
  const loop = (from: number, to: number, base: number, inRun: number, c: number): void => {
    for (let j = from; j < to; j++) {
      const g = base + c;
      out[j] = (input[j] - shift[g]) * scale[g] + offset[g];
      if (++inRun === run) {
        inRun = 0;
        if (++c === mod) c = 0;
      }
    }
  };
  for (let a = 0; a < n;) {
    const e = start + a;
    const b = block === Infinity ? n : Math.min(n, a + block - (e % block));
    const base = block === Infinity ? 0 : Math.floor(e / block) * mod;
    const c = Math.floor(e / run) % mod;
    if (applyRows) {
      // the partial row up to the next row's start, whole rows, then what is left of the block
      const head = Math.min(b, a + ((mod - c) % mod));
      loop(a, head, base, 0, c);
      const rows = Math.floor((b - head) / mod);
      applyRows(head, rows, base);
      loop(head + rows * mod, b, base, 0, 0);
    } else {
      loop(a, b, base, e % run, c);
    }
    a = b;
  }
}
