/** Loads a whole tensor into memory in C order, for operations whose output is as large as the input. */
import type { TensorEntry } from './container';
import { decode, DTYPE_BYTES } from '../engine/dtype';
import { FormatError } from '../engine/errors';
import { fortranToC, type DenseTensor } from '../engine/tensor';

/** Above this, dense operations refuse and say so; statistics stream and have no such limit. */
export const MAX_DENSE_BYTES = 2 ** 31;

export async function readDense(entry: TensorEntry, maxBytes = MAX_DENSE_BYTES): Promise<DenseTensor> {
  if (entry.byteLength > maxBytes) {
    throw new FormatError(`${entry.name || 'This tensor'} is ${entry.byteLength.toLocaleString('en-US')} bytes; loading it whole is limited to `
      + `${maxBytes.toLocaleString('en-US')} bytes. Statistics stream any size; for a full normalization pass, slice the tensor first.`);
  }
  const bytes = new Uint8Array(entry.byteLength);
  let at = 0;
  for await (const chunk of entry.stream(16 << 20)) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  if (at !== entry.byteLength || at % DTYPE_BYTES[entry.dtype] !== 0) {
    throw new FormatError(`Expected ${entry.byteLength} bytes of tensor data, read ${at}.`);
  }
  const flat = decode(bytes, entry.dtype, entry.littleEndian);
  const data = entry.order === 'F' ? fortranToC(flat, entry.shape) : flat;
  return { dtype: entry.dtype, shape: [...entry.shape], data };
}
