/** Messages from the webview are checked before the host acts on them: known ones pass, anything else does not. */
import * as assert from 'node:assert/strict';
import { DEFAULT_INSPECT_OPTIONS } from '../../../src/engine/inspect/types';
import { parseFromWebview } from '../../../src/shared/validate';

describe('webview message validation', () => {
  const options = { ...DEFAULT_INSPECT_OPTIONS };

  it('accepts each well-formed message and returns only known fields', () => {
    assert.deepEqual(parseFromWebview({ type: 'ready', extra: 1 }), { type: 'ready' });
    assert.deepEqual(parseFromWebview({ type: 'compute', requestId: 3, tensor: 'a', options }), { type: 'compute', requestId: 3, tensor: 'a', options });
    assert.deepEqual(parseFromWebview({ type: 'compute', requestId: 3, tensor: 'a', options, firstChannel: 1024 }),
      { type: 'compute', requestId: 3, tensor: 'a', options, firstChannel: 1024 });
    assert.deepEqual(parseFromWebview({ type: 'cancel', requestId: 3 }), { type: 'cancel', requestId: 3 });
    assert.deepEqual(parseFromWebview({ type: 'export', requestId: 1, format: 'csv', suggestedName: 'x.csv', text: 'a,b' }),
      { type: 'export', requestId: 1, format: 'csv', suggestedName: 'x.csv', text: 'a,b' });
  });

  it('turns null (how JSON carries a file\'s NaN γ or running_var) back into NaN', () => {
    const m = parseFromWebview({ type: 'compute', requestId: 1, tensor: '', options: { ...options, running: { mean: [0, null], var: [1, 2] }, affine: { scale: [null, 1], bias: [0, 0] } } });
    assert.ok(m && m.type === 'compute');
    assert.deepEqual(m.options.running, { mean: [0, NaN], var: [1, 2] });
    assert.deepEqual(m.options.affine?.scale, [NaN, 1]);
  });

  it('rejects unknown types, wrong field types and out-of-range options', () => {
    const bad: unknown[] = [
      null, 42, 'ready', [], { type: 'runShell', cmd: 'rm -rf /' },
      { type: 'compute', requestId: '3', tensor: 'a', options },
      { type: 'compute', requestId: 3, tensor: 'a', options: { ...options, op: 'eval' } },
      { type: 'compute', requestId: 3, tensor: 'a', options: { ...options, bins: 1e9 } },
      { type: 'compute', requestId: 3, tensor: 'a', options: { ...options, eps: 'NaN' } },
      { type: 'compute', requestId: 3, tensor: 'a', options, firstChannel: -1 },
      { type: 'compute', requestId: 3, tensor: 'a', options, firstChannel: 0.5 },
      { type: 'export', requestId: 1, format: 'exe', suggestedName: 'x' },
      { type: 'export', requestId: 1, format: 'csv', suggestedName: '../../.bashrc', text: 'x' },
      { type: 'export', requestId: 1, format: 'png', suggestedName: 'a.png', dataUrl: 'javascript:alert(1)' },
      { type: 'follow', enabled: 'yes' },
    ];
    for (const m of bad) assert.equal(parseFromWebview(m), undefined, JSON.stringify(m));
  });
});
