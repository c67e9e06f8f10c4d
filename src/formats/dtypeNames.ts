/**
 * Dtype spellings found in JSON tensors and in numpy, PyTorch and TensorFlow text: 'float32', 'np.float32',
 * 'torch.half', 'tf.bfloat16', '<f4'. The same word can mean different widths per library ('float' is float64 in
 * numpy and float32 in PyTorch), so the library prefix decides the alias table.
 */
import { DTYPES, isDType, type DType } from '../engine/dtype';
import { FormatError } from '../engine/errors';
import { parseDescr } from './npy';

const NUMPY_ALIASES: Record<string, DType> = {
  float: 'float64', float_: 'float64', double: 'float64', single: 'float32', half: 'float16',
  int: 'int64', int_: 'int64', intp: 'int64', long: 'int64', longlong: 'int64', intc: 'int32', short: 'int16', byte: 'int8',
  uint: 'uint64', uintp: 'uint64', ulonglong: 'uint64', uintc: 'uint32', ushort: 'uint16', ubyte: 'uint8',
  bool_: 'bool', bool8: 'bool',
};

const TORCH_ALIASES: Record<string, DType> = {
  float: 'float32', double: 'float64', half: 'float16', long: 'int64', int: 'int32', short: 'int16',
};

/** Names of element types that exist in the libraries but not in NormScope, to refuse them by name. */
const UNSUPPORTED = /^(c?complex\d*|cfloat|cdouble|chalf|float8\w*|float128|longdouble|clongdouble|q?u?int[248]|quint\w*|qint\w*|string|str|str_|bytes_?|object_?|void|datetime64\w*|timedelta64\w*|uint1|uint[3-7]|int[1-7]|float4\w*)$/;

const SUPPORTED_LIST = 'float16, bfloat16, float32, float64, int8..int64, uint8..uint64 and bool';

/**
 * The dtype a name denotes. `where` names the place for the message (e.g. "the 'dtype' of tensor 'w'").
 * Unknown and unsupported names are refused with the list of what is read.
 */
export function dtypeFromName(raw: string, where: string): DType {
  const name = raw.trim();
  if (/^[<>|=]/.test(name)) return parseDescr(name, where).dtype;
  const dot = name.lastIndexOf('.');
  const prefix = dot < 0 ? '' : name.slice(0, dot);
  const base = name.slice(dot + 1);
  if (!['', 'np', 'numpy', 'torch', 'tf', 'tensorflow', 'jnp', 'ml_dtypes'].includes(prefix)) {
    throw new FormatError(`${where}: '${raw}' is not a dtype name NormScope knows. It reads ${SUPPORTED_LIST}.`);
  }
  if (isDType(base)) return base;
  const alias = (prefix === 'torch' ? TORCH_ALIASES : NUMPY_ALIASES)[base];
  if (alias) return alias;
  if (UNSUPPORTED.test(base)) {
    throw new FormatError(`${where}: dtype '${raw}' is not supported; NormScope reads ${SUPPORTED_LIST}. `
      + 'Convert first, e.g. x.astype(np.float32) in numpy, x.float() in PyTorch, tf.cast(x, tf.float32) in TensorFlow.');
  }
  throw new FormatError(`${where}: '${raw}' is not a dtype name NormScope knows. It reads ${DTYPES.join(', ')}.`);
}
