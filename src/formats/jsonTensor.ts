/**
 * Tensors in JSON files, in three shapes:
 * - a nested array: `[[1, 2], [3, 4]]` (or a single number, a 0-d tensor);
 * - a tensor object: `{"shape": [2, 2], "dtype": "float32", "data": [1, 2, 3, 4]}` (`data` flat or nested, its
 *   element count equal to the shape's; `shape` and `dtype` optional);
 * - an object whose values are either of those: one tensor per key, addressed as `file.json#key`.
 *   An object with a "data" key and no keys but shape/dtype/data is read as a tensor object, not as a dict.
 *
 * Opening scans the whole file once, a window at a time, keeping only shapes, value kinds and the byte span of
 * each tensor's data; `stream` re-reads that span and encodes the values. Without a dtype, values get the dtype
 * np.array would give them: float64 if any has a point, exponent, NaN or Infinity, else int64 (uint64 beyond
 * it), else bool; an empty array is float64.
 */
import type { ByteSource } from './byteSource';
import type { TensorContainer, TensorEntry } from './container';
import { dtypeFromName } from './dtypeNames';
import { ElementChunks } from './elementChunks';
import { JsonSyntax } from './jsonSyntax';
import { lexWindows } from './lexWindows';
import { Lexer, type TokenKind } from './lexer';
import { leafValue, MAX_RANK, NestedListScan, NUMPY_DEFAULTS, resolveDType } from './nestedList';
import { DTYPE_BYTES, type DType } from '../engine/dtype';
import { FormatError } from '../engine/errors';
import { elementCount } from '../engine/tensor';

/** Tensor dims plus an enclosing dict and tensor object. */
const MAX_JSON_DEPTH = MAX_RANK + 2;
const TENSOR_OBJECT_KEYS = ['shape', 'dtype', 'data'];

/** A value found where a tensor, or a field of a tensor object, may stand. */
type Candidate =
  | { kind: 'tensor'; key: string; scan: NestedListScan; rootDepth: number; start: number; end: number; small: number[] | undefined }
  | { kind: 'string'; key: string; text: string }
  | { kind: 'object'; key: string; fields: Map<string, Candidate> };

type Role = 'dict' | 'tensor-object' | 'data';

interface ScannedTensor {
  name: string;
  dtype: DType;
  shape: number[];
  start: number;
  end: number;
}

export async function openJsonTensors(source: ByteSource, fileName: string): Promise<TensorContainer> {
  if (source.size === 0) throw new FormatError(`${fileName} is empty (0 bytes).`);
  const tensors = await scanJson(source, fileName);
  const entries: TensorEntry[] = tensors.map((t) => {
    const count = elementCount(t.shape);
    return {
      name: t.name, dtype: t.dtype, shape: t.shape, order: 'C', littleEndian: true,
      byteLength: count * DTYPE_BYTES[t.dtype],
      stream: (maxChunkBytes) => streamJsonValues(source, t, count, maxChunkBytes, fileName),
    };
  });
  return { kind: 'json', entries };
}

async function scanJson(source: ByteSource, fileName: string): Promise<ScannedTensor[]> {
  const lex = new Lexer(fileName);
  const roles: Role[] = [];
  const objects: Candidate[] = [];
  const keys: string[] = [];
  let top: Candidate | undefined;
  let current: Extract<Candidate, { kind: 'tensor' }> | undefined;

  const describe = (key: string) => (key ? `tensor '${key}'` : 'the JSON tensor');
  const attach = (candidate: Candidate, parentDepth: number) => {
    if (parentDepth === 0) top = candidate;
    else (objects[parentDepth - 1] as Extract<Candidate, { kind: 'object' }>).fields.set(keys[parentDepth - 1], candidate);
  };
  const keyAt = (parentDepth: number) => (parentDepth === 0 ? '' : keys[parentDepth - 1]);
  const startTensor = (depth: number): Extract<Candidate, { kind: 'tensor' }> => {
    const key = keyAt(depth - 1);
    return { kind: 'tensor', key, scan: new NestedListScan(describe(key), lex), rootDepth: depth, start: lex.start, end: lex.end, small: [] };
  };

  const syntax = new JsonSyntax(lex, {
    open(kind, depth) {
      const parent = roles[depth - 2];
      if (parent === 'data' && current) {
        if (kind === '{') lex.fail(`${describe(current.key)} holds an object inside its data; tensor data is numbers in nested arrays`);
        current.scan.openList(depth - current.rootDepth);
        current.small = undefined;
        roles[depth - 1] = 'data';
        return;
      }
      if (kind === '[') {
        current = startTensor(depth);
        current.scan.openList(0);
        roles[depth - 1] = 'data';
        return;
      }
      if (parent === 'tensor-object') {
        lex.fail(`the '${keys[depth - 2]}' of ${describe(keyAt(depth - 2))} is an object; a tensor object holds only shape, dtype and data`);
      }
      roles[depth - 1] = depth === 1 ? 'dict' : 'tensor-object';
      objects[depth - 1] = { kind: 'object', key: keyAt(depth - 1), fields: new Map() };
    },
    close(_kind, depth) {
      const role = roles[depth - 1];
      if (role === 'data' && current) {
        const rel = depth - current.rootDepth;
        current.scan.closeList(rel);
        if (rel === 0) {
          current.end = lex.end;
          attach(current, depth - 1);
          current = undefined;
        }
        return;
      }
      attach(objects[depth - 1], depth - 1);
    },
    key(name, depth) {
      const object = objects[depth - 1] as Extract<Candidate, { kind: 'object' }>;
      if (object.fields.has(name)) lex.fail(`duplicate key "${name.slice(0, 80)}"`);
      keys[depth - 1] = name;
    },
    scalar(depth) {
      if (depth > 0 && roles[depth - 1] === 'data' && current) {
        const rel = depth - current.rootDepth + 1;
        current.scan.leaf(rel);
        if (current.small) {
          if (rel === 1 && lex.isInteger && current.small.length < MAX_RANK) current.small.push(lex.value);
          else current.small = undefined;
        }
        return;
      }
      if (lex.kind === 'string') {
        attach({ kind: 'string', key: keyAt(depth), text: lex.text }, depth);
        return;
      }
      const tensor = startTensor(depth + 1);
      tensor.scan.leaf(0);
      tensor.small = undefined;
      attach(tensor, depth);
    },
  }, MAX_JSON_DEPTH);

  for await (const _ of lexWindows(source, 0, source.size, lex, (kind: TokenKind) => syntax.feed(kind)));
  if (!top) throw new FormatError(`${fileName} holds no JSON value.`);
  return resolveTop(top, fileName);
}

function resolveTop(top: Candidate, fileName: string): ScannedTensor[] {
  if (top.kind === 'tensor') return [resolveTensor('', top, undefined, undefined, fileName)];
  if (top.kind === 'string') throw new FormatError(`${fileName} holds a string, not a tensor: expected a nested array of numbers, a {"shape", "dtype", "data"} object, or an object of such tensors.`);
  const keys = [...top.fields.keys()];
  if (top.fields.has('data') && keys.every((k) => TENSOR_OBJECT_KEYS.includes(k))) return [resolveTensorObject('', top.fields, fileName)];
  return keys.map((key) => {
    const value = top.fields.get(key) as Candidate;
    if (value.kind === 'tensor') return resolveTensor(key, value, undefined, undefined, fileName);
    if (value.kind === 'object') return resolveTensorObject(key, value.fields, fileName);
    throw new FormatError(`${fileName}: the value of "${key}" is a string, not a tensor. An object's values must be nested arrays of numbers or {"shape", "dtype", "data"} objects.`);
  });
}

function resolveTensorObject(name: string, fields: Map<string, Candidate>, fileName: string): ScannedTensor {
  const label = name ? `${fileName}#${name}` : fileName;
  const unknown = [...fields.keys()].filter((k) => !TENSOR_OBJECT_KEYS.includes(k));
  if (unknown.length > 0) {
    throw new FormatError(`${label}: a tensor object holds "shape", "dtype" and "data"; it also has ${unknown.map((k) => `"${k}"`).join(', ')}.`);
  }
  const data = fields.get('data');
  if (!data || data.kind !== 'tensor') throw new FormatError(`${label}: a tensor object needs "data", an array of numbers.`);
  const dtypeField = fields.get('dtype');
  let dtype: DType | undefined;
  if (dtypeField) {
    if (dtypeField.kind !== 'string') throw new FormatError(`${label}: "dtype" must be a string such as "float32".`);
    dtype = dtypeFromName(dtypeField.text, `${label}: "dtype"`);
  }
  const shapeField = fields.get('shape');
  let shape: number[] | undefined;
  if (shapeField) {
    if (shapeField.kind !== 'tensor' || !shapeField.small || shapeField.scan.shape().length !== 1 || shapeField.small.some((d) => d < 0 || !Number.isSafeInteger(d))) {
      throw new FormatError(`${label}: "shape" must be an array of at most ${MAX_RANK} non-negative integers, e.g. [2, 3].`);
    }
    shape = shapeField.small;
  }
  return resolveTensor(name, data, dtype, shape, fileName);
}

function resolveTensor(name: string, data: Extract<Candidate, { kind: 'tensor' }>, declared: DType | undefined,
  shape: number[] | undefined, fileName: string): ScannedTensor {
  const label = name ? `${fileName}#${name}` : fileName;
  const scan = data.scan;
  if (shape && elementCount(shape) !== scan.count) {
    throw new FormatError(`${label}: "shape" [${shape.join(', ')}] needs ${elementCount(shape).toLocaleString('en-US')} values but "data" holds ${scan.count.toLocaleString('en-US')}.`);
  }
  const dtype = resolveDType(scan, declared, NUMPY_DEFAULTS, label);
  return { name, dtype, shape: shape ?? scan.shape(), start: data.start, end: data.end };
}

/** Re-reads a tensor's data span and encodes its values; the file changing since it was opened is reported, not misread. */
async function* streamJsonValues(source: ByteSource, tensor: ScannedTensor, count: number, maxChunkBytes: number,
  fileName: string): AsyncIterable<Uint8Array> {
  const lex = new Lexer(fileName, 'byte', tensor.start);
  const out = new ElementChunks(tensor.dtype, count, maxChunkBytes);
  const changed = (): never => {
    throw new FormatError(`${fileName} changed since it was opened (the data of ${tensor.name ? `'${tensor.name}'` : 'the tensor'} no longer matches its shape); open it again.`);
  };
  const onToken = (kind: TokenKind): boolean => {
    if (kind === '[' || kind === ']' || kind === ',' || kind === 'eof') return false;
    const value = leafValue(lex);
    if (value === undefined || out.full) changed();
    out.write(value as number, lex.bigIntegerText());
    return false;
  };
  for await (const _ of lexWindows(source, tensor.start, tensor.end, lex, onToken)) yield* out.take();
  yield* out.take();
  if (!out.full) changed();
}
