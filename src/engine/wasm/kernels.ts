/**
 * One run's WebAssembly kernels and the memory they work in. A run (an inspect or normalize job) takes its own
 * instance, so concurrent runs never share memory, and releases it when done for the next run to reuse. Float32 chunks that
 * already live in this memory (a worker reads file bytes straight into it) are used in place; others are staged
 * once per chunk. Everything here has a TypeScript twin that stays the reference (see kernelModule.ts).
 */
import type { NormParams } from '../inspect/normPlan';
import type { GroupMap } from '../moments';
import { RegroupedChunk } from '../segments';
import { kernelModuleBytes } from './kernelBytes';
import { F32_MAX_BINS, OUT, OUT_BYTES, RESERVED_BYTES } from './kernelLayout';

const PAGE = 65536;
/**
 * Pages reserved up front (256 MiB of address space; the OS backs only what is touched). Growing the memory
 * detaches every view of it, chunks included, so a run's allocations must fit before it streams: histogram
 * tables are bounded (quantiles.ts, inspect.ts) and chunk buffers are a few MiB.
 */
const INITIAL_PAGES = 4096;

let compiled: WebAssembly.Module | null | undefined;
let enabled = true;
/** Released instances, reused: first touches of fresh memory cost page faults (tens of ms per 8 MiB in a VM). */
const idle: Kernels[] = [];
/** Instances that touched more than this are dropped on release rather than kept. */
const KEEP_BYTES = 64 << 20;

/** Turns the WebAssembly kernels on or off for runs started afterwards (tests and the benchmark compare both). */
export function setWasmKernels(on: boolean): void {
  enabled = on;
}

function compiledModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  const bytes = kernelModuleBytes();
  // a runtime without fixed-width SIMD rejects the module: the TypeScript loops then do all the work
  compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  return compiled;
}

interface Exports {
  moments(ptr: number, n: number, shift: number): void;
  apply(src: number, dst: number, n: number, shift: number, scale: number, offset: number): void;
  applyRows(src: number, dst: number, rows: number, mod: number, params: number): void;
  transpose(src: number, rows: number, mod: number, cursors: number): void;
  histogram(ptr: number, n: number, lo: number, hi: number, norm: number, edges: number, counts: number, bins: number): void;
  histogram2(ptr: number, n: number, loA: number, hiA: number, normA: number, edgesA: number, countsA: number, binsA: number,
    loB: number, hiB: number, normB: number, edgesB: number, countsB: number, binsB: number): void;
  histogramF32: Exports['histogram'];
  histogram2F32: Exports['histogram2'];
}

/**
 * One histogram table in the kernels' memory over [lo, hi], for the kernels' histogram functions: `counts` is the
 * address of bins + 1 uint32, the last a discard word, `edges` of bins + 1 float64.
 */
export interface HistogramTable {
  lo: number;
  hi: number;
  norm: number;
  edges: number;
  counts: number;
  bins: number;
}

/**
 * Runs every kernel for a few milliseconds on made-up data and keeps the instance for the next run. A worker does
 * this when it starts, while the user looks at the header: WebAssembly starts in a baseline tier and moves hot
 * functions to the optimizing one only after they ran a while, and fresh memory pages cost a fault on first
 * touch; both would otherwise slow the first tensor's passes several times over.
 */
export function warmUpKernels(rounds = 8, bytes = 4 << 20): void {
  const kernels = Kernels.create();
  if (!kernels) return;
  const n = bytes / 8;
  const src = kernels.alloc(n * 4);
  const dst = kernels.alloc(n * 4);
  const values = kernels.f32(src, n);
  // a period of 1021 values, then copies of it (a JavaScript loop over them all took most of a round)
  for (let i = 0; i < Math.min(n, 1021); i++) values[i] = i / 1021;
  for (let have = 1021; have < n; have *= 2) values.copyWithin(have, 0, Math.min(have, n - have));
  // over [0, 1] the float32 variants bin, over [1/3, 1] (1/3 is no float32) the float64 ones
  const table = (bins: number, lo: number) => {
    const edges = kernels.alloc((bins + 1) * 8);
    kernels.f64(edges, bins + 1).forEach((_, i, e) => { e[i] = lo + (i * (1 - lo)) / bins; });
    return { lo, hi: 1, norm: bins / (1 - lo), edges, counts: kernels.alloc((bins + 1) * 4), bins };
  };
  const pairs = [0, 1 / 3].map((lo) => [table(100, lo), table(1024, lo)]);
  for (let round = 0; round < rounds; round++) {
    for (let at = 0; at < n; at += 4096) {
      const len = Math.min(4096, n - at);
      kernels.moments(src + at * 4, len, 0.5);
      kernels.apply(src + at * 4, dst + at * 4, len, 0.5, 2, 0);
      for (const [coarse, fine] of pairs) {
        kernels.histogram(src + at * 4, len, coarse, fine);
        kernels.histogram(src + at * 4, len, fine);
      }
    }
  }
  kernels.release();
}

/** Whether the kernels may find a table's bins in float32 arithmetic (kernelModule.ts, the F32 histograms). */
function binsInFloat32(t: HistogramTable): boolean {
  const norm = Math.fround(t.norm);
  return Math.fround(t.lo) === t.lo && Math.fround(t.hi) === t.hi && t.bins <= F32_MAX_BINS && norm > 0 && norm < Infinity;
}

/** Shifted sums of a float32 segment, as kernelModule's `moments` leaves them. */
export interface SegmentSums {
  s: number;
  q: number;
  lo: number;
  hi: number;
  zeros: number;
}

export class Kernels {
  private readonly memory: WebAssembly.Memory;
  private readonly fn: Exports;
  private top = RESERVED_BYTES;
  private staging = { ptr: 0, bytes: 0 };
  private regrouping = { ptr: 0, bytes: 0 };
  private rowParams = { ptr: 0, bytes: 0 };
  private out: Float64Array;
  /** Set once chunk views exist: from then on the memory must not grow under them. */
  private streaming = false;

  private constructor(module: WebAssembly.Module) {
    this.memory = new WebAssembly.Memory({ initial: INITIAL_PAGES });
    this.fn = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as Exports;
    this.out = new Float64Array(this.memory.buffer, OUT, OUT_BYTES / 8);
  }

  /** An instance for one run (release it at the end), or null when WebAssembly SIMD is unavailable or switched off. */
  static create(): Kernels | null {
    const module = enabled ? compiledModule() : null;
    if (!module) return null;
    return idle.pop() ?? new Kernels(module);
  }

  /** Hands the instance back for reuse; nothing from this run may use it afterwards. */
  release(): void {
    if (this.top > KEEP_BYTES || idle.includes(this)) return;
    this.top = RESERVED_BYTES;
    this.staging = { ptr: 0, bytes: 0 };
    this.regrouping = { ptr: 0, bytes: 0 };
    this.rowParams = { ptr: 0, bytes: 0 };
    this.streaming = false;
    idle.push(this);
  }

  /**
   * Reserves `bytes` (16-byte aligned) and returns their address. Holders of memory keep addresses and take views
   * through f32/f64/u32 when they use them. Growing while chunks stream would detach the chunk in hand: that is a
   * bug, reported as one rather than computing on an empty view.
   */
  alloc(bytes: number): number {
    const ptr = this.top;
    this.top = ptr + Math.ceil(bytes / 16) * 16;
    const have = this.memory.buffer.byteLength;
    if (this.top > have) {
      if (this.streaming) throw new Error(`kernel memory would grow to ${this.top} bytes while chunks are in use`);
      this.memory.grow(Math.ceil((this.top - have) / PAGE));
    }
    return ptr;
  }

  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }

  u32(ptr: number, n: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, ptr, n);
  }

  f64(ptr: number, n: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, n);
  }

  /** A byte view of `bytes` fresh bytes, for a reader to fill in place. */
  bytes(ptr: number, length: number): Uint8Array {
    this.streaming = true;
    return new Uint8Array(this.memory.buffer, ptr, length);
  }

  /** The address of `values` when they are a view of this memory, else -1. */
  addressOf(values: Float32Array): number {
    return values.buffer === this.memory.buffer ? values.byteOffset : -1;
  }

  /** `values` as a view of this memory: itself, or a copy in the staging area (overwritten by the next call). */
  stage(values: Float32Array): Float32Array {
    if (this.addressOf(values) >= 0) return values;
    if (this.staging.bytes < values.byteLength) this.staging = { ptr: this.alloc(values.byteLength), bytes: values.byteLength };
    this.streaming = true;
    const view = this.f32(this.staging.ptr, values.length);
    view.set(values);
    return view;
  }

  /** `values` regrouped (RegroupedChunk) into an area of this memory, overwritten by the next call. */
  regroup(values: Float32Array, start: number, map: GroupMap): RegroupedChunk {
    const length = RegroupedChunk.capacity(map, values.length);
    // the regrouped elements, then the transpose's cursors (a byte address per channel)
    const bytes = (length + map.mod) * 4;
    if (this.regrouping.bytes < bytes) this.regrouping = { ptr: this.alloc(bytes), bytes };
    const out = this.regrouping.ptr;
    const cursors = out + length * 4;
    // a chunk that is not a view of this memory (bytes in memory are read in place) is copied in first: a copy costs
    // a fraction of what the TypeScript loop's regrouping costs over the transpose's
    const staged = this.stage(values);
    const src = staged.byteOffset;
    return RegroupedChunk.of(staged, start, map, this.f32(out, length), (from, rows, cursor) => {
      const at = new Int32Array(this.memory.buffer, cursors, cursor.length);
      for (let c = 0; c < cursor.length; c++) at[c] = out + cursor[c] * 4;
      this.fn.transpose(src + from * 4, rows, cursor.length, cursors);
    });
  }

  moments(ptr: number, n: number, shift: number): SegmentSums {
    this.fn.moments(ptr, n, shift);
    let out = this.out;
    if (out.buffer !== this.memory.buffer) out = this.out = new Float64Array(this.memory.buffer, OUT, OUT_BYTES / 8);
    return { s: out[0], q: out[1], lo: out[2], hi: out[3], zeros: out[4] };
  }

  apply(src: number, dst: number, n: number, shift: number, scale: number, offset: number): void {
    this.fn.apply(src, dst, n, shift, scale, offset);
  }

  /**
   * `apply` over `rows` whole rows of `mod` channels at src (float32, channels last) into dst, channel c with
   * shift[first + c], scale[first + c] and offset[first + c].
   */
  applyRows(src: number, dst: number, rows: number, mod: number, p: NormParams, first: number): void {
    const bytes = 24 * mod;
    if (this.rowParams.bytes < bytes) this.rowParams = { ptr: this.alloc(bytes), bytes };
    const at = this.f64(this.rowParams.ptr, 3 * mod);
    at.set(p.shift.subarray(first, first + mod), 0);
    at.set(p.scale.subarray(first, first + mod), mod);
    at.set(p.offset.subarray(first, first + mod), 2 * mod);
    this.fn.applyRows(src, dst, rows, mod, this.rowParams.ptr);
  }

  /** Bins n float32 at ptr into `a`, and into `b` too when given. */
  histogram(ptr: number, n: number, a: HistogramTable, b?: HistogramTable): void {
    const single = binsInFloat32(a) && (!b || binsInFloat32(b));
    if (b) {
      const both = single ? this.fn.histogram2F32 : this.fn.histogram2;
      both(ptr, n, a.lo, a.hi, a.norm, a.edges, a.counts, a.bins, b.lo, b.hi, b.norm, b.edges, b.counts, b.bins);
    } else {
      (single ? this.fn.histogramF32 : this.fn.histogram)(ptr, n, a.lo, a.hi, a.norm, a.edges, a.counts, a.bins);
    }
  }
}
