/**
 * Writes numbers parsed from text (JSON, reprs) as little-endian elements of a dtype, rounding the way the
 * libraries do: float16 directly from the float64 value (numpy's np.float16(x)), bfloat16 from the float32
 * value (PyTorch and TensorFlow convert through float32), round-half-to-even in both.
 */
import type { DType } from '../engine/dtype';

const TWO_POW_53 = 2 ** 53;

function roundHalfEven(q: number): number {
  const floor = Math.floor(q);
  const diff = q - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** IEEE half-precision bits of `x`, correctly rounded from float64. */
export function float16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24); // subnormal; 1024 carries into the smallest normal
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--; // log2 can be off by one near powers of two
  else if (2 ** (e + 1) <= a) e++;
  let frac = roundHalfEven((a / 2 ** e - 1) * 1024);
  if (frac === 1024) {
    frac = 0;
    e++;
  }
  if (e > 15) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | frac;
}

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

/** bfloat16 bits of `x`: float32 rounding first, then round-half-to-even to the top 16 bits. */
export function bfloat16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7fc0;
  f32[0] = x;
  const bits = f32Bits[0];
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * Writes `value` at byte `at` of `view` as one little-endian `dtype` element. 64-bit integers beyond 2^53 are
 * taken from `intText` (the literal's digits, see Lexer.bigIntegerText) so that they stay exact.
 */
export function writeElement(view: DataView, at: number, dtype: DType, value: number, intText: string | undefined): void {
  switch (dtype) {
    case 'float64': view.setFloat64(at, value, true); return;
    case 'float32': view.setFloat32(at, value, true); return;
    case 'float16': view.setUint16(at, float16Bits(value), true); return;
    case 'bfloat16': view.setUint16(at, bfloat16Bits(value), true); return;
    case 'bool': view.setUint8(at, value !== 0 ? 1 : 0); return;
    case 'int8': view.setInt8(at, value); return;
    case 'uint8': view.setUint8(at, value); return;
    case 'int16': view.setInt16(at, value, true); return;
    case 'uint16': view.setUint16(at, value, true); return;
    case 'int32': view.setInt32(at, value, true); return;
    case 'uint32': view.setUint32(at, value, true); return;
    case 'int64':
    case 'uint64': {
      const v = Math.trunc(value);
      if (Math.abs(v) < TWO_POW_53) {
        // two's complement halves; exact for |v| < 2^53
        const lo = v >>> 0;
        view.setUint32(at, lo, true);
        view.setUint32(at + 4, Math.floor((v - lo) / 4294967296) >>> 0, true);
      } else {
        const big = intText !== undefined ? BigInt(intText) : BigInt(v);
        if (dtype === 'int64') view.setBigInt64(at, big, true);
        else view.setBigUint64(at, big, true);
      }
      return;
    }
  }
}
