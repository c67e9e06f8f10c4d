/**
 * A minimal WebAssembly binary encoder: enough to write the engine's few kernels (kernelModule.ts) in a
 * WAT-like vocabulary and emit the module at run time. It replaces a build-time assembler (no wabt in the
 * toolchain) and keeps the kernels' source next to the TypeScript they must agree with.
 * Spec: https://webassembly.github.io/spec/core/binary/ and the fixed-width SIMD proposal's opcode table.
 */

/** Instructions nest freely (a structured instruction holds its body); encoding flattens them. */
export type Code = Array<number | Code>;
export type ValType = 'i32' | 'i64' | 'f64' | 'v128';

const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f64: 0x7c, v128: 0x7b };

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

export function sleb(n: number | bigint): number[] {
  let rest = BigInt(n);
  const out: number[] = [];
  for (;;) {
    const byte = Number(rest & 0x7fn);
    rest >>= 7n;
    const done = (rest === 0n && (byte & 0x40) === 0) || (rest === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const simd = (opcode: number, ...imm: number[]) => [0xfd, ...uleb(opcode), ...imm];
/** Memory access immediate: log2 of the alignment the access may assume, and a constant offset. */
const memarg = (align: number, offset = 0) => [align, ...uleb(offset)];

/** Instructions, named as in the text format. Structured ones take their body. */
export const op = {
  block: (...body: Code): Code => [0x02, 0x40, body, 0x0b],
  loop: (...body: Code): Code => [0x03, 0x40, body, 0x0b],
  if: (...body: Code): Code => [0x04, 0x40, body, 0x0b],
  br: (depth: number): Code => [0x0c, ...uleb(depth)],
  brIf: (depth: number): Code => [0x0d, ...uleb(depth)],
  get: (local: number): Code => [0x20, ...uleb(local)],
  set: (local: number): Code => [0x21, ...uleb(local)],
  tee: (local: number): Code => [0x22, ...uleb(local)],
  i32: (n: number): Code => [0x41, ...sleb(n)],
  i64: (n: bigint): Code => [0x42, ...sleb(n)],
  f64: (x: number): Code => [0x44, ...new Uint8Array(Float64Array.of(x).buffer)],
  i32Load: (offset = 0): Code => [0x28, ...memarg(2, offset)],
  i32Store: (offset = 0): Code => [0x36, ...memarg(2, offset)],
  f32Load: (offset = 0): Code => [0x2a, ...memarg(2, offset)],
  f64Load: (offset = 0): Code => [0x2b, ...memarg(3, offset)],
  f32Store: (offset = 0): Code => [0x38, ...memarg(2, offset)],
  f64Store: (offset = 0): Code => [0x39, ...memarg(3, offset)],
  i32Ne: [0x47], i32GtS: [0x4a], i32GtU: [0x4b], i32GeS: [0x4e],
  i32Ctz: [0x68], i32Add: [0x6a], i32Sub: [0x6b], i32Mul: [0x6c], i32Shl: [0x74], i32And: [0x71], i32Or: [0x72],
  i64ShrU: [0x88], i32WrapI64: [0xa7], i32ReinterpretF32: [0xbc],
  f64Eq: [0x61], f64Lt: [0x63], f64Gt: [0x64], f64Le: [0x65], f64Ge: [0x66],
  f64Add: [0xa0], f64Sub: [0xa1], f64Mul: [0xa2],
  f64PromoteF32: [0xbb], f32DemoteF64: [0xb6], f64ConvertI32S: [0xb7],
  /** Saturating truncation: never traps (the caller has already range-checked). */
  i32TruncSatF64S: [0xfc, 0x02],
  select: [0x1b],
  // fixed-width SIMD
  v128Load: (offset = 0): Code => simd(0x00, ...memarg(4, offset)),
  v128Store: (offset = 0): Code => simd(0x0b, ...memarg(4, offset)),
  i8x16Shuffle: (lanes: number[]): Code => simd(0x0d, ...lanes),
  i32x4Splat: simd(0x11), i64x2Splat: simd(0x12), f32x4Splat: simd(0x13), f64x2Splat: simd(0x14),
  i32x4ExtractLane: (lane: number): Code => simd(0x1b, lane),
  i64x2ExtractLane: (lane: number): Code => simd(0x1d, lane),
  f32x4ExtractLane: (lane: number): Code => simd(0x1f, lane),
  f64x2ExtractLane: (lane: number): Code => simd(0x21, lane),
  i32x4GtS: simd(0x3b), f32x4Eq: simd(0x41), f64x2Eq: simd(0x47), v128AndNot: simd(0x4f), v128Or: simd(0x50),
  f32x4DemoteF64x2Zero: simd(0x5e), f64x2PromoteLowF32x4: simd(0x5f), f32x4Floor: simd(0x68), f64x2Floor: simd(0x75),
  i32x4Bitmask: simd(0xa4), i32x4Add: simd(0xae), i32x4Sub: simd(0xb1), i32x4MinU: simd(0xb7), i64x2Add: simd(0xce), i64x2GtS: simd(0xd9),
  f32x4Add: simd(0xe4), f32x4Sub: simd(0xe5), f32x4Mul: simd(0xe6),
  /** pmin(a, b) = b < a ? b : a and pmax(a, b) = a < b ? b : a: exactly JavaScript's `if (v < lo) lo = v`. */
  f32x4Pmin: simd(0xea), f32x4Pmax: simd(0xeb),
  f64x2Add: simd(0xf0), f64x2Sub: simd(0xf1), f64x2Mul: simd(0xf2), f64x2Pmin: simd(0xf6), f64x2Pmax: simd(0xf7),
};

function flatten(code: Code): number[] {
  return code.flat(Infinity as 1) as number[];
}

export interface FunctionDef {
  name: string;
  params: ValType[];
  results: ValType[];
  locals: ValType[];
  body: Code;
}

/** A module importing one memory (`env.memory`) and exporting `functions` by name. */
export function encodeModule(functions: FunctionDef[]): Uint8Array<ArrayBuffer> {
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [VALTYPE[t]])), ...vec(f.results.map((t) => [VALTYPE[t]]))]);
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)];
  const exports = functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  const bodies = functions.map((f) => {
    const code = [...vec(f.locals.map((t) => [1, VALTYPE[t]])), ...flatten(f.body), 0x0b];
    return [...uleb(code.length), ...code];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([memoryImport])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}
