/**
 * The shape and value kinds of a nested list (JSON arrays, Python lists in a repr), learned in one pass over
 * bracket and leaf events without keeping the values: a ragged list is found at the first list whose length
 * differs from the first list at its depth, and the statistics collected decide (or check) the dtype.
 */
import type { Lexer } from './lexer';
import type { DType } from '../engine/dtype';
import { FormatError } from '../engine/errors';

/** The most dimensions numpy supports (NPY_MAXDIMS in numpy 2); deeper nesting is refused before it costs anything. */
export const MAX_RANK = 64;

export type LeafKind = 'bool' | 'number';

/** The value of a leaf token: a number token, or a boolean name (numpy 2 prints np.True_). Anything else is not tensor data. */
export function leafValue(lex: Lexer): number | undefined {
  if (lex.kind === 'number') return lex.value;
  if (lex.kind !== 'name') return undefined;
  switch (lex.text) {
    case 'true': case 'True': case 'np.True_': case 'numpy.True_': return 1;
    case 'false': case 'False': case 'np.False_': case 'numpy.False_': return 0;
    default: return undefined;
  }
}

export class NestedListScan {
  /** Length of every list at each depth, fixed by the first list that closes at that depth. */
  private readonly dims: number[] = [];
  /** Depth of the leaves, fixed by the first leaf or the first empty innermost list; -1 until then. */
  private rank = -1;
  private readonly open: number[] = [];
  count = 0;
  hasFloat = false;
  hasInt = false;
  hasBool = false;
  /** A value that an integer dtype cannot hold exactly: a fraction, NaN or an infinity. */
  nonInteger = false;
  /** Range of the integral values (booleans count as 0 and 1) below 2^53 or written as floats, for integer dtypes. */
  min = Infinity;
  max = -Infinity;
  /** Exact range of integer literals beyond 2^53, where a float64 cannot tell int64's limits apart. */
  bigMin: bigint | undefined;
  bigMax: bigint | undefined;

  constructor(private readonly what: string, private readonly lex: Lexer) {}

  /** A list opens at `depth` (0 for the outermost list of this tensor). */
  openList(depth: number): void {
    if (depth >= MAX_RANK) this.lex.fail(`${this.what} is nested deeper than ${MAX_RANK} lists (numpy's limit)`);
    if (this.rank >= 0 && depth >= this.rank) this.ragged(`a list where a number was expected (the tensor's values are at depth ${this.rank})`);
    if (depth > 0) this.open[depth - 1]++;
    this.open[depth] = 0;
  }

  /** The list opened at `depth` closes. */
  closeList(depth: number): void {
    const n = this.open[depth];
    if (n === 0) {
      // an empty list can only be innermost: its depth fixes the rank
      if (this.rank < 0) this.rank = depth + 1;
      else if (this.rank !== depth + 1) this.ragged(`an empty list where ${this.rank - depth - 1 > 0 ? 'lists' : 'numbers'} were expected`);
    }
    const expected = this.dims[depth];
    if (expected === undefined) this.dims[depth] = n;
    else if (expected !== n) this.ragged(`a list of ${n} element${n === 1 ? '' : 's'} where the first list at depth ${depth} has ${expected}`);
  }

  /** The current token of the lexer is a leaf at `depth` (0 for a tensor that is a single number). */
  leaf(depth: number): void {
    const lex = this.lex;
    const value = leafValue(lex);
    if (value === undefined) this.nonNumeric();
    if (this.rank < 0) this.rank = depth;
    else if (depth !== this.rank) this.ragged(`a number at depth ${depth} where the tensor's values are at depth ${this.rank}`);
    if (depth > 0) this.open[depth - 1]++;
    this.count++;
    if (lex.kind === 'name') this.hasBool = true;
    else if (lex.isInteger) this.hasInt = true;
    else this.hasFloat = true;
    if (!Number.isInteger(value)) {
      this.nonInteger = true;
    } else if (lex.isInteger && Math.abs(value) >= 2 ** 53) {
      const big = BigInt(lex.text);
      if (this.bigMin === undefined || big < this.bigMin) this.bigMin = big;
      if (this.bigMax === undefined || big > this.bigMax) this.bigMax = big;
    } else {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
  }

  shape(): number[] {
    return this.dims.slice(0, Math.max(this.rank, 0));
  }

  private nonNumeric(): never {
    const lex = this.lex;
    const shown = lex.kind === 'string' ? `the string "${lex.text.slice(0, 40)}"`
      : lex.kind === 'name' ? `'${lex.text}'` : `'${lex.kind}'`;
    const hint = lex.kind === 'name' && (lex.text === 'null' || lex.text === 'None')
      ? ' (write missing values as NaN)' : '';
    return lex.fail(`${this.what} holds ${shown}, which is not a number or a boolean${hint}`);
  }

  private ragged(detail: string): never {
    return this.lex.fail(`${this.what} is ragged (lists of different lengths or depths cannot form a tensor): ${detail}`);
  }
}

/** What a source assumes for values written without a dtype, as its library would (np.array, torch.tensor, tf.constant). */
export interface DTypeDefaults {
  float: DType;
  /** Tried in order: the first that holds every integer (TensorFlow: int32 then int64; numpy: int64 then uint64). */
  int: readonly DType[];
  empty: DType;
}

export const NUMPY_DEFAULTS: DTypeDefaults = { float: 'float64', int: ['int64', 'uint64'], empty: 'float64' };

const INT_RANGE: Partial<Record<DType, readonly [bigint, bigint]>> = {
  int8: [-128n, 127n], int16: [-32768n, 32767n], int32: [-2147483648n, 2147483647n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint8: [0n, 255n], uint16: [0n, 65535n], uint32: [0n, 4294967295n], uint64: [0n, 2n ** 64n - 1n],
  bool: [0n, 1n],
};

/** Why `dtype` cannot hold the scanned values exactly, or undefined when it can. */
function misfit(scan: NestedListScan, dtype: DType): string | undefined {
  const range = INT_RANGE[dtype];
  if (!range || scan.count === 0) return undefined;
  if (scan.nonInteger) return dtype === 'bool' ? 'values other than true/false/0/1' : 'values that are not integers';
  const lows = [scan.bigMin, scan.min === Infinity ? undefined : BigInt(scan.min)].filter((v): v is bigint => v !== undefined);
  const highs = [scan.bigMax, scan.max === -Infinity ? undefined : BigInt(scan.max)].filter((v): v is bigint => v !== undefined);
  const lo = lows.reduce((a, b) => (b < a ? b : a));
  const hi = highs.reduce((a, b) => (b > a ? b : a));
  if (lo < range[0] || hi > range[1]) {
    return `${lo === hi ? `the value ${lo}` : `values from ${lo} to ${hi}`}, outside ${dtype}'s range ${range[0]}..${range[1]}`;
  }
  return undefined;
}

/**
 * The dtype of scanned values: the declared one after checking that it holds them (an integer dtype refuses
 * fractions and out-of-range values rather than wrapping them), else what the source's library would infer.
 */
export function resolveDType(scan: NestedListScan, declared: DType | undefined, defaults: DTypeDefaults, what: string): DType {
  if (declared) {
    const why = misfit(scan, declared);
    if (why) throw new FormatError(`${what} is declared ${declared} but holds ${why}.`);
    return declared;
  }
  if (scan.count === 0) return defaults.empty;
  if (scan.hasFloat) return defaults.float;
  if (!scan.hasInt) return 'bool';
  const fits = defaults.int.find((d) => misfit(scan, d) === undefined);
  if (!fits) throw new FormatError(`${what} holds integers beyond 64 bits (${misfit(scan, 'int64')}); write them as floats if that is what they are.`);
  return fits;
}
