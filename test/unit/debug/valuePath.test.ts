/** The grammar of expressions NormScope sends to a debugger: what is read as data, and what is refused. */
import * as assert from 'node:assert/strict';
import { UserError } from '../../../src/engine/errors';
import { formatValuePath, parseValuePath, type DebugLanguage } from '../../../src/extension/debug/valuePath';

function refused(text: string, language: DebugLanguage, why: RegExp): void {
  assert.throws(() => parseValuePath(text, language), (e: unknown) => {
    assert.ok(e instanceof UserError, `${JSON.stringify(text)}: not a UserError`);
    assert.match(e.message, why, `${JSON.stringify(text)}: ${e.message}`);
    return true;
  });
}

describe('debug value paths', () => {
  it('reads names, attributes, items and slices as data (Python)', () => {
    assert.deepEqual(parseValuePath('act', 'python'), { root: 'act', steps: [] });
    assert.deepEqual(parseValuePath('  self.bn.running_mean ', 'python'), {
      root: 'self', steps: [{ kind: 'attr', name: 'bn' }, { kind: 'attr', name: 'running_mean' }],
    });
    assert.deepEqual(parseValuePath(`acts['conv1'][-1]`, 'python').steps, [
      { kind: 'index', items: [{ kind: 'str', value: 'conv1' }], tuple: false },
      { kind: 'index', items: [{ kind: 'int', value: -1 }], tuple: false },
    ]);
    assert.deepEqual(parseValuePath('x[:, 0, ::2, 1:3, ...]', 'python').steps, [{
      kind: 'index', tuple: true, items: [
        { kind: 'slice', start: null, stop: null, step: null }, { kind: 'int', value: 0 },
        { kind: 'slice', start: null, stop: null, step: 2 }, { kind: 'slice', start: 1, stop: 3, step: null }, { kind: 'ellipsis' },
      ],
    }]);
    assert.equal((parseValuePath('x[0,]', 'python').steps[0] as { tuple: boolean }).tuple, true);
    assert.equal(parseValuePath('température', 'python').root, 'température');
  });

  it("keeps debugpy's evaluateName of a hostile dict key as a plain string", () => {
    const key = `x'); __import__('os').system('touch MARKER'); ('`;
    const path = parseValuePath(`hostile["${key}"]`, 'python');
    assert.deepEqual(path, { root: 'hostile', steps: [{ kind: 'index', items: [{ kind: 'str', value: key }], tuple: false }] });
  });

  it('reads JavaScript properties, indices and keys', () => {
    assert.deepEqual(parseValuePath('this.layers[2]["w b"].$data', 'javascript'), {
      root: 'this', steps: [{ kind: 'attr', name: 'layers' }, { kind: 'index', items: [{ kind: 'int', value: 2 }], tuple: false },
        { kind: 'index', items: [{ kind: 'str', value: 'w b' }], tuple: false }, { kind: 'attr', name: '$data' }],
    });
    assert.deepEqual(parseValuePath('obj.default', 'javascript').steps, [{ kind: 'attr', name: 'default' }]);
  });

  it('refuses calls, operators, statements, newlines, escapes and keywords', () => {
    refused(`__import__('os').system('id')`, 'python', /a call or parenthesis at column 11/);
    refused('act; import os', 'python', /a semicolon at column 4/);
    refused('act\nimport os', 'python', /several lines/);
    refused('   ', 'python', /^Select a variable/);
    refused(`d['a\\'b']`, 'python', /backslash/);
    refused('x + 1', 'python', /unexpected '\+'/);
    refused('(x := 1)', 'python', /expected a variable name/);
    refused('x[y]', 'python', /expected an index or a quoted key, found 'y'/);
    refused(`f'{x}'`, 'python', /unexpected a quote/);
    refused('lambda: 0', 'python', /'lambda' is a keyword/);
    refused('x.import', 'python', /'import' is a keyword/);
    refused('x[0', 'python', /missing "\]"/);
    refused(`x['open`, 'python', /unterminated quoted key/);
    refused('x[::0]', 'python', /step cannot be zero/);
    refused('x[99999999999999999999]', 'python', /too large/);
    refused('a`b`', 'javascript', /a backtick/);
    refused('x[-1]', 'javascript', /no negative indices/);
    refused('x[0, 1]', 'javascript', /unexpected ','/);
    refused('x[1:2]', 'javascript', /unexpected ':'/);
    refused('new Foo', 'javascript', /'new' is a keyword/);
    refused('process.exit()', 'javascript', /a call or parenthesis/);
    refused('a\u2028b', 'javascript', /several lines/);
    refused('x'.repeat(1001), 'python', /1001 characters/);
  });

  it('writes a path back for titles', () => {
    for (const text of ['act', 'self.bn.weight', `acts['conv1'][0]`, 'x[:, 0, ::2, 1:3, ...]', 'x[0,]']) {
      assert.equal(formatValuePath(parseValuePath(text, 'python'), 'python'), text);
    }
    assert.equal(formatValuePath(parseValuePath(`d["it's"]`, 'python'), 'python'), `d["it's"]`);
  });
});
