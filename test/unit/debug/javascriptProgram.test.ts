/**
 * The program NormScope runs in a paused JavaScript frame, evaluated here in fresh V8 contexts whose globals
 * play the frame's variables: bare ones (a sandbox: no Buffer, atob or process, so data comes in chunks) and
 * Node-like ones (Buffer and process: the value is written to a file). Pins what it reads (typed arrays,
 * wrappers, nested arrays, samples), what it refuses, and that keys travel as data.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { encodeNpy } from '../../../src/formats/npy';
import { readDenseTensor } from '../../../src/node/tensorFiles';
import { javascriptExpression, javascriptKeys, type JavaScriptRequest } from '../../../src/extension/debug/javascriptProgram';
import { isFailure, parseDescription, parseSaved, unwrapReply, type Description, type Failure } from '../../../src/extension/debug/replies';
import { parseValuePath } from '../../../src/extension/debug/valuePath';

function run(context: vm.Context, text: string, request: (keys: (string | number)[]) => JavaScriptRequest): ReturnType<typeof unwrapReply> {
  const p = parseValuePath(text, 'javascript');
  const result: unknown = vm.runInContext(javascriptExpression(p.root, request(javascriptKeys(p))), context);
  assert.equal(typeof result, 'string');
  return unwrapReply(`'${result as string}'`); // js-debug shows strings quoted
}

function describe_(context: vm.Context, text: string): Description | Failure {
  const reply = run(context, text, (keys) => ({ op: 'describe', keys }));
  assert.equal(reply.kind, 'json');
  return parseDescription(reply.value);
}

function chunk(context: vm.Context, text: string, start: number, count: number, steps: number[] | null = null): Buffer {
  const reply = run(context, text, (keys) => ({ op: 'chunk', keys, start, count, steps }));
  assert.equal(reply.kind, 'bytes');
  return reply.value as Buffer;
}

function ok(d: Description | Failure): Description {
  if (isFailure(d)) assert.fail(JSON.stringify(d));
  return d;
}

function floats(bytes: Buffer, Type: Float32ArrayConstructor | Float64ArrayConstructor): number[] {
  return Array.from(new Type(new Uint8Array(bytes).buffer)); // a copy: Buffer's pool offset may be unaligned
}

describe('debug JavaScript program', () => {
  // a bare V8 context, as in a sandbox: no Buffer, atob, TextDecoder or process
  const frame = vm.createContext({
    big: Float32Array.from({ length: 24 }, (_, i) => i),
    model: { layers: [{ out: new Int16Array([5, -6, 7]) }] },
    image: { data: new Uint8Array([1, 2, 3, 4, 5, 6]), dims: [1, 2, 3] },
    grid: [[1, 2, 3], [4, 5, 6]],
    rows: [new Float32Array([1, 2]), new Float32Array([3, 4])],
    ragged: [[1, 2], [3]],
    words: [['a']],
    config: { lr: 0.1 },
    marked: false,
  });

  it('describes typed arrays, { data, dims } wrappers and nested arrays', () => {
    const f = ok(describe_(frame, 'big'));
    assert.deepEqual([f.origin, f.typeName, f.shape, f.dtype, f.target, f.littleEndian, f.canWrite], ['javascript', 'Float32Array', [24], 'float32', 'float32', true, false]);
    assert.deepEqual(ok(describe_(frame, 'model.layers[0]["out"]')).dtype, 'int16');
    assert.deepEqual(ok(describe_(frame, 'image')).shape, [1, 2, 3]);
    const g = ok(describe_(frame, 'grid'));
    assert.deepEqual([g.shape, g.dtype], [[2, 3], 'float64']);
    assert.deepEqual(ok(describe_(frame, 'rows')).shape, [2, 2]);
  });

  it('hands over chunks as raw bytes, whole or strided', () => {
    assert.deepEqual(floats(chunk(frame, 'big', 4, 3), Float32Array), [4, 5, 6]);
    assert.deepEqual(floats(chunk(frame, 'big', 0, 8, [3]), Float32Array), [0, 3, 6, 9, 12, 15, 18, 21]);
    assert.deepEqual(floats(chunk(frame, 'grid', 1, 4), Float64Array), [2, 3, 4, 5]);
    assert.deepEqual(floats(chunk(frame, 'grid', 0, 4, [1, 2]), Float64Array), [1, 3, 4, 6]);
    assert.deepEqual(Array.from(chunk(frame, 'image', 2, 4)), [3, 4, 5, 6]);
    assert.deepEqual(Array.from(new Int16Array(new Uint8Array(chunk(frame, 'model.layers[0].out', 0, 3)).buffer)), [5, -6, 7]);
  });

  it('says what is not a tensor, and why', () => {
    const cases: [string, string, RegExp][] = [
      ['config', 'Object', /^not a tensor$/],
      ['ragged', 'Array', /is ragged/],
      ['words', 'Array', /holds string values/],
      ['model.layers', 'Array', /holds Object values/],
    ];
    for (const [text, typeName, why] of cases) {
      const f = describe_(frame, text) as Failure;
      assert.deepEqual([f.code, f.typeName], ['not-tensor', typeName], text);
      assert.match(f.message, why, text);
    }
    const missing = describe_(frame, 'model.nothing.deeper') as Failure;
    assert.deepEqual([missing.code, missing.step], ['lookup', 1]);
  });

  it('in Node, writes the header and the (sampled) data to a file that must not exist yet', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'normscope-jsprogram-'));
    try {
      const node = vm.createContext({ process, Buffer, big: Float32Array.from({ length: 24 }, (_, i) => i), grid: [[1, 2, 3], [4, 5, 6]] });
      assert.equal(ok(describe_(node, 'big')).canWrite, true);
      const save = (text: string, file: string, shape: number[], dtype: 'float32' | 'float64', steps: number[] | null) => {
        const header = Buffer.from(encodeNpy(dtype, shape, new Uint8Array(0))).toString('base64');
        const reply = run(node, text, (keys) => ({ op: 'save', keys, file, header, steps }));
        assert.equal(reply.kind, 'json');
        return parseSaved(reply.value);
      };
      const whole = path.join(dir, 'big.npy');
      assert.deepEqual(save('big', whole, [24], 'float32', null), { shape: [24], dtype: 'float32', bytes: fs.statSync(whole).size });
      assert.deepEqual(Array.from((await readDenseTensor(whole)).data), Array.from({ length: 24 }, (_, i) => i));
      const sampled = path.join(dir, 'grid.npy');
      save('grid', sampled, [2, 2], 'float64', [1, 2]);
      const g = await readDenseTensor(sampled);
      assert.deepEqual([g.dtype, g.shape, Array.from(g.data)], ['float64', [2, 2], [1, 3, 4, 6]]);
      const again = save('big', whole, [24], 'float32', null) as Failure;
      assert.deepEqual([again.code, again.message.startsWith('EEXIST')], ['write', true]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes keys as data: a hostile key is looked up, never run', () => {
    const key = `'); marked = true; ('`;
    const context = vm.createContext({ marked: false, table: { [key]: new Float64Array([1, 2]), 'clé 🙂': new Int8Array(3) } });
    const text = `table["${key}"]`;
    assert.deepEqual(ok(describe_(context, text)).shape, [2]);
    assert.deepEqual(ok(describe_(context, 'table["clé 🙂"]')).shape, [3], 'non-ASCII keys survive the request encoding');
    assert.equal(context.marked, false);
    const p = parseValuePath(text, 'javascript');
    assert.ok(!javascriptExpression(p.root, { op: 'describe', keys: javascriptKeys(p) }).includes('marked'));
  });

  it('refuses to place anything but an identifier as the root', () => {
    for (const root of ['a;b', 'x)', 'process.exit', 'a\nb', '']) {
      assert.throws(() => javascriptExpression(root, { op: 'describe', keys: [] }), /refusing/);
    }
  });
});
