/** Strided samples of tensors too large to transfer: within budget, channels whole, as little striding as possible. */
import * as assert from 'node:assert/strict';
import { sampledShape, sampleSteps } from '../../../src/extension/debug/sampling';
import { elementCount } from '../../../src/engine/tensor';
import { seeded } from '../helpers';

describe('debug sampling', () => {
  it('takes everything that fits', () => {
    assert.deepEqual(sampleSteps([8, 16, 32, 32], 1, 8 * 16 * 32 * 32), [1, 1, 1, 1]);
  });

  it('strides every axis but the channel axis with the smallest common step', () => {
    const steps = sampleSteps([64, 256, 112, 112], 1, 32 << 20);
    assert.deepEqual(steps, [2, 1, 2, 2]);
    assert.deepEqual(sampledShape([64, 256, 112, 112], steps), [32, 256, 56, 56]);
    assert.deepEqual(sampledShape([64, 256, 112, 112], null), [64, 256, 112, 112]);
  });

  it('strides the channel axis only when the channels alone do not fit', () => {
    assert.deepEqual(sampleSteps([4, 1000, 3], 1, 100), [4, 10, 4]);
  });

  it('treats a tensor without a channel axis as one group', () => {
    assert.deepEqual(sampleSteps([1_000_000], null, 1000), [1000]);
  });

  it('always fits the budget and never strides more than needed (random shapes)', () => {
    const random = seeded(7);
    for (let trial = 0; trial < 500; trial++) {
      const shape = Array.from({ length: 1 + Math.floor(random() * 4) }, () => 1 + Math.floor(random() * 300));
      const keep = random() < 0.3 ? null : Math.floor(random() * shape.length);
      const budget = 1 + Math.floor(random() * elementCount(shape));
      const steps = sampleSteps(shape, keep, budget);
      const n = elementCount(sampledShape(shape, steps));
      assert.ok(n <= budget, `${shape} keep ${keep} budget ${budget}: ${n} elements with steps ${steps}`);
      const common = Math.max(...steps.filter((_, axis) => axis !== keep));
      if (common > 1 && (keep === null || steps[keep] === 1)) {
        const smaller = steps.map((s, axis) => (axis !== keep && s === common ? common - 1 : s));
        assert.ok(elementCount(sampledShape(shape, smaller)) > budget, `${shape}: step ${common - 1} would have fitted ${budget}`);
      }
    }
  });
});
