/** Which buffers a pass state hands over in a postMessage transfer list (workerProtocol.ts's stateBuffers). */
import * as assert from 'node:assert/strict';
import { stateBuffers } from '../../../src/shared/workerProtocol';

describe('pass states travel transferred', () => {
  it('lists the buffers typed arrays own, nested, each once; never a view of a larger or shared buffer', () => {
    const own = new Float64Array(8);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const view = new Uint32Array(memory.buffer, 64, 4); // like a table in the kernels' memory
    const shared = new Float64Array(new SharedArrayBuffer(64));
    const state = { raw: { ch: own, chQ: { kind: 'fine', counts: new Float64Array(3) } }, again: own, view, shared, after: null };
    const found = stateBuffers([state, null]);
    assert.equal(found.length, 2);
    assert.ok(found.includes(own.buffer));
    assert.ok(found.includes(state.raw.chQ.counts.buffer as ArrayBuffer));
    // transferring them moves them: what a worker posts is detached on its side
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(state.raw, found);
    assert.equal(own.byteLength, 0);
    assert.equal(view.length, 4, 'the kernels\' memory is untouched');
    port1.close();
    port2.close();
  });
});
