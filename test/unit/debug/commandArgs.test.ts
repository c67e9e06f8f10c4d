/** The arguments VS Code passes to "Inspect Variable" from each menu, checked before use. */
import * as assert from 'node:assert/strict';
import { variableFromArg } from '../../../src/extension/debug/commandArgs';

describe('debug command arguments', () => {
  it("takes the Variables view's evaluateName (Variable.toJSON: sessionId, container, variable)", () => {
    const arg = {
      sessionId: 's1', container: { name: 'Locals', variablesReference: 3, expensive: false },
      variable: { name: '"conv1"', value: 'array(...)', type: 'ndarray', evaluateName: `acts["conv1"]`, variablesReference: 9 },
    };
    assert.deepEqual(variableFromArg(arg), { expression: `acts["conv1"]`, name: '"conv1"', sessionId: 's1' });
  });

  it("takes a watch expression (Expression.toJSON: sessionId, variable with evaluateName = name)", () => {
    assert.deepEqual(variableFromArg({ sessionId: 's2', variable: { name: 'x[0]', evaluateName: 'x[0]', variablesReference: 0 } }),
      { expression: 'x[0]', name: 'x[0]', sessionId: 's2' });
  });

  it('falls back to the name when the adapter gave no evaluateName', () => {
    assert.deepEqual(variableFromArg({ variable: { name: 'act', evaluateName: '', value: '' } }), { expression: 'act', name: 'act', sessionId: undefined });
    assert.equal(variableFromArg({ variable: { name: 'act', evaluateName: 42 } })?.expression, 'act');
  });

  it('is undefined for the editor (a Uri), the palette (nothing) and anything malformed', () => {
    for (const arg of [undefined, null, 'act', { path: '/x.py', scheme: 'file' }, { variable: null }, { variable: { evaluateName: 'x' } },
      { variable: 'act' }]) {
      assert.equal(variableFromArg(arg), undefined, JSON.stringify(arg));
    }
  });
});
