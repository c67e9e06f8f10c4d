/**
 * `.safetensors`: an 8-byte little-endian header length N, N bytes of JSON naming each tensor's dtype, shape and
 * data_offsets (relative to the end of the header), then the data, little-endian and C order. Each tensor is
 * addressed as `file.safetensors#name`; `__metadata__` is free text. Before any data is read the header length is
 * checked against the file, every shape against its byte range, every range against the data section, and the
 * ranges against each other (overlaps are refused; gaps are tolerated, they only waste bytes).
 * https://github.com/huggingface/safetensors#format
 */
import type { ByteSource } from './byteSource';
import type { TensorContainer, TensorEntry } from './container';
import { parseJson, type JsonObject, type JsonValue } from './jsonValue';
import { streamRange } from './streamRange';
import { DTYPE_BYTES, type DType } from '../engine/dtype';
import { FormatError } from '../engine/errors';
import { elementCount } from '../engine/tensor';

/** The reference implementation's limit. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

const DTYPES: Record<string, DType> = {
  F16: 'float16', BF16: 'bfloat16', F32: 'float32', F64: 'float64',
  I8: 'int8', I16: 'int16', I32: 'int32', I64: 'int64',
  U8: 'uint8', U16: 'uint16', U32: 'uint32', U64: 'uint64',
  BOOL: 'bool',
};

/** Header nesting is three levels; a little room, and a hostile header stops at once. */
const MAX_HEADER_DEPTH = 8;

interface Range {
  name: string;
  begin: number;
  end: number;
}

export function looksLikeSafetensors(head: Uint8Array, size: number): boolean {
  if (head.length < 9) return false;
  const n = new DataView(head.buffer, head.byteOffset, head.byteLength).getBigUint64(0, true);
  return head[8] === 0x7b && n >= 2n && n <= BigInt(size - 8);
}

export async function openSafetensors(source: ByteSource, fileName: string): Promise<TensorContainer> {
  const size = source.size;
  if (size < 8) throw new FormatError(`${fileName} is ${size} bytes long, too short for a safetensors file (at least 8 bytes): it is empty or truncated.`);
  const pre = await source.read(0, 8);
  const headerLength = new DataView(pre.buffer, pre.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(size - 8)) {
    throw new FormatError(`${fileName} claims a ${headerLength.toLocaleString('en-US')}-byte header but the file has only ${(size - 8).toLocaleString('en-US')} bytes after its length field: it is truncated or not a safetensors file.`);
  }
  const n = Number(headerLength);
  if (n > MAX_SAFETENSORS_HEADER_BYTES) throw new FormatError(`${fileName} claims a ${n.toLocaleString('en-US')}-byte header, over the format's 100 MB limit: it is corrupt.`);
  if (n < 2) throw new FormatError(`${fileName} has a ${n}-byte header; a safetensors header is a JSON object.`);
  const headerBytes = await source.read(8, n);
  if (headerBytes.byteLength !== n) throw new FormatError(`${fileName} is truncated inside its ${n}-byte header.`);
  const header = parseJson(headerBytes, `${fileName} (safetensors header)`, MAX_HEADER_DEPTH, 8);
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new FormatError(`${fileName}: the safetensors header is not a JSON object.`);
  }
  const dataStart = 8 + n;
  const dataSize = size - dataStart;
  const entries: TensorEntry[] = [];
  const ranges: Range[] = [];
  let metadata: Record<string, string> | undefined;
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = readMetadata(info, fileName);
      continue;
    }
    const { dtype, shape, begin, end } = readTensorInfo(name, info, dataSize, fileName);
    ranges.push({ name, begin, end });
    entries.push({
      name, dtype, shape, order: 'C', littleEndian: true, byteLength: end - begin,
      stream: (maxChunkBytes) => streamRange(source, dataStart + begin, end - begin, DTYPE_BYTES[dtype], maxChunkBytes),
    });
  }
  checkOverlaps(ranges, fileName);
  return metadata ? { kind: 'safetensors', entries, metadata } : { kind: 'safetensors', entries };
}

function readMetadata(info: JsonValue, fileName: string): Record<string, string> {
  if (info === null || typeof info !== 'object' || Array.isArray(info)) throw new FormatError(`${fileName}: __metadata__ must be an object of strings.`);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(info)) {
    if (typeof value !== 'string') throw new FormatError(`${fileName}: __metadata__ "${key}" is not a string (the format allows only strings there).`);
    out[key] = value;
  }
  return out;
}

function readTensorInfo(name: string, info: JsonValue, dataSize: number, fileName: string): { dtype: DType; shape: number[]; begin: number; end: number } {
  const label = `${fileName}#${name}`;
  if (info === null || typeof info !== 'object' || Array.isArray(info)) throw new FormatError(`${label}: its header entry is not an object with dtype, shape and data_offsets.`);
  const fields = info as JsonObject;
  const dtypeName = fields.dtype;
  if (typeof dtypeName !== 'string') throw new FormatError(`${label}: its header entry has no dtype string.`);
  const dtype = DTYPES[dtypeName];
  if (!dtype) {
    throw new FormatError(`${label} has dtype ${dtypeName}, which NormScope does not read (it reads ${Object.keys(DTYPES).join(', ')}). `
      + 'Convert it before saving, e.g. t.float() in PyTorch.');
  }
  const shape = fields.shape;
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new FormatError(`${label}: shape ${JSON.stringify(shape)?.slice(0, 80)} is not a list of non-negative integers.`);
  }
  const offsets = fields.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) {
    throw new FormatError(`${label}: data_offsets ${JSON.stringify(offsets)?.slice(0, 80)} is not a pair of non-negative integers.`);
  }
  const [begin, end] = offsets as number[];
  const dims = shape as number[];
  const byteLength = elementCount(dims) * DTYPE_BYTES[dtype];
  if (end < begin || end > dataSize) {
    throw new FormatError(`${label}: data_offsets [${begin}, ${end}] fall outside the ${dataSize.toLocaleString('en-US')}-byte data section; the file is truncated or corrupt.`);
  }
  if (end - begin !== byteLength) {
    throw new FormatError(`${label}: shape (${dims.join(', ')}) of ${dtype} needs ${byteLength.toLocaleString('en-US')} bytes but data_offsets [${begin}, ${end}] give ${(end - begin).toLocaleString('en-US')}.`);
  }
  return { dtype, shape: dims, begin, end };
}

function checkOverlaps(ranges: Range[], fileName: string): void {
  const sorted = [...ranges].filter((r) => r.end > r.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].begin < sorted[i - 1].end) {
      throw new FormatError(`${fileName}: tensors '${sorted[i - 1].name}' [${sorted[i - 1].begin}, ${sorted[i - 1].end}] and '${sorted[i].name}' [${sorted[i].begin}, ${sorted[i].end}] overlap; the header is corrupt.`);
    }
  }
}
