/**
 * NumPy `.npy` (format versions 1.0, 2.0, 3.0). The header is a Python dict literal parsed as data
 * (pyLiteral.ts), validated against the file size before any data is touched; object arrays (pickles) are
 * refused. https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import type { ByteSource } from './byteSource';
import type { TensorContainer, TensorEntry } from './container';
import { parsePyLiteral } from './pyLiteral';
import { streamRange } from './streamRange';
import { DTYPE_BYTES, type DType } from '../engine/dtype';
import { FormatError } from '../engine/errors';
import { elementCount } from '../engine/tensor';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy itself refuses headers over 10 000 bytes by default; allow more, but never an unbounded read. */
export const MAX_NPY_HEADER_BYTES = 1 << 20;

const KIND_TO_DTYPE: Record<string, DType> = {
  f2: 'float16', f4: 'float32', f8: 'float64',
  i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64',
  u1: 'uint8', u2: 'uint16', u4: 'uint32', u8: 'uint64',
  b1: 'bool',
};

const DTYPE_TO_KIND = Object.fromEntries(Object.entries(KIND_TO_DTYPE).map(([k, v]) => [v, k])) as Record<DType, string>;

export function isNpyMagic(bytes: Uint8Array): boolean {
  return MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Parses a numpy `descr` such as '<f4' into a dtype and byte order, or explains why it is not supported.
 * `where` names the holder in messages ("This .npy member 'w'").
 */
export function parseDescr(descr: unknown, where = 'This .npy'): { dtype: DType; littleEndian: boolean } {
  if (typeof descr !== 'string') {
    throw new FormatError(`${where} holds a structured (record) array; NormScope reads plain numeric arrays. `
      + 'Save one field at a time, e.g. np.save(path, arr["field"]).');
  }
  const m = /^([<>|=])?([a-zA-Z])(\d*)$/.exec(descr);
  const kind = m ? m[2] + m[3] : descr;
  if (m && m[2] === 'O') {
    throw new FormatError(`${where} holds a Python object array (dtype '${descr}'), which numpy stores as a pickle; `
      + 'NormScope never unpickles. Convert it to a numeric array and save without pickle: '
      + 'np.save(path, np.asarray(arr, dtype=np.float32), allow_pickle=False).');
  }
  const dtype = KIND_TO_DTYPE[kind];
  if (!m || !dtype) {
    const named: Record<string, string> = { c: 'complex', U: 'unicode string', S: 'byte string', M: 'datetime', m: 'timedelta', V: 'raw void' };
    // ml_dtypes' bfloat16 has no numpy type code and is saved as 2-byte raw void
    const label = m ? (m[2] === 'V' && m[3] === '2' ? 'raw void (bfloat16 saved through ml_dtypes?)' : named[m[2]] ?? `'${descr}'`) : `'${descr}'`;
    throw new FormatError(`${where} has the unsupported dtype ${label} ('${descr}'). NormScope reads float16/32/64, int8..int64, `
      + 'uint8..uint64 and bool; convert with arr.astype(np.float32) and save again.');
  }
  // '=' is native order; numpy writes it only on the machine that wrote the file, which was little-endian in practice
  return { dtype, littleEndian: m[1] !== '>' };
}

export async function openNpy(source: ByteSource, name = ''): Promise<TensorContainer> {
  return { kind: 'npy', entries: [await readNpyEntry(source, 0, source.size, name)] };
}

/** Drops numpy's space, newline (and old NUL) padding; a /[\s\0]+$/ regex would take quadratic time on a hostile header. */
function trimEnd(text: string): string {
  let end = text.length;
  while (end > 0 && /[\s\0]/.test(text[end - 1])) end--;
  return text.slice(0, end);
}

/** What a `.npy` header says: the layout of its data and where the data starts. */
export interface NpyHeader {
  dtype: DType;
  shape: number[];
  order: 'C' | 'F';
  littleEndian: boolean;
  byteLength: number;
  /** Offset of the first data byte from the start of the `.npy` bytes. */
  dataOffset: number;
}

/**
 * Reads the `.npy` header at `start` in `source` (a file, a stored `.npz` member, or the inflated start of a
 * deflated one), where the `.npy` spans `available` bytes. Only the header is read, and the shape is checked
 * against `available` before anything else happens.
 */
export async function readNpyHeader(source: ByteSource, start: number, available: number, name: string): Promise<NpyHeader> {
  const where = name ? `.npy member '${name}'` : '.npy file';
  if (available < 10) throw new FormatError(`This ${where} is ${available} bytes long, too short for a .npy header (at least 10 bytes): it is empty or truncated.`);
  const pre = await source.read(start, 12);
  if (!isNpyMagic(pre)) throw new FormatError(`This ${where} does not start with the .npy magic bytes \\x93NUMPY: it is not a NumPy .npy file.`);
  const major = pre[6];
  const minor = pre[7];
  if (![1, 2, 3].includes(major) || minor !== 0) {
    throw new FormatError(`Unsupported .npy format version ${major}.${minor} in this ${where} (NormScope reads 1.0, 2.0 and 3.0).`);
  }
  const lenBytes = major === 1 ? 2 : 4;
  if (available < 8 + lenBytes) throw new FormatError(`This ${where} is ${available} bytes long, too short for a version ${major}.0 header: it is truncated.`);
  const headerLen = major === 1 ? pre[8] | (pre[9] << 8) : (pre[8] | (pre[9] << 8) | (pre[10] << 16)) + pre[11] * 2 ** 24;
  const headerStart = 8 + lenBytes;
  if (headerLen > MAX_NPY_HEADER_BYTES) {
    throw new FormatError(`The ${where} claims a ${headerLen}-byte header; NormScope reads headers up to ${MAX_NPY_HEADER_BYTES} bytes. The file is corrupt or not a tensor.`);
  }
  if (headerStart + headerLen > available) {
    throw new FormatError(`The ${where} is truncated: its header needs ${headerStart + headerLen} bytes but only ${available} exist.`);
  }
  const headerBytes = await source.read(start + headerStart, headerLen);
  if (headerBytes.byteLength !== headerLen) throw new FormatError(`The ${where} is truncated: its header needs ${headerStart + headerLen} bytes.`);
  const text = trimEnd(new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes));
  const header = parsePyLiteral(text, `the header of this ${where}`);
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new FormatError(`The header of this ${where} is not a dict: "${text.slice(0, 120)}".`);
  }
  for (const key of ['descr', 'fortran_order', 'shape']) {
    if (!(key in header)) throw new FormatError(`The header of this ${where} has no '${key}' entry: "${text.slice(0, 120)}".`);
  }
  const { dtype, littleEndian } = parseDescr(header.descr, `This ${where}`);
  if (typeof header.fortran_order !== 'boolean') throw new FormatError(`The header of this ${where} has a non-boolean fortran_order.`);
  const shape = header.shape;
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new FormatError(`The header of this ${where} has an invalid shape ${JSON.stringify(shape)}: expected a tuple of non-negative integers.`);
  }
  const dims = shape as number[];
  const count = elementCount(dims);
  const byteLength = count * DTYPE_BYTES[dtype];
  const dataOffset = headerStart + headerLen;
  if (!Number.isSafeInteger(byteLength) || dataOffset + byteLength > available) {
    throw new FormatError(`The ${where} is truncated or its header lies: shape (${dims.join(', ')}) of ${dtype} needs `
      + `${byteLength.toLocaleString('en-US')} bytes of data, but only ${(available - dataOffset).toLocaleString('en-US')} follow the header.`);
  }
  return { dtype, shape: dims, order: header.fortran_order ? 'F' : 'C', littleEndian, byteLength, dataOffset };
}

/** The `.npy` at `start` of `source` (a file or a stored `.npz` member) as a tensor entry; only the header is read. */
export async function readNpyEntry(source: ByteSource, start: number, available: number, name: string): Promise<TensorEntry> {
  const { dataOffset, ...layout } = await readNpyHeader(source, start, available, name);
  const width = DTYPE_BYTES[layout.dtype];
  return {
    name, ...layout,
    stream: (maxChunkBytes) => streamRange(source, start + dataOffset, layout.byteLength, width, maxChunkBytes),
  };
}

/** A version 1.0 `.npy` of little-endian C-order data, header padded to 64 bytes as numpy writes it. */
export function encodeNpy(dtype: DType, shape: readonly number[], data: Uint8Array): Uint8Array {
  const kind = DTYPE_TO_KIND[dtype];
  if (!kind) throw new FormatError(`Cannot write ${dtype} to .npy.`);
  const descr = (DTYPE_BYTES[dtype] === 1 ? '|' : '<') + kind;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, 10 + header.length);
  return out;
}
