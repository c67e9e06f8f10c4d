/**
 * The engine's WebAssembly kernels, for float32 data: the inner loops of moments, x̂ and histograms. Each one
 * computes what its TypeScript counterpart computes (moments.ts, normPlan.ts, histogram.ts), in float64:
 * - `moments`: the same shifted sums, only summed in four interleaved float64 lanes instead of one, so s and q
 *   differ from the TypeScript loop by accumulation order only (min, max and the zero count are equal);
 * - `apply` and `histogram(2)`: the same results bit for bit (histograms skip numpy's edge corrections only where
 *   they cannot change a bin).
 * Results of `moments` go to the 8 float64 slots at address 0 (OUT); vector constants to the slots after them.
 */
import { encodeModule, op, type Code, type FunctionDef, type ValType } from './encoder';
import type { HistogramTable } from './kernels';

/** Byte address of the result slots, then of the running kernel's vector constants; allocations start after them. */
export const OUT = 0;
export const OUT_BYTES = 64;
const CONSTANTS = OUT + OUT_BYTES;
const CONSTANT_SLOTS = 16;
export const RESERVED_BYTES = CONSTANTS + 16 * CONSTANT_SLOTS;

const { get, set, tee, i32, f64 } = op;
/** while (ptr + step <= end) { body; ptr += step }, with `ptr` and `end` i32 locals. */
const stepLoop = (ptr: number, end: number, step: number, body: Code): Code => op.block(op.loop(
  get(ptr), i32(step), op.i32Add, get(end), op.i32GtU, op.brIf(1),
  body,
  get(ptr), i32(step), op.i32Add, set(ptr),
  op.br(0),
));

/**
 * Vector constants are stored in a memory slot once per call and loaded where they are used. In a local, a splat is
 * a pure value that TurboFan schedules next to its uses, i.e. inside the loop: it was rebuilt at every step (two to
 * five instructions per constant, seen with node --print-wasm-code), where a load costs one or folds into its user.
 */
const storeConstant = (slot: number, value: Code): Code => [i32(0), value, op.v128Store(CONSTANTS + 16 * slot)];
const constant = (slot: number): Code => [i32(0), op.v128Load(CONSTANTS + 16 * slot)];

// the high two float32 lanes moved to the low two, so promote_low can widen them
const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
// lanes 0-1 of a and lanes 0-1 of b: two demoted halves back into one f32x4
const JOIN_LOW = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/** moments(ptr, n, k): Σ(x-k), Σ(x-k)², min, max, #zeros of n float32 at ptr, assuming all finite. */
function moments(): FunctionDef {
  // params: 0 ptr, 1 n, 2 k; locals:
  const end = 3, end4 = 4, k2 = 5, sA = 6, sB = 7, qA = 8, qB = 9, lo4 = 10, hi4 = 11, z4 = 12, v = 13, d = 14;
  const s = 15, q = 16, lo = 17, hi = 18, zeros = 19, x = 20, dx = 21, zero4 = 22, sC = 23, sD = 24, qC = 25, qD = 26, end8 = 27;
  const accumulate = (widen: Code, sum: number, sq: number): Code => [
    get(v), widen, op.f64x2PromoteLowF32x4, get(k2), op.f64x2Sub, tee(d),
    get(sum), op.f64x2Add, set(sum),
    get(d), get(d), op.f64x2Mul, get(sq), op.f64x2Add, set(sq),
  ];
  /** Four values at ptr + offset into min, max, zeros and the shifted sums of (low, high) lane pairs. */
  const quad = (offset: number, sLow: number, qLow: number, sHigh: number, qHigh: number): Code => [
    get(0), op.v128Load(offset), set(v),
    get(lo4), get(v), op.f32x4Pmin, set(lo4),
    get(hi4), get(v), op.f32x4Pmax, set(hi4),
    get(z4), get(v), get(zero4), op.f32x4Eq, op.i32x4Sub, set(z4),
    accumulate([], sLow, qLow),
    accumulate([get(v), op.i8x16Shuffle(HIGH_HALF)], sHigh, qHigh),
  ];
  const lanes2 = (acc: number): Code => [get(acc), op.f64x2ExtractLane(0), get(acc), op.f64x2ExtractLane(1), op.f64Add];
  // lo = lane < lo ? lane : lo, as the TypeScript loop keeps the first of equal values
  const foldMin = (target: number, vec: number, lane: number, cmp: Code): Code => [
    get(vec), op.f32x4ExtractLane(lane), op.f64PromoteF32, tee(x), get(target), get(x), get(target), ...cmp, op.select, set(target),
  ];
  return {
    name: 'moments',
    params: ['i32', 'i32', 'f64'],
    results: [],
    locals: ['i32', 'i32', 'v128', 'v128', 'v128', 'v128', 'v128', 'v128', 'v128', 'v128', 'v128', 'v128',
      'f64', 'f64', 'f64', 'f64', 'f64', 'f64', 'f64', 'v128', 'v128', 'v128', 'v128', 'v128', 'i32'],
    body: [
      get(0), get(1), i32(2), op.i32Shl, op.i32Add, set(end),
      get(0), get(1), i32(-4), op.i32And, i32(2), op.i32Shl, op.i32Add, set(end4),
      get(2), op.f64x2Splat, set(k2),
      f64(Infinity), op.f32DemoteF64, op.f32x4Splat, set(lo4),
      f64(-Infinity), op.f32DemoteF64, op.f32x4Splat, set(hi4),
      get(0), get(1), i32(-8), op.i32And, i32(2), op.i32Shl, op.i32Add, set(end8),
      // eight values per step in two sets of accumulators (independent addition chains), then four per step
      stepLoop(0, end8, 32, [quad(0, sA, qA, sB, qB), quad(16, sC, qC, sD, qD)]),
      stepLoop(0, end4, 16, quad(0, sA, qA, sB, qB)),
      lanes2(sA), lanes2(sB), op.f64Add, lanes2(sC), lanes2(sD), op.f64Add, op.f64Add, set(s),
      lanes2(qA), lanes2(qB), op.f64Add, lanes2(qC), lanes2(qD), op.f64Add, op.f64Add, set(q),
      get(lo4), op.f32x4ExtractLane(0), op.f64PromoteF32, set(lo),
      get(hi4), op.f32x4ExtractLane(0), op.f64PromoteF32, set(hi),
      [1, 2, 3].map((lane) => [foldMin(lo, lo4, lane, op.f64Lt), foldMin(hi, hi4, lane, op.f64Gt)]),
      get(z4), op.i32x4ExtractLane(0), get(z4), op.i32x4ExtractLane(1), op.i32Add,
      get(z4), op.i32x4ExtractLane(2), op.i32Add, get(z4), op.i32x4ExtractLane(3), op.i32Add, op.f64ConvertI32S, set(zeros),
      stepLoop(0, end, 4, [
        get(0), op.f32Load(), op.f64PromoteF32, tee(x), get(2), op.f64Sub, tee(dx),
        get(s), op.f64Add, set(s),
        get(dx), get(dx), op.f64Mul, get(q), op.f64Add, set(q),
        get(x), get(lo), get(x), get(lo), op.f64Lt, op.select, set(lo),
        get(x), get(hi), get(x), get(hi), op.f64Gt, op.select, set(hi),
        get(zeros), get(x), f64(0), op.f64Eq, op.f64ConvertI32S, op.f64Add, set(zeros),
      ]),
      i32(OUT), get(s), op.f64Store(0),
      i32(OUT), get(q), op.f64Store(8),
      i32(OUT), get(lo), op.f64Store(16),
      i32(OUT), get(hi), op.f64Store(24),
      i32(OUT), get(zeros), op.f64Store(32),
    ],
  };
}

/** apply(src, dst, n, shift, scale, offset): dst[i] = float32((src[i] - shift)·scale + offset); dst may be src. */
function apply(): FunctionDef {
  // params: 0 src, 1 dst, 2 n, 3 shift, 4 scale, 5 offset; locals:
  const end = 6, end4 = 7, sh = 8, sc = 9, of = 10, v = 11;
  const half = (widen: Code): Code => [
    get(v), widen, op.f64x2PromoteLowF32x4, get(sh), op.f64x2Sub, get(sc), op.f64x2Mul, get(of), op.f64x2Add, op.f32x4DemoteF64x2Zero,
  ];
  return {
    name: 'apply',
    params: ['i32', 'i32', 'i32', 'f64', 'f64', 'f64'],
    results: [],
    locals: ['i32', 'i32', 'v128', 'v128', 'v128', 'v128'],
    body: [
      get(0), get(2), i32(2), op.i32Shl, op.i32Add, set(end),
      get(0), get(2), i32(-4), op.i32And, i32(2), op.i32Shl, op.i32Add, set(end4),
      get(3), op.f64x2Splat, set(sh),
      get(4), op.f64x2Splat, set(sc),
      get(5), op.f64x2Splat, set(of),
      stepLoop(0, end4, 16, [
        get(0), op.v128Load(), set(v),
        get(1), half([]), half([get(v), op.i8x16Shuffle(HIGH_HALF)]), op.i8x16Shuffle(JOIN_LOW), op.v128Store(),
        get(1), i32(16), op.i32Add, set(1),
      ]),
      stepLoop(0, end, 4, [
        get(1), get(0), op.f32Load(), op.f64PromoteF32, get(3), op.f64Sub, get(4), op.f64Mul, get(5), op.f64Add, op.f32DemoteF64, op.f32Store(),
        get(1), i32(4), op.i32Add, set(1),
      ]),
    ],
  };
}

/**
 * Locals of one histogram table in the histogram kernels: the local holding each of its parameters (kernels.ts's
 * HistogramTable), and its own bin index and last bin.
 */
type Table = Record<keyof HistogramTable | 'b' | 'last', number>;

/**
 * Code binning x (local `x`) into one table, as numpy does: skipped outside [lo, hi] (and NaN); else
 * b = trunc((x - lo)·norm), and, only near an edge (EDGE_MARGIN) or at the closed last bin, numpy's corrections
 * against the two edges.
 */
function binOne(tb: Table, x: number, t: number, at: number): Code {
  return [
    get(x), get(tb.lo), op.f64Ge, get(x), get(tb.hi), op.f64Le, op.i32And,
    op.if(
      get(x), get(tb.lo), op.f64Sub, get(tb.norm), op.f64Mul, tee(t), op.i32TruncSatF64S, set(tb.b),
      get(t), get(tb.b), op.f64ConvertI32S, op.f64Sub, tee(t), f64(EDGE_MARGIN), op.f64Lt,
      get(t), f64(1 - EDGE_MARGIN), op.f64Gt, op.i32Or,
      op.if(
        get(tb.last), get(tb.b), get(tb.b), get(tb.last), op.i32GtS, op.select, set(tb.b),
        // one bin down if below its left edge, else one up if at or past its right edge
        get(tb.b), get(x), get(tb.edges), get(tb.b), i32(3), op.i32Shl, op.i32Add, op.f64Load(), op.f64Lt, op.i32Sub, set(tb.b),
        get(tb.edges), get(tb.b), i32(3), op.i32Shl, op.i32Add, set(at),
        get(tb.b), get(x), get(at), op.f64Load(8), op.f64Ge, get(tb.b), get(tb.last), op.i32Ne, op.i32And, op.i32Add, set(tb.b),
      ),
      get(tb.counts), get(tb.b), i32(2), op.i32Shl, op.i32Add, tee(at), get(at), op.i32Load(), i32(1), op.i32Add, op.i32Store(),
    ),
  ];
}

/**
 * histogram(ptr, n, lo, hi, norm, edges, counts, bins) bins n float32 at ptr into the uint32 `counts` over the
 * float64 `edges` (bins + 1 of them), as numpy.histogram does; values outside [lo, hi] and NaN are skipped.
 * histogram2 fills two tables, each over its own [lo, hi], in one sweep (a channel's fine histogram and the
 * whole tensor's, or a coarse histogram and its fine quantile histogram). Four values at a time get their bins
 * with SIMD; a group of four holding a value out of a range, NaN, or near an edge of either table goes through the
 * scalar code (binOne) instead. 32-bit counts keep the increment cheap; the caller moves them to float64 before
 * they can overflow.
 * The `F32` variants find the SIMD bins in float32 arithmetic, four lanes per instruction instead of two, for
 * tables whose lo and hi are float32 numbers (the caller checks): x - lo of two float32 is rounded relative to
 * itself, so the bin position (x - lo)·norm is off by at most about 3·2^-24·bins, and F32_EDGE_MARGIN keeps every
 * lane that close to an edge for the exact scalar code.
 */
function histogram(tables: 1 | 2, single: boolean): FunctionDef {
  const params = 2 + 6 * tables;
  // params: 0 ptr, 1 n, then lo, hi, norm, edges, counts, bins per table; locals after them
  const locals: ValType[] = [];
  const declare = (type: ValType): number => params + locals.push(type) - 1;
  const end = declare('i32'), end4 = declare('i32'), q = declare('i32'), qEnd = declare('i32'), at = declare('i32');
  const x = declare('f64'), t = declare('f64');
  const v = declare('v128'), xl = declare('v128'), xh = declare('v128'), dl = declare('v128'), dh = declare('v128');
  const bad = declare('v128'), tl = declare('v128'), th = declare('v128'), bl = declare('v128'), bh = declare('v128');
  let slots = 0;
  /**
   * A vector constant: the float32 variants keep it in a memory slot (storeConstant: their splats take a
   * conversion and a broadcast, the margins more); the float64 ones in a local (a float64 splat is one
   * instruction, cheaper to repeat than to load).
   */
  const vector = (): { readonly use: Code; init(value: Code): Code } => {
    // placed on first use: each variant uses only its own margins (the float64 ones per call, the float32 ones per table)
    let at: number | undefined;
    const place = () => (at ??= single ? slots++ : declare('v128'));
    return single
      ? { get use() { return constant(place()); }, init: (value) => storeConstant(place(), value) }
      : { get use() { return get(place()); }, init: (value) => [value, set(place())] };
  };
  const margin = vector(), top = vector();
  const all = Array.from({ length: tables }, (_, i) => ({
    lo: 2 + 6 * i, hi: 3 + 6 * i, norm: 4 + 6 * i, edges: 5 + 6 * i, counts: 6 + 6 * i, bins: 7 + 6 * i,
    b: declare('i32'), last: declare('i32'), address4: declare('v128'),
    normV: vector(), loV: vector(), hiV: vector(), countsV: vector(), marginV: vector(), topV: vector(),
  }));
  type SimdTable = (typeof all)[number];
  /** The scalar code for the value at address `p`. */
  const scalar = (p: number): Code => [get(p), op.f32Load(), op.f64PromoteF32, set(x), all.map((tb) => binOne(tb, x, t, at))];
  // lanes whose bin position is within the margin of a whole number
  const nearEdge = (tv: number): Code => [get(tv), margin.use, op.f64x2Lt, get(tv), top.use, op.f64x2Gt, op.v128Or];
  const outOfRange = (xv: number, tb: SimdTable): Code => [
    get(xv), tb.loV.use, op.f64x2Ge, get(xv), tb.hiV.use, op.f64x2Le, op.v128And, op.v128Not,
  ];
  /** Bins of the four values in `v` for table `tb` (their counts' addresses into tb.address4), and `bad` lanes. */
  const binsF64 = (tb: SimdTable): Code => [
    get(bad), outOfRange(xl, tb), op.v128Or, outOfRange(xh, tb), op.v128Or, set(bad),
    get(xl), tb.loV.use, op.f64x2Sub, set(dl),
    get(xh), tb.loV.use, op.f64x2Sub, set(dh),
    get(dl), tb.normV.use, op.f64x2Mul, tee(tl), op.i32x4TruncSatF64x2SZero, set(bl),
    get(dh), tb.normV.use, op.f64x2Mul, tee(th), op.i32x4TruncSatF64x2SZero, set(bh),
    get(tl), get(bl), op.f64x2ConvertLowI32x4S, op.f64x2Sub, set(tl),
    get(th), get(bh), op.f64x2ConvertLowI32x4S, op.f64x2Sub, set(th),
    get(bad), nearEdge(tl), op.v128Or, nearEdge(th), op.v128Or, set(bad),
    get(bl), get(bh), op.i8x16Shuffle(JOIN_LOW), i32(2), op.i32x4Shl, tb.countsV.use, op.i32x4Add, set(tb.address4),
  ];
  const binsF32 = (tb: SimdTable): Code => [
    get(bad), get(v), tb.loV.use, op.f32x4Ge, get(v), tb.hiV.use, op.f32x4Le, op.v128And, op.v128Not, op.v128Or, set(bad),
    get(v), tb.loV.use, op.f32x4Sub, tb.normV.use, op.f32x4Mul, tee(tl), op.i32x4TruncSatF32x4S, set(bl),
    get(tl), get(bl), op.f32x4ConvertI32x4S, op.f32x4Sub, set(tl),
    get(bad), get(tl), tb.marginV.use, op.f32x4Lt, op.v128Or, get(tl), tb.topV.use, op.f32x4Gt, op.v128Or, set(bad),
    get(bl), i32(2), op.i32x4Shl, tb.countsV.use, op.i32x4Add, set(tb.address4),
  ];
  const splat = single
    ? (value: Code): Code => [value, op.f32DemoteF64, op.f32x4Splat]
    : (value: Code): Code => [value, op.f64x2Splat];
  const f32Margin = (tb: SimdTable): Code => [get(tb.bins), op.f64ConvertI32S, f64(F32_EDGE_MARGIN), op.f64Mul];
  return {
    name: `histogram${tables === 2 ? '2' : ''}${single ? 'F32' : ''}`,
    params: ['i32', 'i32', ...all.flatMap((): ValType[] => ['f64', 'f64', 'f64', 'i32', 'i32', 'i32'])],
    results: [],
    locals,
    body: [
      get(0), get(1), i32(2), op.i32Shl, op.i32Add, set(end),
      get(0), get(1), i32(-4), op.i32And, i32(2), op.i32Shl, op.i32Add, set(end4),
      all.map((tb) => [
        get(tb.bins), i32(1), op.i32Sub, set(tb.last),
        tb.normV.init(splat(get(tb.norm))), tb.loV.init(splat(get(tb.lo))), tb.hiV.init(splat(get(tb.hi))),
        tb.countsV.init([get(tb.counts), op.i32x4Splat]),
        single ? [tb.marginV.init(splat(f32Margin(tb))), tb.topV.init(splat([f64(1), f32Margin(tb), op.f64Sub]))] : [],
      ]),
      single ? [] : [margin.init([f64(EDGE_MARGIN), op.f64x2Splat]), top.init([f64(1 - EDGE_MARGIN), op.f64x2Splat])],
      stepLoop(0, end4, 16, [
        get(0), op.v128Load(), set(v),
        single ? [] : [
          get(v), op.f64x2PromoteLowF32x4, set(xl),
          get(v), get(v), op.i8x16Shuffle(HIGH_HALF), op.f64x2PromoteLowF32x4, set(xh),
        ],
        i32(0), op.i32x4Splat, set(bad),
        all.map(single ? binsF32 : binsF64),
        get(bad), op.v128AnyTrue,
        op.ifElse(
          [get(0), set(q), get(0), i32(16), op.i32Add, set(qEnd), stepLoop(q, qEnd, 4, scalar(q))],
          all.map((tb) => [0, 1, 2, 3].map((lane) => [
            get(tb.address4), op.i32x4ExtractLane(lane), tee(at), get(at), op.i32Load(), i32(1), op.i32Add, op.i32Store(),
          ])),
        ),
      ]),
      stepLoop(0, end, 4, scalar(0)),
    ],
  };
}

/**
 * Bin positions t = (x - lo)·norm within this distance of a whole number get numpy's edge corrections. The
 * computed t and the edges are both within bins·2^-28 bin widths of exact for float32 data (x - lo is exact in
 * float64, and hi - lo is at least one float32 ulp of the values), so farther from a whole number the bin is
 * already right; 2^-10 leaves a wide margin.
 */
const EDGE_MARGIN = 2 ** -10;
/** The float32 variants' margin per bin of the table: 4·2^-24·bins covers 3·2^-24·bins of rounding and the edges'. */
const F32_EDGE_MARGIN = 2 ** -22;
/** Tables of more bins than this use the float64 variants: the float32 margin would send too many values to the scalar code. */
export const F32_MAX_BINS = 1 << 16;

export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  return encodeModule([moments(), apply(), histogram(1, false), histogram(2, false), histogram(1, true), histogram(2, true)]);
}
