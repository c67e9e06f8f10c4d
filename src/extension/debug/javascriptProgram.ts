/**
 * What NormScope runs in a paused JavaScript frame (js-debug), through DAP `evaluate`:
 *
 *   (function (root, request) { …program… })(<root name>, '<request as base64>')
 *
 * JavaScript has no `locals()`: a variable of the paused frame can only be named in source text, so the root
 * name is the one token of the user's expression that appears as code. It is a single identifier (or `this`),
 * checked by the parser and checked again here against JAVASCRIPT_ROOT right before it is placed; every
 * property step, index and key travels inside the base64 request as data and is applied with `value[key]`.
 *
 * Replies are strings js-debug shows quoted: 'J' + base64(JSON) for descriptions and failures, 'B' + base64 of
 * raw little-endian bytes for chunks of data. Base64 needs no escaping, whatever the adapter's quoting.
 */
import { JAVASCRIPT_ROOT, type ValuePath } from './valuePath';

export type JavaScriptRequest =
  | { op: 'describe'; keys: (string | number)[] }
  /**
   * Elements [start, start + count) in C order of the value, or of `value[::s0, ::s1, …]` when `steps` is set,
   * as bytes of the described dtype.
   */
  | { op: 'chunk'; keys: (string | number)[]; start: number; count: number; steps: number[] | null }
  /**
   * Node only: write `header` (base64 of the `.npy` header the host made) and then all the elements as above to
   * `file`, which must not exist, through `process.getBuiltinModule('fs')`.
   */
  | { op: 'save'; keys: (string | number)[]; file: string; header: string; steps: number[] | null };

/**
 * Accepts typed arrays, `{ data: <typed array>, shape | dims: [...] }` wrappers (onnxruntime-web, ndarray-like)
 * whose sizes agree, and rectangular nested arrays of numbers (sent as float64). A description says whether the
 * debuggee can write files (Node has `process.getBuiltinModule`): then the data goes through a temporary file,
 * as Python's does, instead of through the debug protocol, where every byte crosses the workbench as JSON.
 */
const JAVASCRIPT_PROGRAM = String.raw`function (root, request) {
  'use strict';
  var DTYPES = { Float32Array: 'float32', Float64Array: 'float64', Float16Array: 'float16', Int8Array: 'int8',
    Int16Array: 'int16', Int32Array: 'int32', BigInt64Array: 'int64', Uint8Array: 'uint8', Uint8ClampedArray: 'uint8',
    Uint16Array: 'uint16', Uint32Array: 'uint32', BigUint64Array: 'uint64' };
  var ARRAYS = { float32: Float32Array, float64: Float64Array, int8: Int8Array, int16: Int16Array, int32: Int32Array,
    int64: BigInt64Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array,
    float16: typeof Float16Array === 'function' ? Float16Array : undefined };

  var ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

  // base64 by hand: a sandbox (vm context, worker, old engine) may have neither Buffer nor atob/btoa
  function toBase64(bytes) {
    var B = globalThis.Buffer;
    if (typeof B === 'function' && typeof B.from === 'function') {
      return B.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    }
    var parts = [];
    for (var i = 0; i < bytes.length; i += 3) {
      var n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      parts.push(ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + (i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63] : '=')
        + (i + 2 < bytes.length ? ALPHABET[n & 63] : '='));
    }
    return parts.join('');
  }
  function fromBase64(text) {
    var clean = text.replace(/=+$/, '');
    var bytes = new Uint8Array(Math.floor(clean.length * 3 / 4));
    for (var i = 0, o = 0, bits = 0, n = 0; i < clean.length; i++) {
      n = (n << 6) | ALPHABET.indexOf(clean[i]);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        bytes[o++] = (n >> bits) & 255;
      }
    }
    return bytes;
  }
  function ascii(text) {
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }
  // replies and requests are JSON with every non-ASCII character escaped: bytes and characters coincide
  function reply(fields) {
    return 'J' + toBase64(ascii(JSON.stringify(fields).replace(/[\u007f-\uffff]/g, function (c) {
      return '\\u' + ('000' + c.charCodeAt(0).toString(16)).slice(-4);
    })));
  }
  function fileSystem() {
    return typeof process === 'object' && process !== null && typeof process.getBuiltinModule === 'function'
      ? process.getBuiltinModule('fs') : null;
  }
  function message(error) {
    return String(error && error.message !== undefined ? error.message : error).slice(0, 2000);
  }
  function typeName(value) {
    if (value === null) return 'null';
    if (typeof value !== 'object' && typeof value !== 'function') return typeof value;
    var ctor = value.constructor;
    return ctor && typeof ctor.name === 'string' && ctor.name ? ctor.name : Object.prototype.toString.call(value).slice(8, -1);
  }
  function typedDtype(value) {
    return ArrayBuffer.isView(value) ? DTYPES[Object.prototype.toString.call(value).slice(8, -1)] || null : null;
  }
  function isCount(n) {
    return typeof n === 'number' && n >= 0 && Math.floor(n) === n;
  }
  function product(shape) {
    return shape.reduce(function (a, b) { return a * b; }, 1);
  }
  function nested(value) {
    var shape = [];
    for (var level = value; Array.isArray(level) || typedDtype(level); level = level[0]) {
      shape.push(level.length);
      if (level.length === 0) break;
    }
    var problem = null;
    (function check(v, depth) {
      if (problem) return;
      if (depth === shape.length) {
        if (typeof v !== 'number' && typeof v !== 'bigint') problem = 'holds ' + typeName(v) + ' values, not numbers';
        return;
      }
      if (!(Array.isArray(v) || typedDtype(v)) || v.length !== shape[depth]) {
        problem = 'is ragged: not every row at depth ' + depth + ' has ' + shape[depth] + ' elements';
        return;
      }
      for (var i = 0; i < v.length && !problem; i++) check(v[i], depth + 1);
    })(value, 0);
    return problem ? { problem: problem } : { kind: 'nested', data: value, dtype: 'float64', shape: shape };
  }
  function tensorOf(value) {
    var dtype = typedDtype(value);
    if (dtype) return { kind: 'typed', data: value, dtype: dtype, shape: [value.length] };
    if (Array.isArray(value)) return nested(value);
    if (value !== null && typeof value === 'object') {
      var data = value.data;
      var dims = value.shape !== undefined ? value.shape : value.dims;
      var inner = typedDtype(data);
      if (inner && Array.isArray(dims) && dims.every(isCount) && product(dims) === data.length) {
        return { kind: 'wrapped', data: data, dtype: inner, shape: dims.slice() };
      }
    }
    return null;
  }
  function chunk(tensor, start, count, steps) {
    var data = tensor.data;
    if (tensor.kind !== 'nested' && !steps) {
      return new Uint8Array(data.buffer, data.byteOffset + start * data.BYTES_PER_ELEMENT, count * data.BYTES_PER_ELEMENT);
    }
    var shape = tensor.shape;
    var rank = shape.length;
    var step = steps || shape.map(function () { return 1; });
    var sampled = shape.map(function (n, axis) { return Math.ceil(n / step[axis]); });
    var stride = shape.map(function (_, axis) { return product(shape.slice(axis + 1)); });
    var index = sampled.map(function () { return 0; });
    for (var axis = rank - 1, rest = start; axis >= 0; axis--) {
      index[axis] = rest % sampled[axis];
      rest = Math.floor(rest / sampled[axis]);
    }
    var out = tensor.kind === 'nested' ? new Float64Array(count) : new ARRAYS[tensor.dtype](count);
    for (var i = 0; i < count; i++) {
      if (tensor.kind === 'nested') {
        var v = data;
        for (var a = 0; a < rank; a++) v = v[index[a] * step[a]];
        out[i] = Number(v);
      } else {
        var offset = 0;
        for (var b = 0; b < rank; b++) offset += index[b] * step[b] * stride[b];
        out[i] = data[offset];
      }
      for (var c = rank - 1; c >= 0; c--) {
        if (++index[c] < sampled[c]) break;
        index[c] = 0;
      }
    }
    return new Uint8Array(out.buffer);
  }
  function save(tensor, file, header, steps) {
    var fs = fileSystem();
    var shape = steps ? tensor.shape.map(function (n, axis) { return Math.ceil(n / steps[axis]); }) : tensor.shape;
    var total = product(shape);
    var perChunk = Math.max(1, Math.floor((4 << 20) / ARRAYS[tensor.dtype].BYTES_PER_ELEMENT));
    var fd;
    var written = 0;
    function writeAll(bytes) {
      for (var done = 0; done < bytes.length;) done += fs.writeSync(fd, bytes, done, bytes.length - done);
      written += bytes.length;
    }
    try {
      fd = fs.openSync(file, 'wx');
      writeAll(fromBase64(header));
      for (var start = 0; start < total; start += perChunk) writeAll(chunk(tensor, start, Math.min(perChunk, total - start), steps));
    } catch (error) {
      return reply({ ok: false, code: 'write', message: message(error) });
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    return reply({ ok: true, shape: shape, dtype: tensor.dtype, bytes: written });
  }

  try {
    var req = JSON.parse(String.fromCharCode.apply(null, fromBase64(request)));
    var value = root;
    for (var k = 0; k < req.keys.length; k++) {
      try {
        value = value[req.keys[k]];
      } catch (error) {
        return reply({ ok: false, code: 'lookup', step: k, message: message(error) });
      }
    }
    var tensor = tensorOf(value);
    if (!tensor || tensor.problem) {
      return reply({ ok: false, code: 'not-tensor', typeName: typeName(value), message: tensor ? tensor.problem : 'not a tensor' });
    }
    if (req.op === 'describe') {
      return reply({ ok: true, origin: 'javascript', typeName: typeName(tensor.kind === 'wrapped' ? value : tensor.data),
        shape: tensor.shape, dtype: tensor.dtype, target: tensor.dtype, note: null,
        littleEndian: new Uint8Array(new Uint16Array([1]).buffer)[0] === 1, canWrite: fileSystem() !== null });
    }
    if (req.op === 'save') return save(tensor, req.file, req.header, req.steps);
    return 'B' + toBase64(chunk(tensor, req.start, req.count, req.steps));
  } catch (error) {
    return reply({ ok: false, code: 'error', message: message(error) });
  }
}`;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The property keys of a JavaScript path's steps (the parser allows one int or quoted key per subscript). */
export function javascriptKeys(path: ValuePath): (string | number)[] {
  return path.steps.map((step) => {
    if (step.kind === 'attr') return step.name;
    const item = step.items[0];
    if (step.items.length !== 1 || (item.kind !== 'int' && item.kind !== 'str')) throw new Error('not a JavaScript subscript');
    return item.value;
  });
}

export function javascriptExpression(root: string, request: JavaScriptRequest): string {
  if (!JAVASCRIPT_ROOT.test(root)) throw new Error(`refusing to place '${root}' in JavaScript source: not an identifier`);
  const json = JSON.stringify(request).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const data = Buffer.from(json, 'latin1').toString('base64');
  if (!BASE64.test(data)) throw new Error('base64 produced a character outside its alphabet');
  return `(${JAVASCRIPT_PROGRAM})(${root}, '${data}')`;
}
