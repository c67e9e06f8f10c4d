/**
 * The program NormScope runs in a paused Python frame, run here by Debian's Python (numpy, torch) the way
 * debugpy evaluates it: `eval` in the frame's globals with its locals merged over them. No debugger is involved:
 * these tests pin what the program reads, writes, refuses and leaves behind.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pythonExpression, type PythonRequest } from '../../../src/extension/debug/pythonProgram';
import { isFailure, parseDescription, parseSaved, unwrapReply, type Description, type Failure, type Saved } from '../../../src/extension/debug/replies';
import { parseValuePath } from '../../../src/extension/debug/valuePath';
import { readDenseTensor } from '../../../src/node/tensorFiles';

const DEBIAN_PYTHON = '/usr/bin/python3';

/** Evaluates each expression at module level after `setup`; returns the repr of each result and the names it added. */
function evaluate(setup: string, expressions: string[], pythonArgs: string[] = [], python = DEBIAN_PYTHON): { repr: string; leaked: string[] }[] {
  const harness = `import json, sys
${setup}
def _evaluate_all(expressions):
    results = []
    for expression in expressions:
        scope = dict(globals())
        before = set(scope)
        value = eval(compile(expression, '<debug>', 'eval'), scope)
        results.append(dict(repr=repr(value), leaked=sorted(set(scope) - before)))
    return results
print(json.dumps(_evaluate_all(json.loads(sys.stdin.read()))))
`;
  const r = spawnSync(python, [...pythonArgs, '-c', harness], { input: JSON.stringify(expressions), encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`${python} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { repr: string; leaked: string[] }[];
}

function request(text: string, op: 'describe'): PythonRequest;
function request(text: string, op: 'save', file: string, steps?: number[]): PythonRequest;
function request(text: string, op: 'describe' | 'save', file = '', steps: number[] | null = null): PythonRequest {
  const p = parseValuePath(text, 'python');
  return op === 'describe' ? { op, path: p } : { op, path: p, file, steps };
}

function json(repr: string): unknown {
  const reply = unwrapReply(repr);
  assert.equal(reply.kind, 'json');
  return reply.value;
}

function described(repr: string): Description {
  const d = parseDescription(json(repr));
  if (isFailure(d)) assert.fail(`failed: ${JSON.stringify(d)}`);
  return d;
}

function failed(reply: Description | Saved | Failure): Failure {
  if (!isFailure(reply)) assert.fail(`expected a failure, got ${JSON.stringify(reply)}`);
  return reply;
}

const haveDebianPython = spawnSync(DEBIAN_PYTHON, ['-c', 'import numpy, torch'], { encoding: 'utf8' }).status === 0;

describe('debug Python program', function () {
  this.timeout(60000);
  let dir: string;
  before(function () {
    if (!haveDebianPython) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'normscope-pyprogram-'));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('describes and saves numpy arrays and PyTorch tensors (bfloat16, requires_grad), whole and sampled', async () => {
    const files = ['act.npy', 'bf16.npy', 'sampled.npy'].map((f) => path.join(dir, f));
    const results = evaluate(`import numpy as np, torch
act = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
class Holder: pass
holder = Holder()
holder.weights = {'w': torch.arange(6, dtype=torch.bfloat16).reshape(2, 3).requires_grad_()}`, [
      pythonExpression(request('act', 'describe')),
      pythonExpression(request('act', 'save', files[0])),
      pythonExpression(request(`holder.weights['w']`, 'describe')),
      pythonExpression(request(`holder.weights['w']`, 'save', files[1])),
      pythonExpression(request('act', 'save', files[2], [1, 2, 3])),
    ]);
    for (const r of results) assert.deepEqual(r.leaked, [], 'the program adds nothing to the frame');

    const d = described(results[0].repr);
    assert.deepEqual([d.origin, d.typeName, d.shape, d.dtype, d.target, d.note], ['numpy', 'numpy.ndarray', [2, 3, 4], 'float32', 'float32', null]);
    const saved = parseSaved(json(results[1].repr)) as Saved;
    assert.deepEqual(saved.shape, [2, 3, 4]);
    assert.equal(saved.bytes, fs.statSync(files[0]).size);
    assert.deepEqual(Array.from((await readDenseTensor(files[0])).data), Array.from({ length: 24 }, (_, i) => i));

    const t = described(results[2].repr);
    assert.deepEqual([t.origin, t.typeName, t.shape, t.dtype, t.target, t.device, t.requiresGrad], ['torch', 'torch.Tensor', [2, 3], 'bfloat16', 'float32', 'cpu', true]);
    assert.match(t.note ?? '', /bfloat16 converted to float32/);
    const bf16 = await readDenseTensor(files[1]);
    assert.equal(bf16.dtype, 'float32');
    assert.deepEqual(Array.from(bf16.data), [0, 1, 2, 3, 4, 5]);

    const sampled = await readDenseTensor(files[2]);
    assert.deepEqual(sampled.shape, [2, 2, 2]);
    assert.deepEqual(Array.from(sampled.data), [0, 3, 8, 11, 12, 15, 20, 23]);
  });

  it("reads a dict entry under a hostile key as data: the key's code never runs", () => {
    const marker = path.join(dir, 'MARKER');
    const key = `x'); open('${marker}', 'w'); ('`;
    const evaluateName = `hostile["${key}"]`; // what debugpy gives the Variables view for that entry
    const [r] = evaluate(`import numpy as np
hostile = {${JSON.stringify(key)}: np.arange(4.0)}`, [pythonExpression(request(evaluateName, 'describe'))]);
    assert.deepEqual(described(r.repr).shape, [4]);
    assert.equal(fs.existsSync(marker), false);
    assert.ok(!pythonExpression(request(evaluateName, 'describe')).includes('open('), 'the key is not in the evaluated source');
  });

  it('says what went wrong: undefined, failed lookups, not a tensor, ragged, dtype, no values, existing file', () => {
    const existing = path.join(dir, 'exists.npy');
    fs.writeFileSync(existing, 'taken');
    const results = evaluate(`import numpy as np, torch
acts = {'conv1': np.zeros(3)}
config = {'lr': 0.1}
ragged = [[1.0, 2.0], [3.0]]
numbers = (1.5, 2.5, 3.5)
words = ['a', 'b']
z = np.zeros(2, dtype=np.complex64)
meta = torch.empty(2, 3, device='meta')
act = np.ones(2)`, [
      pythonExpression(request('nothing_here', 'describe')),
      pythonExpression(request(`acts['conv9']`, 'describe')),
      pythonExpression(request('config', 'describe')),
      pythonExpression(request('ragged', 'describe')),
      pythonExpression(request('numbers', 'describe')),
      pythonExpression(request('words', 'describe')),
      pythonExpression(request('z', 'describe')),
      pythonExpression(request('meta', 'describe')),
      pythonExpression(request('act', 'save', existing)),
    ]);
    const replies = results.map((r) => parseDescription(json(r.repr)));
    assert.equal(failed(replies[0]).code, 'undefined');
    assert.deepEqual([failed(replies[1]).code, failed(replies[1]).step, failed(replies[1]).message], ['lookup', 0, "KeyError: 'conv9'"]);
    assert.deepEqual([failed(replies[2]).code, failed(replies[2]).typeName], ['not-tensor', 'dict']);
    assert.match(failed(replies[3]).message, /^is ragged/);
    assert.deepEqual((replies[4] as Description).shape, [3]);
    assert.equal((replies[4] as Description).origin, 'sequence');
    assert.match(failed(replies[5]).message, /holds <U1 values|holds str\d* values/);
    assert.deepEqual([failed(replies[6]).code, failed(replies[6]).message], ['dtype', 'complex64']);
    assert.equal(failed(replies[7]).code, 'no-data');
    assert.deepEqual([failed(parseSaved(json(results[8].repr))).code, failed(parseSaved(json(results[8].repr))).message.split(':')[0]], ['write', 'FileExistsError']);
    assert.equal(fs.readFileSync(existing, 'utf8'), 'taken');
  });

  it('reports a debuggee without numpy', () => {
    // -S leaves out site-packages, where Debian's numpy lives: a Python without numpy
    const [r] = evaluate('values = [1.0, 2.0]', [pythonExpression(request('values', 'describe'))], ['-S']);
    const f = failed(parseDescription(json(r.repr)));
    assert.deepEqual([f.code, f.python], ['no-numpy', DEBIAN_PYTHON]);
  });

  // Debian has no TensorFlow or JAX: set NORMSCOPE_TF_JAX_PYTHON to a Python that has both to run this one (it was
  // run with tensorflow-cpu 2.21 and jax 0.10.2 on numpy 2.4, from the wheels in /opt/pypi/files)
  it('reads TensorFlow eager tensors and variables and JAX arrays (bfloat16 too), refuses tracers and graph tensors', async function () {
    const python = process.env.NORMSCOPE_TF_JAX_PYTHON;
    if (!python) this.skip();
    const file = (name: string) => path.join(dir, `${name}.npy`);
    const results = evaluate(`import os
os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'
import numpy as np, jax, jax.numpy as jnp, tensorflow as tf
tf_act = tf.constant(np.arange(2 * 4 * 4 * 3, dtype=np.float32).reshape(2, 4, 4, 3))
tf_bf = tf.cast(tf.constant([[1.5, -2.25], [3.0, 0.125]]), tf.bfloat16)
tf_var = tf.Variable(np.ones((3, 2)))
jx_bf = jnp.array([1.5, -2.25, 3.0], dtype=jnp.bfloat16)
@jax.jit
def traced(x):
    global tracer
    tracer = x
    return x
traced(jx_bf)
@tf.function
def graph(x):
    global symbolic
    symbolic = x * 2
    return x
graph(tf_act)`, [
      pythonExpression(request('tf_act', 'describe')), pythonExpression(request('tf_act', 'save', file('tf_act'), [1, 2, 2, 1])),
      pythonExpression(request('tf_bf', 'save', file('tf_bf'))), pythonExpression(request('tf_var', 'describe')),
      pythonExpression(request('jx_bf', 'describe')), pythonExpression(request('jx_bf', 'save', file('jx_bf'))),
      pythonExpression(request('tracer', 'describe')), pythonExpression(request('symbolic', 'describe')),
    ], [], python);
    const act = described(results[0].repr);
    assert.deepEqual([act.origin, act.shape, act.target], ['tensorflow', [2, 4, 4, 3], 'float32']);
    assert.deepEqual(Array.from((await readDenseTensor(file('tf_act'))).data).slice(0, 6), [0, 1, 2, 6, 7, 8]);
    assert.deepEqual(Array.from((await readDenseTensor(file('tf_bf'))).data), [1.5, -2.25, 3, 0.125]);
    assert.equal(described(results[3].repr).typeName, 'tensorflow.python.ops.resource_variable_ops.ResourceVariable');
    assert.deepEqual([described(results[4].repr).origin, described(results[4].repr).dtype], ['jax', 'bfloat16']);
    assert.deepEqual(Array.from((await readDenseTensor(file('jx_bf'))).data), [1.5, -2.25, 3]);
    assert.match(failed(parseDescription(json(results[6].repr))).message, /JAX tracer/);
    assert.match(failed(parseDescription(json(results[7].repr))).message, /symbolic TensorFlow tensor/);
  });

  it('keeps everything but the two base64 literals fixed', () => {
    const expression = pythonExpression(request(`d["a'; b"]`, 'describe'));
    const literals = expression.replace(/'[A-Za-z0-9+/]*={0,2}'/g, "'…'");
    assert.equal(literals, "(lambda b, ns: (b.exec(b.__import__('…').b64decode('…'), ns), ns['…'])[1])"
      + "(__import__('…'), {'scope_locals': __import__('…').locals(), 'scope_globals': __import__('…').globals(), '…': '…'})");
  });
});
