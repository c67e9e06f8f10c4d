// "Inspect Variable" against real debuggers in a real VS Code: Debian's debugpy (through the test-only debug type
// of test/fixtures/debug-extension) and the built-in JavaScript debugger. The debuggees print what numpy / plain
// float64 arithmetic computes for their tensors; the statistics NormScope computes from what it transferred must
// equal those figures. Hostile names and selections must not run anything in the debuggee.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { DEFAULT_INSPECT_OPTIONS } from '../../src/engine/inspect/types';
import type { InspectVariableResult } from '../../src/extension/debug/inspectVariable';
import { JAVASCRIPT_CHUNK_BYTES } from '../../src/extension/debug/valueReader';
import { Commands } from '../../src/extension/ids';
import { normScope } from './helpers';

/** What a debuggee printed for one tensor at one stop. */
interface Stats { shape: number[]; mean: number; var: number; min: number; max: number; channel_mean: number[]; channel_var: number[] }
type Expected = Record<string, Stats> & { step: number };
/** A DAP Variable, the fields the Variables view passes on. */
interface DapVariable { name: string; value: string; evaluateName?: string; variablesReference: number }

const debugFolder = () => path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'debug');


/** Resolves when `fire` passes a value `pick` accepts; rejects after `ms` (a hang guard, not a timing assertion). */
function next<E, T>(event: vscode.Event<E>, pick: (e: E) => T | undefined, what: string, ms = 120000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      d.dispose();
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    const d = event((e) => {
      const v = pick(e);
      if (v === undefined) return;
      clearTimeout(timer);
      d.dispose();
      resolve(v);
    });
  });
}

/** Everything the adapters print and every `evaluate` they are asked, for all sessions of the suite. */
class AdapterLog implements vscode.Disposable {
  readonly output: string[] = [];
  readonly evaluates: string[] = [];
  private readonly printed = new vscode.EventEmitter<string>();
  private readonly registration = vscode.debug.registerDebugAdapterTrackerFactory('*', {
    createDebugAdapterTracker: () => {
      let partial = ''; // adapters may split a printed line over several output events
      return {
        onWillReceiveMessage: (m: { type?: string; command?: string; arguments?: { expression?: string } }) => {
          if (m.type === 'request' && m.command === 'evaluate') this.evaluates.push(m.arguments?.expression ?? '');
        },
        onDidSendMessage: (m: { type?: string; event?: string; body?: { output?: string; category?: string } }) => {
          // the program's own output only: the adapters' console messages do not always end their lines
          if (m.type !== 'event' || m.event !== 'output' || !m.body?.output || m.body.category !== 'stdout') return;
          const lines = (partial + m.body.output).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            this.output.push(line);
            this.printed.fire(line);
          }
        },
      };
    },
  });

  /** The NORMSCOPE_EXPECTED line of `step`, printed before the debuggee stops there. */
  expected(step: number): Promise<Expected> {
    const parse = (line: string) => {
      if (!line.startsWith('NORMSCOPE_EXPECTED ')) return undefined;
      const e = JSON.parse(line.slice('NORMSCOPE_EXPECTED '.length)) as Expected;
      return e.step === step ? e : undefined;
    };
    const seen = this.output.map(parse).find((e) => e);
    return seen ? Promise.resolve(seen) : next(this.printed.event, parse, `the statistics of step ${step}`);
  }

  dispose(): void {
    this.registration.dispose();
    this.printed.dispose();
  }
}

/** Starts `config` and resolves at its first stop, with the focused frame. */
async function startAndStop(config: vscode.DebugConfiguration): Promise<vscode.DebugStackFrame> {
  const stopped = next(vscode.debug.onDidChangeActiveStackItem,
    (item) => (item instanceof vscode.DebugStackFrame && item.session.name.includes(config.name) ? item : undefined), `${config.name} to stop`);
  assert.ok(await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], config), `${config.name} did not start`);
  return stopped;
}

/** The focused frame's first scope (locals), as the Variables view lists it. */
async function locals(frame: vscode.DebugStackFrame): Promise<DapVariable[]> {
  const { scopes } = await frame.session.customRequest('scopes', { frameId: frame.frameId }) as { scopes: { variablesReference: number }[] };
  return children(frame.session, scopes[0].variablesReference);
}

async function children(session: vscode.DebugSession, variablesReference: number): Promise<DapVariable[]> {
  return (await session.customRequest('variables', { variablesReference }) as { variables: DapVariable[] }).variables;
}

/** The argument VS Code passes from the Variables view's context menu (its Variable.toJSON()). */
function variablesViewArg(session: vscode.DebugSession, variable: DapVariable) {
  return { sessionId: session.id, container: { name: 'Locals', variablesReference: 1, expensive: false }, variable };
}

/** The argument VS Code passes from the Watch view's context menu for a watch expression. */
function watchArg(session: vscode.DebugSession, expression: string) {
  return { sessionId: session.id, variable: { name: expression, evaluateName: expression, variablesReference: 0, value: '' } };
}

async function inspect(arg: unknown): Promise<InspectVariableResult> {
  return vscode.commands.executeCommand<InspectVariableResult>(Commands.inspectVariable, arg);
}

function opened(result: InspectVariableResult): Extract<InspectVariableResult, { kind: 'opened' }> {
  assert.strictEqual(result.kind, 'opened', result.kind === 'failed' ? result.message : 'cancelled');
  return result as Extract<InspectVariableResult, { kind: 'opened' }>;
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.abs(expected) + 1e-12, `${what}: ${actual} vs the debuggee's ${expected}`);
}

/**
 * The statistics of what NormScope received equal what the debuggee computed: overall (shape, mean, var, min,
 * max) from the engine, per channel from the first point of the follow history (the guessed channel axis).
 */
async function checkStats(result: Extract<InspectVariableResult, { kind: 'opened' }>, expected: Stats, what: string): Promise<void> {
  const { engine } = await normScope();
  const computed = await engine.inspect(result.value.source, { ...DEFAULT_INSPECT_OPTIONS, op: 'none', channelAxis: null, bins: 10 }).promise;
  assert.deepStrictEqual(computed.shape, expected.shape, `${what} shape`);
  const overall = computed.overall.before;
  close(overall.mean, expected.mean, `${what} mean`);
  close(overall.var, expected.var, `${what} var`);
  assert.strictEqual(overall.min, expected.min, `${what} min`);
  assert.strictEqual(overall.max, expected.max, `${what} max`);
  const first = result.follower.history[0];
  assert.strictEqual(first.mean.length, expected.channel_mean.length, `${what}: channels of the guessed layout ${result.value.guess.layout}`);
  first.mean.forEach((m, c) => close(m, expected.channel_mean[c], `${what} channel ${c} mean`));
  first.var.forEach((v, c) => close(v, expected.channel_var[c], `${what} channel ${c} var`));
}

/** Runs `action` and returns the evaluate requests any adapter received meanwhile. */
async function evaluatesDuring<T>(log: AdapterLog, action: () => Promise<T>): Promise<{ result: T; evaluates: string[] }> {
  const before = log.evaluates.length;
  const result = await action();
  return { result, evaluates: log.evaluates.slice(before) };
}

/**
 * Launches `config` (its program relative to the debug fixtures, which are also its working directory) before the
 * suite's tests, and stops it after them; panels are closed between tests. The fields are set once it stopped.
 */
function debuggeeForSuite(config: vscode.DebugConfiguration): { log: AdapterLog; frame: vscode.DebugStackFrame } {
  const debuggee = {} as { log: AdapterLog; frame: vscode.DebugStackFrame };
  suiteSetup(async () => {
    await normScope();
    debuggee.log = new AdapterLog();
    debuggee.frame = await startAndStop({ ...config, program: path.join(debugFolder(), config.program as string), cwd: debugFolder() });
  });
  suiteTeardown(async () => {
    await vscode.debug.stopDebugging();
    debuggee.log?.dispose();
  });
  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  return debuggee;
}

suite('debug: no paused session', () => {
  test('Inspect Variable says that no debug session is paused', async () => {
    await normScope();
    const result = await inspect({ variable: { name: 'act', evaluateName: 'act' } });
    assert.strictEqual(result.kind, 'failed');
    assert.match((result as { message: string }).message, /No debug session is paused/);
  });
});

suite('debug: Python (debugpy)', function () {
  this.timeout(300000);
  const marker = () => path.join(debugFolder(), 'normscope-pwned-py.txt');
  const debuggee = debuggeeForSuite({
    type: 'normscope-test-python', request: 'launch', name: 'NormScope activations.py', program: 'activations.py',
    console: 'internalConsole', justMyCode: true, env: { PYDEVD_DISABLE_FILE_VALIDATION: '1' },
  });
  let log: AdapterLog;
  let frame: vscode.DebugStackFrame;
  suiteSetup(() => ({ log, frame } = debuggee));

  test('a numpy activation from the Variables view: the statistics are numpy\'s, the temporary file is gone', async () => {
    const expected = await log.expected(0);
    const act = (await locals(frame)).find((v) => v.name === 'act')!;
    assert.strictEqual(act.evaluateName, 'act');
    const { result, evaluates } = await evaluatesDuring(log, () => inspect(variablesViewArg(frame.session, act)));
    const r = opened(result);
    assert.strictEqual(r.value.guess.layout, 'NCHW');
    assert.strictEqual(r.value.description.origin, 'numpy');
    await checkStats(r, expected.act, 'act');
    const tempFile = r.value.read.tempFile!;
    assert.ok(tempFile.startsWith(os.tmpdir()), tempFile);
    assert.ok(!fs.existsSync(tempFile) && !fs.existsSync(path.dirname(tempFile)), `${tempFile} and its folder are deleted`);
    assert.strictEqual(evaluates.length, 2, 'one evaluate to describe, one to save');
    for (const e of evaluates) assert.match(e, /^\(lambda b, ns: \(b\.exec\(b\.__import__\('base64'\)\.b64decode\('[A-Za-z0-9+/=]+'\), ns\), ns\['reply'\]\)\[1\]\)/);
  });

  test('a PyTorch bfloat16 tensor with requires_grad from the Watch view arrives as float32, exactly', async () => {
    const expected = await log.expected(0);
    const r = opened(await inspect(watchArg(frame.session, 'feat')));
    assert.deepStrictEqual([r.value.description.origin, r.value.description.dtype, r.value.description.target, r.value.description.requiresGrad],
      ['torch', 'bfloat16', 'float32', true]);
    assert.match(r.value.info.detail, /bfloat16 converted to float32/);
    await checkStats(r, expected.feat, 'feat');
  });

  test('an editor selection is an expression of the paused frame; a transformer activation is guessed (N, L, C)', async () => {
    const expected = await log.expected(0);
    const doc = await vscode.workspace.openTextDocument(path.join(debugFolder(), 'activations.py'));
    const editor = await vscode.window.showTextDocument(doc);
    const at = doc.positionAt(doc.getText().indexOf('tokens = torch'));
    editor.selection = new vscode.Selection(at, at.translate(0, 'tokens'.length));
    const r = opened(await inspect(doc.uri)); // the editor menu passes the document's Uri
    assert.deepStrictEqual([r.value.guess.layout, r.value.guess.options.op], ['(N, L, C)', 'layernorm']);
    await checkStats(r, expected.tokens, 'tokens');
  });

  test("a hostile dict key from the Variables view is read as data: the key's code never runs", async () => {
    const expected = await log.expected(0);
    const hostile = (await locals(frame)).find((v) => v.name === 'hostile')!;
    const entry = (await children(frame.session, hostile.variablesReference)).find((v) => v.evaluateName?.startsWith('hostile['))!;
    assert.match(entry.evaluateName!, /open\('normscope-pwned-py\.txt', 'w'\)/, 'debugpy names the entry with the key as written');
    const { result, evaluates } = await evaluatesDuring(log, () => inspect(variablesViewArg(frame.session, entry)));
    await checkStats(opened(result), expected.act, 'hostile[key]');
    assert.ok(evaluates.every((e) => !e.includes('open(') && !e.includes('pwned')), 'the key is never part of the evaluated source');
    assert.strictEqual(fs.existsSync(marker()), false, 'nothing ran in the debuggee');
  });

  test('hostile selections are refused before anything reaches the debugger', async () => {
    const hostile = [
      "act; open('normscope-pwned-py.txt', 'w')",
      "__import__('os').system('touch normscope-pwned-py.txt')",
      "act\nopen('normscope-pwned-py.txt', 'w')",
      "act[open('normscope-pwned-py.txt', 'w')]",
      "(lambda: open('normscope-pwned-py.txt', 'w'))()",
      "act if open('normscope-pwned-py.txt', 'w') else act",
      "f'{open(\"normscope-pwned-py.txt\", \"w\")}'",
      "config['lr\\'] + open(\"normscope-pwned-py.txt\", \"w\")#']",
    ];
    for (const expression of hostile) {
      const { result, evaluates } = await evaluatesDuring(log, () => inspect(watchArg(frame.session, expression)));
      assert.strictEqual(result.kind, 'failed', expression);
      assert.deepStrictEqual(evaluates, [], `${JSON.stringify(expression)} reached the debugger`);
    }
    assert.strictEqual(fs.existsSync(marker()), false, 'nothing ran in the debuggee');
  });

  test('errors say what happened: not defined in the frame, not a tensor', async () => {
    const undefinedName = await inspect(watchArg(frame.session, 'activation'));
    assert.match((undefinedName as { message: string }).message, /`activation` is not defined in the selected stack frame/);
    const notTensor = await inspect(watchArg(frame.session, 'config'));
    assert.match((notTensor as { message: string }).message, /`config` is a dict, not a tensor/);
  });

  test('"Follow at each stop" reads the variable again at the next stop and records its statistics', async () => {
    const first = await log.expected(0);
    const r = opened(await inspect(watchArg(frame.session, 'act')));
    r.follower.setEnabled(true); // what the panel's "Follow at each stop" toggle sends
    const recorded = next(r.follower.onDidRecord, (p) => (p.stop === 2 ? p : undefined), 'the second stop to be recorded');
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const [second, point] = await Promise.all([log.expected(1), recorded]);
    assert.deepStrictEqual(r.follower.history.map((p) => p.stop), [1, 2]);
    assert.match(point.label, /^forward \(activations\.py:\d+\)$/);
    r.follower.history[0].mean.forEach((m, c) => close(m, first.act.channel_mean[c], `stop 1 channel ${c} mean`));
    point.mean.forEach((m, c) => close(m, second.act.channel_mean[c], `stop 2 channel ${c} mean`));
    point.var.forEach((v, c) => close(v, second.act.channel_var[c], `stop 2 channel ${c} var`));
  });
});

suite('debug: Node.js (js-debug)', function () {
  this.timeout(300000);
  const marker = () => path.join(debugFolder(), 'normscope-pwned-js.txt');
  const debuggee = debuggeeForSuite({
    type: 'node', request: 'launch', name: 'NormScope activations.js', program: 'activations.js', console: 'internalConsole',
  });
  let log: AdapterLog;
  let frame: vscode.DebugStackFrame;
  suiteSetup(() => ({ log, frame } = debuggee));

  test('a Float32Array from the Variables view: the statistics are the debuggee\'s', async () => {
    const expected = await log.expected(0);
    const act = (await locals(frame)).find((v) => v.name === 'act')!;
    const r = opened(await inspect(variablesViewArg(frame.session, act)));
    assert.deepStrictEqual([r.value.description.typeName, r.value.description.dtype, r.value.guess.layout], ['Float32Array', 'float32', '(N,)']);
    await checkStats(r, expected.act, 'act');
  });

  test('a { data, dims } wrapper is read with its shape (NCHW channels) and nested arrays as float64', async () => {
    const expected = await log.expected(0);
    const image = opened(await inspect(watchArg(frame.session, 'image')));
    assert.strictEqual(image.value.guess.layout, 'NCHW');
    await checkStats(image, expected.image, 'image');
    const grid = opened(await inspect(watchArg(frame.session, 'grid')));
    assert.strictEqual(grid.value.description.target, 'float64');
    await checkStats(grid, expected.grid, 'grid');
  });

  test('a 6 MB Float32Array goes through a temporary file in Node, which is gone afterwards', async () => {
    const expected = await log.expected(0);
    const { result, evaluates } = await evaluatesDuring(log, () => inspect(watchArg(frame.session, 'wide')));
    const r = opened(result);
    await checkStats(r, expected.wide, 'wide');
    assert.strictEqual(evaluates.length, 2, 'one evaluate to describe, one to write the file');
    assert.ok(!fs.existsSync(path.dirname(r.value.read.tempFile!)), 'the temporary folder is deleted');
    console.log(`wide (6 MB Float32Array) read through a file in ${r.value.millis} ms`);
  });

  test("a hostile key is read as data, hostile selections are refused: nothing runs in the debuggee", async () => {
    const expected = await log.expected(0);
    const hostile = (await locals(frame)).find((v) => v.name === 'hostile')!;
    const entry = (await children(frame.session, hostile.variablesReference)).find((v) => v.evaluateName?.includes('writeFileSync'))!;
    const { result, evaluates } = await evaluatesDuring(log, () => inspect(variablesViewArg(frame.session, entry)));
    await checkStats(opened(result), expected.act, 'hostile[key]');
    assert.ok(evaluates.every((e) => !e.includes('writeFileSync')), 'the key is never part of the evaluated source');
    for (const expression of ["act; require('fs').writeFileSync('normscope-pwned-js.txt', '')", 'process.exit(1)',
      "act[require('fs').writeFileSync('normscope-pwned-js.txt', '')]", "`${require('fs').writeFileSync('normscope-pwned-js.txt', '')}`",
      "act\nrequire('fs').writeFileSync('normscope-pwned-js.txt', '')", "config['lr\\'] + process.exit(1) + [']"]) {
      const refused = await evaluatesDuring(log, () => inspect(watchArg(frame.session, expression)));
      assert.strictEqual(refused.result.kind, 'failed', expression);
      assert.deepStrictEqual(refused.evaluates, [], `${JSON.stringify(expression)} reached the debugger`);
    }
    assert.strictEqual(fs.existsSync(marker()), false, 'nothing ran in the debuggee');
  });

  test('errors say what happened: not defined, not a tensor', async () => {
    assert.match((await inspect(watchArg(frame.session, 'activation')) as { message: string }).message, /`activation` is not defined/);
    assert.match((await inspect(watchArg(frame.session, 'config')) as { message: string }).message, /`config` is an Object, not a tensor/);
  });

  test('"Follow at each stop" records the second stop', async () => {
    const r = opened(await inspect(watchArg(frame.session, 'image')));
    r.follower.setEnabled(true);
    const recorded = next(r.follower.onDidRecord, (p) => (p.stop === 2 ? p : undefined), 'the second stop to be recorded');
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const [second, point] = await Promise.all([log.expected(1), recorded]);
    point.mean.forEach((m, c) => close(m, second.image.channel_mean[c], `stop 2 channel ${c} mean`));
    point.var.forEach((v, c) => close(v, second.image.channel_var[c], `stop 2 channel ${c} var`));
  });

  test('in a sandbox without process, Buffer or atob, 6 MB arrive in 4 MB base64 chunks through evaluate, intact', async () => {
    const stopped = next(vscode.debug.onDidChangeActiveStackItem,
      (item) => (item instanceof vscode.DebugStackFrame && item.session.id === frame.session.id ? item : undefined), 'the stop in the sandbox');
    await vscode.commands.executeCommand('workbench.action.debug.continue');
    const [expected, sandbox] = await Promise.all([log.expected(2), stopped]);
    const { result, evaluates } = await evaluatesDuring(log, () => inspect(watchArg(sandbox.session, 'wide')));
    const r = opened(result);
    await checkStats(r, expected.wide, 'wide in the sandbox');
    assert.strictEqual(r.value.description.canWrite, false);
    assert.strictEqual(r.value.read.tempFile, undefined);
    assert.strictEqual(evaluates.length, 1 + Math.ceil(6_000_000 / JAVASCRIPT_CHUNK_BYTES), 'one describe, then 4 MB chunks');
    console.log(`wide (6 MB Float32Array) read in chunks in ${r.value.millis} ms`);
  });
});
