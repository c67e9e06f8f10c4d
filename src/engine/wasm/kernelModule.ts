/**
 * The engine's WebAssembly kernels, for float32 data: the inner loops of moments, x̂, channels-last regrouping and
 * histograms. Each one computes what its TypeScript counterpart computes (moments.ts, normPlan.ts, segments.ts,
 * histogram.ts), in float64:
 * - `moments`: the same shifted sums, only summed in four interleaved float64 lanes instead of one, so s and q
 *   differ from the TypeScript loop by accumulation order only (min, max and the zero count are equal);
 * - `apply`, `applyRows`, `transpose` and `histogram(2)`: the same results bit for bit (histograms skip numpy's
 *   edge corrections only where they cannot change a bin).
 * Results of `moments` go to the 8 float64 slots at address 0 (OUT); vector constants to the slots after them.
 */
import { encodeModule, op, type Code, type FunctionDef, type ValType } from './encoder';
import { CONSTANTS, OUT, SCRATCH } from './kernelLayout';
import type { HistogramTable } from './kernels';

const { get, set, tee, i32, f64 } = op;
/** while (ptr + step <= end) { body; ptr += step }, with `ptr` and `end` i32 locals. */
const stepLoop = (ptr: number, end: number, step: number, body: Code): Code => op.block(op.loop(
  get(ptr), i32(step), op.i32Add, get(end), op.i32GtU, op.brIf(1),
  body,
  get(ptr), i32(step), op.i32Add, set(ptr),
  op.br(0),
));

/** while (!(exit)) { body }: `exit` leaves a condition (i32) on the stack. */
const loopUntil = (exit: Code, body: Code): Code => op.block(op.loop(exit, op.brIf(1), body, op.br(0)));
/** local += n, with `local` an i32 local and `n` code leaving an i32. */
const addTo = (local: number, n: Code): Code => [get(local), n, op.i32Add, set(local)];

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
// the low 32 bits of each 64-bit lane of a, then of b: two float64 halves' results as one i32x4
const JOIN_EVEN = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];

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
 * applyRows(src, dst, rows, mod, params): `apply` for `rows` whole rows of `mod` float32 channels (channels last),
 * channel c with its own shift, scale and offset: the float64 at params + 8c, params + 8(mod + c) and
 * params + 8(2·mod + c). dst[i] = float32((src[i] - shift)·scale + offset), as normPlan.ts's mapShortRuns computes
 * it, bit for bit; dst may be src. Four channels at a time, the channels left over one by one.
 */
function applyRows(): FunctionDef {
  // params: 0 src, 1 dst, 2 rows, 3 mod, 4 params; locals:
  const r = 5, c = 6, q = 7, scales = 8, offsets = 9, v = 10;
  /** Two lanes' (x - shift)·scale + offset, their parameters `at` bytes past channel c's. */
  const half = (widen: Code, at: number): Code => [
    get(v), widen, op.f64x2PromoteLowF32x4,
    get(q), op.v128Load(at), op.f64x2Sub,
    get(q), get(scales), op.i32Add, op.v128Load(at), op.f64x2Mul,
    get(q), get(offsets), op.i32Add, op.v128Load(at), op.f64x2Add,
    op.f32x4DemoteF64x2Zero,
  ];
  return {
    name: 'applyRows',
    params: ['i32', 'i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: ['i32', 'i32', 'i32', 'i32', 'i32', 'v128'],
    body: [
      get(3), i32(3), op.i32Shl, set(scales),
      get(3), i32(4), op.i32Shl, set(offsets),
      loopUntil([get(r), get(2), op.i32GeS], [
        get(4), set(q), i32(0), set(c),
        loopUntil([get(c), i32(4), op.i32Add, get(3), op.i32GtS], [
          get(0), op.v128Load(), set(v),
          get(1), half([], 0), half([get(v), op.i8x16Shuffle(HIGH_HALF)], 16), op.i8x16Shuffle(JOIN_LOW), op.v128Store(),
          addTo(c, i32(4)), addTo(q, i32(32)), addTo(0, i32(16)), addTo(1, i32(16)),
        ]),
        loopUntil([get(c), get(3), op.i32GeS], [
          get(1),
          get(0), op.f32Load(), op.f64PromoteF32, get(q), op.f64Load(), op.f64Sub,
          get(q), get(scales), op.i32Add, op.f64Load(), op.f64Mul,
          get(q), get(offsets), op.i32Add, op.f64Load(), op.f64Add,
          op.f32DemoteF64, op.f32Store(),
          addTo(c, i32(1)), addTo(q, i32(8)), addTo(0, i32(4)), addTo(1, i32(4)),
        ]),
        addTo(r, i32(1)),
      ]),
    ],
  };
}

// the 4×4 transpose's shuffles (lanes of four bytes): [a0 b0 a1 b1] and [a2 b2 a3 b3] of rows a and b, then the low
// halves of two such pairs ([a0 b0 c0 d0]: the first channel's four rows) and their high halves
const LANES_01 = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23];
const LANES_23 = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31];
const LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const HIGH_HALVES = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];

/**
 * transpose(src, rows, mod, cursors): `rows` whole rows of `mod` 32-bit elements at src, each channel's (column's)
 * elements written one after the other from the byte address cursors[c] (an int32 per channel) on: what
 * segments.ts's RegroupedChunk.of does for whole rows (the bits are moved, never read as numbers; the TypeScript
 * loop may quiet a signaling NaN). Four rows by four channels at a time with SIMD shuffles, then the channels and
 * rows left over one by one. The TypeScript loop took about 1.4 ns per element, the float32 work after it 0.3.
 */
function transpose(): FunctionDef {
  // params: 0 src, 1 rows, 2 mod, 3 cursors; locals:
  const r = 4, c = 5, p = 6, rowBytes = 7, off = 8, rowPtr = 9, dst = 10, a = 11, b = 12, cc = 13, d = 14, lo = 15, hi = 16;
  const rowAt = (k: number): Code => k === 0 ? get(p) : [get(p), get(rowBytes), ...(k > 1 ? [i32(k), op.i32Mul] : []), op.i32Add];
  /** The address channel c + lane's next element goes to in this row group. */
  const target = (lane: number): Code => [get(3), get(c), i32(2), op.i32Shl, op.i32Add, op.i32Load(4 * lane), get(off), op.i32Add];
  /** channel c's element of row k (of this row group) from the row at p, to its place. */
  const moveOne = (k: number): Code => [get(dst), rowAt(k), op.i32Load(), op.i32Store(4 * k)];
  return {
    name: 'transpose',
    params: ['i32', 'i32', 'i32', 'i32'],
    results: [],
    locals: ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'v128', 'v128', 'v128', 'v128', 'v128', 'v128'],
    body: [
      get(2), i32(2), op.i32Shl, set(rowBytes),
      get(0), set(rowPtr),
      loopUntil([get(r), i32(4), op.i32Add, get(1), op.i32GtS], [
        get(rowPtr), set(p), i32(0), set(c),
        loopUntil([get(c), i32(4), op.i32Add, get(2), op.i32GtS], [
          rowAt(0), op.v128Load(), set(a), rowAt(1), op.v128Load(), set(b),
          rowAt(2), op.v128Load(), set(cc), rowAt(3), op.v128Load(), set(d),
          get(a), get(b), op.i8x16Shuffle(LANES_01), set(lo), get(cc), get(d), op.i8x16Shuffle(LANES_01), set(hi),
          target(0), get(lo), get(hi), op.i8x16Shuffle(LOW_HALVES), op.v128Store(),
          target(1), get(lo), get(hi), op.i8x16Shuffle(HIGH_HALVES), op.v128Store(),
          get(a), get(b), op.i8x16Shuffle(LANES_23), set(lo), get(cc), get(d), op.i8x16Shuffle(LANES_23), set(hi),
          target(2), get(lo), get(hi), op.i8x16Shuffle(LOW_HALVES), op.v128Store(),
          target(3), get(lo), get(hi), op.i8x16Shuffle(HIGH_HALVES), op.v128Store(),
          addTo(c, i32(4)), addTo(p, i32(16)),
        ]),
        loopUntil([get(c), get(2), op.i32GeS], [
          target(0), set(dst), moveOne(0), moveOne(1), moveOne(2), moveOne(3),
          addTo(c, i32(1)), addTo(p, i32(4)),
        ]),
        addTo(r, i32(4)), addTo(off, i32(16)), addTo(rowPtr, [get(rowBytes), i32(2), op.i32Shl]),
      ]),
      loopUntil([get(r), get(1), op.i32GeS], [
        get(rowPtr), set(p), i32(0), set(c),
        loopUntil([get(c), get(2), op.i32GeS], [
          target(0), set(dst), moveOne(0),
          addTo(c, i32(1)), addTo(p, i32(4)),
        ]),
        addTo(r, i32(1)), addTo(off, i32(4)), addTo(rowPtr, get(rowBytes)),
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
 * `counts` has bins + 1 words: the last is a discard word, which the SIMD code counts values outside the table in.
 * histogram2 fills two tables, each over its own [lo, hi], in one sweep (a channel's fine histogram and the
 * whole tensor's, or a coarse histogram and its fine quantile histogram). 32-bit counts keep the increment cheap;
 * the caller moves them to float64 before they can overflow.
 *
 * Four values at a time get their bins with SIMD and no branch: the bin position t = (x - lo)·norm, its floor fl
 * (as a byte offset clamped to the discard word), and whether t is within a margin of a whole number (an edge, where
 * numpy's corrections may move the value) or not a number. All four lanes are counted; lanes near an edge in either
 * table (rare in real data) are then taken back and binned by the exact scalar code (binOne), except those exactly
 * at a table's lo, whose bin 0 was right: repeated minima (the zeros of ReLU outputs, padding) stay on the SIMD path.
 * The `F32` variants find the bins in float32 arithmetic, four lanes per instruction instead of two, for tables
 * whose lo and hi are float32 numbers (the caller checks): x - lo of two float32 is rounded relative to itself, so
 * the bin position is off by at most about 3·2^-24·bins, and F32_EDGE_MARGIN keeps every lane that close to an edge
 * for the exact scalar code.
 */
function histogram(tables: 1 | 2, single: boolean): FunctionDef {
  const params = 2 + 6 * tables;
  // params: 0 ptr, 1 n, then lo, hi, norm, edges, counts, bins per table; locals after them
  const locals: ValType[] = [];
  const declare = (type: ValType): number => params + locals.push(type) - 1;
  const end = declare('i32'), end4 = declare('i32'), end8 = declare('i32'), q = declare('i32'), at = declare('i32');
  const pair = declare('i64'), x = declare('f64'), t = declare('f64');
  const v = declare('v128'), xl = declare('v128'), xh = declare('v128'), tv = declare('v128'), fl = declare('v128');
  const ul = declare('v128'), uh = declare('v128'), nl = declare('v128'), nh = declare('v128');
  let slots = 0;
  /**
   * A vector constant: the float32 variants keep it in a memory slot (storeConstant: their splats take a
   * conversion and a broadcast, the margins more); the float64 ones in a local (a float64 splat is one
   * instruction, cheaper to repeat than to load).
   */
  const vector = (value: Code): Vector => {
    const at = single ? slots++ : declare('v128');
    return single ? { use: constant(at), init: storeConstant(at, value) } : { use: get(at), init: [value, set(at)] };
  };
  const all = Array.from({ length: tables }, (_, i) => {
    const [lo, norm, counts, bins] = [2 + 6 * i, 4 + 6 * i, 6 + 6 * i, 7 + 6 * i];
    const splat = (value: Code): Code => (single ? [value, op.f32DemoteF64, op.f32x4Splat] : [value, op.f64x2Splat]);
    // the float32 variants' margin: F32_EDGE_MARGIN per bin of the table
    const margin: Code = [get(bins), op.f64ConvertI32S, f64(F32_EDGE_MARGIN), op.f64Mul];
    const f32Bits = (value: Code): Code => [value, op.f32DemoteF64, op.i32ReinterpretF32];
    return {
      lo, hi: 3 + 6 * i, norm, edges: 5 + 6 * i, counts, bins,
      b: declare('i32'), last: declare('i32'), address4: declare('v128'), near: declare('v128'),
      loV: vector(splat(get(lo))), normV: vector(splat(get(norm))), countsV: vector([get(counts), op.i32x4Splat]),
      // the byte offset of the discard word
      discardV: vector([get(bins), i32(2), op.i32Shl, op.i32x4Splat]),
      binsV: single ? null : vector(splat([get(bins), op.f64ConvertI32S])),
      nearV: single ? nearTest(f32Bits(margin), f32Bits([f64(1), margin, op.f64Sub]), vector) : null,
    };
  });
  type SimdTable = (typeof all)[number];
  const f32 = single ? { magic: vector([f64(2 ** 21), op.f32DemoteF64, op.f32x4Splat]), unbias: vector([i32(-F32_MAGIC_BITS), op.i32x4Splat]) } : null;
  const f64s = single ? null : {
    near: nearTestOf(vector([op.i64(F64_NEAR.shift), op.i64x2Splat]), vector([op.i64(F64_NEAR.limit), op.i64x2Splat])),
    minusOne: vector([f64(-1), op.f64x2Splat]), magic: vector([f64(2 ** 50), op.f64x2Splat]),
  };
  /** The scalar code for the value at address `p` + `offset`. */
  const scalar = (p: number, offset = 0): Code => [get(p), op.f32Load(offset), op.f64PromoteF32, set(x), all.map((tb) => binOne(tb, x, t, at))];
  /** Into tb.address4 the counts' addresses of the four values in `v`, into tb.near their lanes near an edge. */
  const binsF32 = (tb: SimdTable): Code => [
    get(v), tb.loV.use, op.f32x4Sub, tb.normV.use, op.f32x4Mul, tee(tv), op.f32x4Floor, tee(fl),
    // fl + 2^21 holds 4·fl in its low bits: its bits are F32_MAGIC_BITS + 4·fl for 0 ≤ fl < 2^21
    f32!.magic.use, op.f32x4Add, f32!.unbias.use, op.i32x4Add, tb.discardV.use, op.i32x4MinU, tb.countsV.use, op.i32x4Add, set(tb.address4),
    tb.nearV!.test([get(tv), get(fl), op.f32x4Sub], op.i32x4Add, op.i32x4GtS), set(tb.near),
  ];
  /**
   * One float64 half of binsF64, for `xv` into `uv` (fl + 2^50, whose low 32 bits are 4·fl: the bits of 2^50 end in
   * 32 zeros) and `nv`. t is clamped to [-1, bins] first: far outside, 4·fl would wrap around into the table.
   */
  const halfF64 = (tb: SimdTable, xv: number, uv: number, nv: number): Code => [
    get(xv), tb.loV.use, op.f64x2Sub, tb.normV.use, op.f64x2Mul, f64s!.minusOne.use, op.f64x2Pmax, tb.binsV!.use, op.f64x2Pmin,
    tee(tv), op.f64x2Floor, tee(fl), f64s!.magic.use, op.f64x2Add, set(uv),
    f64s!.near.test([get(tv), get(fl), op.f64x2Sub], op.i64x2Add, op.i64x2GtS), set(nv),
  ];
  const binsF64 = (tb: SimdTable): Code => [
    halfF64(tb, xl, ul, nl), halfF64(tb, xh, uh, nh),
    get(ul), get(uh), op.i8x16Shuffle(JOIN_EVEN), tb.discardV.use, op.i32x4MinU, tb.countsV.use, op.i32x4Add, set(tb.address4),
    get(nl), get(nh), op.i8x16Shuffle(JOIN_EVEN), set(tb.near),
  ];
  /** Lanes exactly at tb's lo: t = +0, bin 0, as numpy finds it. */
  const atLo = (tb: SimdTable): Code => (single
    ? [get(v), tb.loV.use, op.f32x4Eq]
    : [get(xl), tb.loV.use, op.f64x2Eq, get(xh), tb.loV.use, op.f64x2Eq, op.i8x16Shuffle(JOIN_EVEN)]);
  /** +1 at the four addresses in `address4`, extracted two at a time (cheaper than four lane extractions). */
  const countAll = (address4: number): Code => [0, 1].map((half) => [
    get(address4), op.i64x2ExtractLane(half), tee(pair), op.i32WrapI64, tee(at), get(at), op.i32Load(), i32(1), op.i32Add, op.i32Store(),
    get(pair), op.i64(32n), op.i64ShrU, op.i32WrapI64, tee(at), get(at), op.i32Load(), i32(1), op.i32Add, op.i32Store(),
  ]);
  /** The bitmask of lanes set in `lanes` of any table. */
  const anyLane = (lanes: (tb: SimdTable) => Code): Code => [all.map((tb, k) => [lanes(tb), k ? op.v128Or : []]), op.i32x4Bitmask];
  /** Lanes near an edge of the four values at ptr + offset: their counts are taken back, the values binned one by one. */
  const redo = (offset: number): Code => [
    anyLane((tb) => [get(tb.near), atLo(tb), op.v128AndNot]), tee(q),
    op.if(
      all.map((tb, k) => [i32(0), get(tb.address4), op.v128Store(SCRATCH + 16 * k)]),
      op.loop(
        get(q), op.i32Ctz, i32(2), op.i32Shl, set(at),
        all.map((_, k) => [get(at), op.i32Load(SCRATCH + 16 * k), get(at), op.i32Load(SCRATCH + 16 * k), op.i32Load(), i32(1), op.i32Sub, op.i32Store()]),
        get(0), get(at), op.i32Add, set(at), scalar(at, offset),
        get(q), get(q), i32(1), op.i32Sub, op.i32And, tee(q), op.brIf(0),
      ),
    ),
  ];
  /** The four values at ptr + offset. */
  const quad = (offset: number): Code => [
    get(0), op.v128Load(offset), set(v),
    single ? all.map(binsF32) : [
      get(v), op.f64x2PromoteLowF32x4, set(xl),
      get(v), get(v), op.i8x16Shuffle(HIGH_HALF), op.f64x2PromoteLowF32x4, set(xh),
      all.map(binsF64),
    ],
    all.map((tb) => countAll(tb.address4)),
    anyLane((tb) => get(tb.near)), op.if(redo(offset)),
  ];
  return {
    name: `histogram${tables === 2 ? '2' : ''}${single ? 'F32' : ''}`,
    params: ['i32', 'i32', ...all.flatMap((): ValType[] => ['f64', 'f64', 'f64', 'i32', 'i32', 'i32'])],
    results: [],
    locals,
    body: [
      get(0), get(1), i32(2), op.i32Shl, op.i32Add, set(end),
      get(0), get(1), i32(-4), op.i32And, i32(2), op.i32Shl, op.i32Add, set(end4),
      get(0), get(1), i32(-8), op.i32And, i32(2), op.i32Shl, op.i32Add, set(end8),
      all.map((tb) => [
        get(tb.bins), i32(1), op.i32Sub, set(tb.last),
        tb.loV.init, tb.normV.init, tb.countsV.init, tb.discardV.init, tb.binsV?.init ?? [], tb.nearV?.init ?? [],
      ]),
      f32 ? [f32.magic.init, f32.unbias.init] : [f64s!.near.init, f64s!.minusOne.init, f64s!.magic.init],
      // eight values per step (the loop's own instructions are a fair share of four values'), then four, then one
      stepLoop(0, end8, 32, [quad(0), quad(16)]),
      stepLoop(0, end4, 16, quad(0)),
      stepLoop(0, end, 4, scalar(0)),
    ],
  };
}

interface Vector {
  readonly use: Code;
  readonly init: Code;
}

/**
 * Whether d = t - fl (in [0, 1) for a finite t, else NaN) is near an edge: outside [margin, 1 - margin], given
 * their bits. As unsigned integers that is bits(d) - bits(margin) > bits(1 - margin) - bits(margin) (NaN included),
 * compared signed after adding 2^31 to both sides (2^63 for float64). `test(d, add, gtS)`: the lanes' mask.
 */
function nearTest(marginBits: Code, topBits: Code, vector: (value: Code) => Vector) {
  const shift = vector([i32(-0x80000000), marginBits, op.i32Sub, op.i32x4Splat]);
  const limit = vector([topBits, marginBits, op.i32Sub, i32(-0x80000000), op.i32Add, op.i32x4Splat]);
  return nearTestOf(shift, limit);
}

function nearTestOf(shift: Vector, limit: Vector) {
  return {
    init: [shift.init, limit.init],
    test: (d: Code, add: Code, gtS: Code): Code => [d, shift.use, add, limit.use, gtS],
  };
}

/**
 * Bin positions t = (x - lo)·norm within this distance of a whole number get numpy's edge corrections. The
 * computed t and the edges are both within bins·2^-28 bin widths of exact for float32 data (x - lo is exact in
 * float64, and hi - lo is at least one float32 ulp of the values), so farther from a whole number the bin is
 * already right; 2^-10 leaves a wide margin.
 */
const EDGE_MARGIN = 2 ** -10;
/** nearTest's constants for the float64 variants, whose margin is EDGE_MARGIN. */
const F64_NEAR = (() => {
  const bits = (value: number) => new BigInt64Array(Float64Array.of(value).buffer)[0];
  return {
    shift: BigInt.asIntN(64, (1n << 63n) - bits(EDGE_MARGIN)),
    limit: BigInt.asIntN(64, bits(1 - EDGE_MARGIN) - bits(EDGE_MARGIN) - (1n << 63n)),
  };
})();
/** The bits of the float32 2^21. */
const F32_MAGIC_BITS = 0x4a000000;
/** The float32 variants' margin per bin of the table: 4·2^-24·bins covers 3·2^-24·bins of rounding and the edges'. */
const F32_EDGE_MARGIN = 2 ** -22;
export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  return encodeModule([moments(), apply(), applyRows(), transpose(), histogram(1, false), histogram(2, false), histogram(1, true), histogram(2, true)]);
}
