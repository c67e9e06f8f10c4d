/**
 * Parsers under attack (issue 9): fast-check throws random inputs and mutations of the real-library fixtures at
 * every parser. Each input must give tensors that honour the stream contract, or a UserError; never another
 * exception, never a hang (each input is timed), never a read or chunk larger than the input allows.
 * Seeds are fixed; FUZZ_RUNS scales the number of inputs (default 10 000 per parser).
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { fixture } from '../helpers';
import { npyBytes, safetensorsBytes, utf8, WatchedSource } from './formatHelpers';
import type { TensorContainer } from '../../../src/formats/container';
import { openJsonTensors } from '../../../src/formats/jsonTensor';
import { LEX_WINDOW_BYTES } from '../../../src/formats/lexWindows';
import { parseTensorLiteral } from '../../../src/formats/literal';
import { openNpy } from '../../../src/formats/npy';
import { openNpz } from '../../../src/formats/npz';
import { openSafetensors } from '../../../src/formats/safetensors';
import { MAX_DEFLATE_RATIO } from '../../../src/formats/inflateMember';
import { DTYPE_BYTES } from '../../../src/engine/dtype';
import { isUserError } from '../../../src/engine/errors';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
/** An input taking longer than this is a hang for our purposes: every input here is a few KB. */
const MAX_INPUT_MS = 2000;
const CHUNK = 256;

interface Tally {
  inputs: number;
  opened: number;
  userErrors: number;
  maxMs: number;
  maxRssMB: number;
}
const tallies = new Map<string, Tally>();

function tally(parser: string): Tally {
  let t = tallies.get(parser);
  if (!t) tallies.set(parser, (t = { inputs: 0, opened: 0, userErrors: 0, maxMs: 0, maxRssMB: 0 }));
  return t;
}

/** Streams every entry twice (restartability) checking whole-element, bounded chunks that add up to byteLength. */
async function drain(container: TensorContainer, maxEntryBytes: number): Promise<void> {
  for (const entry of container.entries) {
    assert.ok(entry.byteLength <= maxEntryBytes, `entry '${entry.name}' claims ${entry.byteLength} bytes from a ${maxEntryBytes}-byte bound`);
    const width = DTYPE_BYTES[entry.dtype];
    for (let pass = 0; pass < 2; pass++) {
      let total = 0;
      for await (const chunk of entry.stream(CHUNK)) {
        assert.ok(chunk.byteLength % width === 0 && chunk.byteLength <= Math.max(CHUNK, width), `bad chunk of ${chunk.byteLength} bytes`);
        total += chunk.byteLength;
      }
      assert.equal(total, entry.byteLength);
    }
  }
}

/**
 * Runs one input through `open` and `drain`: a value or a UserError, nothing else, in bounded time and reads.
 * `maxEntryBytes` is what the header validation may allow for that input.
 */
async function attack(parser: string, bytes: Uint8Array, open: (source: WatchedSource) => Promise<TensorContainer>,
  maxEntryBytes: number): Promise<void> {
  const t = tally(parser);
  const source = new WatchedSource(bytes);
  const started = performance.now();
  try {
    await drain(await open(source), maxEntryBytes);
    t.opened++;
  } catch (e) {
    if (!isUserError(e)) throw e;
    t.userErrors++;
  }
  const ms = performance.now() - started;
  t.inputs++;
  t.maxMs = Math.max(t.maxMs, ms);
  if (t.inputs % 250 === 0) t.maxRssMB = Math.max(t.maxRssMB, process.memoryUsage().rss / 2 ** 20);
  assert.ok(ms < MAX_INPUT_MS, `${parser}: one input took ${ms.toFixed(0)} ms`);
  assert.ok(source.largestRead <= Math.max(bytes.length, LEX_WINDOW_BYTES, 1 << 20), `${parser}: a read of ${source.largestRead} bytes from ${bytes.length}`);
}

// ---------------------------------------------------------------- mutations of real files

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'boundary'; at: number; value: number; width: number };

/** Positions favour the first 300 bytes, where every header lives. */
const position = fc.oneof({ weight: 3, arbitrary: fc.nat(300) }, { weight: 1, arbitrary: fc.nat() });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.nat(255) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ maxLength: 12 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, count: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('boundary' as const), at: position, value: fc.constantFrom(0, 1, 0x7f, 0xff, 0xffff, 0x7fffffff, 0xffffffff), width: fc.constantFrom(1, 2, 4) }),
);

function mutate(base: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = base.slice();
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    switch (m.kind) {
      case 'flip': b[at] ^= 1 << m.bit; break;
      case 'set': b[at] = m.value; break;
      case 'insert': {
        const out = new Uint8Array(b.length + m.bytes.length);
        out.set(b.subarray(0, at));
        out.set(m.bytes, at);
        out.set(b.subarray(at), at + m.bytes.length);
        b = out;
        break;
      }
      case 'delete': b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + m.count)]); break;
      case 'truncate': b = b.slice(0, at); break;
      case 'boundary':
        for (let i = 0; i < m.width && at + i < b.length; i++) b[at + i] = (m.value >>> (8 * i)) & 0xff;
        break;
    }
  }
  return b;
}

function corpus(dir: string, maxBytes = 16 << 10): Uint8Array[] {
  return readdirSync(fixture('formats', dir))
    .map((f) => new Uint8Array(readFileSync(fixture('formats', dir, f))))
    .filter((b) => b.length <= maxBytes);
}

function mutated(files: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.tuple(fc.nat(files.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([i, ms]) => mutate(files[i], ms));
}

// ---------------------------------------------------------------- generated inputs

const dimension = fc.oneof(fc.nat(6), fc.constantFrom(0, 1e6, 2 ** 31, 2 ** 53, 1e12));

const npyHeaderText = fc.tuple(
  fc.constantFrom("'<f4'", "'>f8'", "'|b1'", "'<i8'", "'<f2'", "'|O'", "'<c8'", "'<U3'", "[('x', '<f4')]", "'<q9'", '7', "'<f4' '<f4'"),
  fc.constantFrom('False', 'True', '0', 'None'),
  fc.array(dimension, { maxLength: 5 }),
  fc.constantFrom('', ', }', ',', " 'extra': 1,"),
).map(([descr, order, shape, tail]) => `{'descr': ${descr}, 'fortran_order': ${order}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''})${tail}}`);

const generatedNpy = fc.tuple(npyHeaderText, fc.nat(200), fc.constantFrom(1, 2, 3)).map(([header, dataBytes, major]) =>
  npyBytes(header, new Uint8Array(dataBytes), major));

const safetensorsDtype = fc.constantFrom('F32', 'F16', 'BF16', 'F64', 'I64', 'U8', 'BOOL', 'F8_E4M3', 'C64', 'f32', '');
const generatedSafetensors = fc.tuple(
  fc.array(fc.tuple(fc.string({ maxLength: 6 }), safetensorsDtype, fc.array(dimension, { maxLength: 3 }), fc.nat(300), fc.nat(300)), { maxLength: 5 }),
  fc.nat(300),
  fc.option(fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ maxLength: 4 }), fc.integer())), { nil: undefined }),
).map(([tensors, dataBytes, metadata]) => {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  for (const [name, dtype, shape, a, b] of tensors) header[name] = { dtype, shape, data_offsets: [a, b] };
  return safetensorsBytes(header, new Uint8Array(dataBytes));
});

/** Nested arrays of numbers, sometimes ragged or polluted, inside the three JSON layouts. */
const leaf = fc.oneof(
  { weight: 6, arbitrary: fc.double().map((d) => (Number.isFinite(d) ? JSON.stringify(d) : d > 0 ? 'Infinity' : d < 0 ? '-Infinity' : 'NaN')) },
  { weight: 3, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', '"x"', '9223372036854775808', '1e999', '-0', '{}') },
);
const nested: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof({ maxDepth: 4, depthIdentifier: 'json' }, leaf, fc.array(tie('node'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`)),
})).node;
const generatedJson = fc.oneof(
  nested,
  fc.tuple(fc.option(fc.array(dimension, { maxLength: 3 })), fc.option(fc.constantFrom('float32', 'int8', 'uint64', 'bool', 'bfloat16', 'complex64', 'nope')), nested)
    .map(([shape, dtype, data]) => JSON.stringify({ ...(shape ? { shape } : {}), ...(dtype ? { dtype } : {}) }).replace(/}$/, `${shape || dtype ? ',' : ''}"data":${data}}`)),
  fc.dictionary(fc.string({ maxLength: 4 }), nested, { maxKeys: 4 }).map((d) => `{${Object.entries(d).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  fc.json(),
).map(utf8);

const literalTokens = [
  '[', ']', '(', ')', ',', ' ', '\n', '1', '-2', '3.5', '1e-8', '.5', '1.', 'nan', '-inf', 'inf', 'True', 'False', 'None', '...',
  'array(', 'tensor(', 'np.array(', 'torch.tensor(', 'tf.constant(', 'dtype=float32', 'dtype=torch.float16', 'dtype=np.int8',
  "dtype='bfloat16'", 'dtype=complex64', "device='cuda:0'", 'requires_grad=True', 'grad_fn=<MulBackward0>', 'size=(0, 3)',
  'shape=(2,)', '<tf.Tensor:', '<tf.Variable', "'v:0'", 'numpy=', '>', '<', '=', ':', 'Parameter containing:', 'layout=torch.sparse_coo',
  '"', "'", '#', '\\', '1j', '0x1f', '9223372036854775808',
];
const generatedLiteral = fc.array(fc.constantFrom(...literalTokens), { maxLength: 40 }).map((ts) => ts.join(''));

// ---------------------------------------------------------------- the properties

const npyCorpus = corpus('npy');
const npzCorpus = corpus('npz');
const safetensorsCorpus = corpus('safetensors');
const jsonCorpus = corpus('json');
const literalCorpus = corpus('literals').map((b) => new TextDecoder().decode(b));

const openAsNpy = (s: WatchedSource) => openNpy(s);
const openAsNpz = (s: WatchedSource) => openNpz(s, 'fuzz.npz');
const openAsSafetensors = (s: WatchedSource) => openSafetensors(s, 'fuzz.safetensors');
const openAsJson = (s: WatchedSource) => openJsonTensors(s, 'fuzz.json');
const openAsLiteral = async (s: WatchedSource) => parseTensorLiteral(new TextDecoder().decode(await s.read(0, s.size)));

/** What a header may make us stream: the file itself for raw formats; DEFLATE's best ratio for .npz; 8 bytes a character for text. */
const rawBound = (b: Uint8Array) => b.length;
const npzBound = (b: Uint8Array) => b.length * MAX_DEFLATE_RATIO + 1024;
const textBound = (b: Uint8Array) => b.length * 8;

async function fuzz(name: string, arbitrary: fc.Arbitrary<Uint8Array>, open: (s: WatchedSource) => Promise<TensorContainer>,
  bound: (b: Uint8Array) => number, runs: number, seed: number): Promise<void> {
  await fc.assert(fc.asyncProperty(arbitrary, (bytes) => attack(name, bytes, open, bound(bytes))), { numRuns: runs, seed, endOnFailure: true });
}

describe(`formats: fuzzing (${RUNS} inputs per parser, fixed seeds)`, function () {
  this.timeout(0);
  const generatedShare = Math.round(RUNS * 0.4);
  const mutatedShare = RUNS - generatedShare;

  it('.npy: generated headers and mutated numpy files', async () => {
    await fuzz('npy', generatedNpy, openAsNpy, rawBound, generatedShare, 101);
    await fuzz('npy', mutated(npyCorpus), openAsNpy, rawBound, mutatedShare, 102);
  });

  it('.npz: random bytes and mutated np.savez / np.savez_compressed / ZIP64 archives', async () => {
    await fuzz('npz', fc.uint8Array({ maxLength: 400 }), openAsNpz, npzBound, generatedShare, 201);
    await fuzz('npz', mutated(npzCorpus), openAsNpz, npzBound, mutatedShare, 202);
  });

  it('.safetensors: generated headers and mutated files', async () => {
    await fuzz('safetensors', generatedSafetensors, openAsSafetensors, rawBound, generatedShare, 301);
    await fuzz('safetensors', mutated(safetensorsCorpus), openAsSafetensors, rawBound, mutatedShare, 302);
  });

  it('JSON: generated tensors (ragged, polluted, mis-declared) and mutated files', async () => {
    await fuzz('json', generatedJson, openAsJson, textBound, generatedShare, 401);
    await fuzz('json', mutated(jsonCorpus), openAsJson, textBound, mutatedShare, 402);
  });

  it('text literals: generated token soup and mutated printouts', async () => {
    await fuzz('literal', generatedLiteral.map(utf8), openAsLiteral, textBound, generatedShare, 501);
    await fuzz('literal', mutated(literalCorpus.map(utf8)), openAsLiteral, textBound, mutatedShare, 502);
  });

  after(() => {
    for (const [parser, t] of tallies) {
      console.log(`      fuzz ${parser}: ${t.inputs} inputs (${t.opened} opened, ${t.userErrors} user errors), max ${t.maxMs.toFixed(1)} ms per input, max RSS ${t.maxRssMB.toFixed(0)} MB`);
    }
  });
});
