/**
 * Element types of SEMANTICS.md and their exact decoding. Arithmetic is done in float64; a decoded chunk is a
 * Float32Array when every value of the type is exactly a float32 (float16, bfloat16, float32, 8/16-bit ints,
 * bool) and a Float64Array otherwise, so decoding never rounds anything but 64-bit integers beyond 2^53.
 */
import { FormatError } from './errors';

export const DTYPES = [
  'float16', 'bfloat16', 'float32', 'float64',
  'int8', 'int16', 'int32', 'int64',
  'uint8', 'uint16', 'uint32', 'uint64',
  'bool',
] as const;
export type DType = (typeof DTYPES)[number];

export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float16: 2, bfloat16: 2, float32: 4, float64: 8,
  int8: 1, int16: 2, int32: 4, int64: 8,
  uint8: 1, uint16: 2, uint32: 4, uint64: 8,
  bool: 1,
};

export function isDType(name: string): name is DType {
  return (DTYPES as readonly string[]).includes(name);
}

/** Decoded values: float32 storage only where that is exact for the type. */
export type NumericArray = Float32Array | Float64Array;

/** The dtype of an operation's output: float64 stays float64, everything else computes to float32. */
export function outputDType(input: DType): 'float32' | 'float64' {
  return input === 'float64' ? 'float64' : 'float32';
}

export function isFloat64Decoded(dtype: DType): boolean {
  return dtype === 'float64' || dtype === 'int32' || dtype === 'uint32' || dtype === 'int64' || dtype === 'uint64';
}

let float16Table: Float32Array | undefined;
/** All 65536 half-precision values, built once: a table lookup is the fastest exact decoder. */
function float16Values(): Float32Array {
  if (float16Table) return float16Table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24;
    else if (exp === 31) t[h] = frac ? NaN : sign * Infinity;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  float16Table = t;
  return t;
}

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A copy of `bytes` whose buffer offset suits a typed-array view of `width`-byte elements. */
function aligned(bytes: Uint8Array, width: number): Uint8Array {
  if (bytes.byteOffset % width === 0) return bytes;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/**
 * Decodes whole elements of `dtype` from `bytes` (whose length must be a multiple of the element size).
 * Little-endian float32/float64 on a little-endian host are returned as views without copying.
 */
export function decode(bytes: Uint8Array, dtype: DType, littleEndian: boolean): NumericArray {
  const width = DTYPE_BYTES[dtype];
  if (bytes.byteLength % width !== 0) {
    throw new FormatError(`${bytes.byteLength} bytes is not a whole number of ${dtype} elements (${width} bytes each).`);
  }
  const n = bytes.byteLength / width;
  const native = width === 1 || littleEndian === hostLittleEndian;
  if (native && (dtype === 'float32' || dtype === 'float64')) {
    const a = aligned(bytes, width);
    return dtype === 'float32' ? new Float32Array(a.buffer, a.byteOffset, n) : new Float64Array(a.buffer, a.byteOffset, n);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = littleEndian;
  switch (dtype) {
    case 'float32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, le);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, le);
      return out;
    }
    case 'float16': {
      const table = float16Values();
      const out = new Float32Array(n);
      if (native) {
        const a = aligned(bytes, 2);
        const h = new Uint16Array(a.buffer, a.byteOffset, n);
        for (let i = 0; i < n; i++) out[i] = table[h[i]];
      } else {
        for (let i = 0; i < n; i++) out[i] = table[view.getUint16(i * 2, le)];
      }
      return out;
    }
    case 'bfloat16': {
      // bfloat16 is the top half of a float32: shift the bits into place
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(i * 2, le) << 16;
      return out;
    }
    case 'int8': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      return out;
    }
    case 'uint8': {
      const out = new Float32Array(n);
      out.set(bytes);
      return out;
    }
    case 'bool': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = bytes[i] !== 0 ? 1 : 0;
      return out;
    }
    case 'int16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, le);
      return out;
    }
    case 'uint16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, le);
      return out;
    }
    case 'int32': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, le);
      return out;
    }
    case 'uint32': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getUint32(i * 4, le);
      return out;
    }
    case 'int64':
    case 'uint64': {
      // hi·2^32 + lo is exact below 2^53 and correctly rounded once above it (Number(BigInt) would be too, but slowly)
      const out = new Float64Array(n);
      const hiOff = le ? 4 : 0;
      const loOff = le ? 0 : 4;
      for (let i = 0; i < n; i++) {
        const hi = dtype === 'int64' ? view.getInt32(i * 8 + hiOff, le) : view.getUint32(i * 8 + hiOff, le);
        const lo = view.getUint32(i * 8 + loOff, le);
        out[i] = hi * 4294967296 + lo;
      }
      return out;
    }
  }
}

/** Encodes float values as little-endian float32 or float64 bytes (what the engine writes out). */
export function encodeFloat(values: ArrayLike<number>, dtype: 'float32' | 'float64'): Uint8Array {
  const arr = dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
  if (!hostLittleEndian) throw new Error('big-endian hosts are not supported');
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}
