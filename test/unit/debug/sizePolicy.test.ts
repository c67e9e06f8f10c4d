/** Whole or sampled: the size policy of a debug transfer. */
import * as assert from 'node:assert/strict';
import type { Description } from '../../../src/extension/debug/replies';
import { MAX_TRANSFER_BYTES, stepsFor, transferBytes } from '../../../src/extension/debug/sizePolicy';

function description(shape: number[], target: Description['target'] = 'float32'): Description {
  return { origin: 'torch', typeName: 'torch.Tensor', shape, dtype: target, target, note: null };
}

describe('debug size policy', () => {
  it('counts the bytes NormScope receives (the converted dtype)', () => {
    assert.equal(transferBytes(description([64, 256, 56, 56])), 64 * 256 * 56 * 56 * 4);
    assert.equal(transferBytes({ ...description([10]), dtype: 'bfloat16' }), 40);
    assert.equal(transferBytes(description([64, 256, 56, 56]), [2, 1, 2, 2]), 32 * 256 * 28 * 28 * 4);
  });

  it('reads whole within the limit, samples above it keeping the channel axis', () => {
    const d = description([64, 256, 112, 112]); // 784 MB
    assert.equal(stepsFor(d, { kind: 'fit', limitBytes: 1 << 30, keepAxis: 1 }), null);
    assert.deepEqual(stepsFor(d, { kind: 'fit', limitBytes: 256 << 20, keepAxis: 1 }), [2, 1, 2, 2]);
    assert.deepEqual(stepsFor(d, { kind: 'fit', limitBytes: 256 << 20, keepAxis: null }), [2, 2, 2, 2]);
  });

  it('ignores a channel axis the value no longer has (a followed value changed rank)', () => {
    assert.deepEqual(stepsFor(description([1000]), { kind: 'fit', limitBytes: 400, keepAxis: 3 }), [10]);
  });

  it('reads "whole" up to the hard limit only', () => {
    assert.equal(stepsFor(description([MAX_TRANSFER_BYTES / 4]), { kind: 'whole' }), null);
    assert.deepEqual(stepsFor(description([MAX_TRANSFER_BYTES / 2]), { kind: 'whole' }), [2]);
  });
});
