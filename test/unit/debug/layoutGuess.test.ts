/** The first layout and operation proposed for a live tensor, from its shape and framework. */
import * as assert from 'node:assert/strict';
import { guessLayout } from '../../../src/engine/inspect/layoutGuess';

describe('debug layout guess', () => {
  it('reads PyTorch conv activations as NCHW with BatchNorm over axis 1', () => {
    const g = guessLayout([8, 64, 32, 32], 'torch');
    assert.equal(g.layout, 'NCHW');
    assert.deepEqual(g.options, { op: 'batchnorm', channelAxis: 1, normalizedDims: 1 });
    assert.equal(guessLayout([2, 16, 4, 8, 8], 'torch').layout, 'NCDHW');
  });

  it('reads TensorFlow and JAX activations as channels-last', () => {
    assert.deepEqual(guessLayout([8, 32, 32, 64], 'tensorflow').options, { op: 'batchnorm', channelAxis: 3, normalizedDims: 1 });
    assert.equal(guessLayout([8, 32, 32, 64], 'jax').layout, 'NHWC');
    assert.equal(guessLayout([2, 4, 8, 8, 16], 'tensorflow').layout, 'NDHWC');
    assert.deepEqual(guessLayout([4, 10, 20], 'tensorflow').options, { op: 'layernorm', channelAxis: 2, normalizedDims: 1 });
  });

  it('reads a wide rank-3 PyTorch tensor as a transformer (N, L, C) with LayerNorm', () => {
    const g = guessLayout([2, 77, 768], 'torch');
    assert.equal(g.layout, '(N, L, C)');
    assert.deepEqual(g.options, { op: 'layernorm', channelAxis: 2, normalizedDims: 1 });
    assert.match(g.reason, /width 768/);
    assert.equal(guessLayout([8, 16, 100], 'torch').layout, '(N, C, L)');
  });

  it('guesses numpy images channels-last only when that is clear', () => {
    assert.equal(guessLayout([16, 32, 32, 3], 'numpy').layout, 'NHWC');
    assert.equal(guessLayout([16, 3, 32, 32], 'numpy').layout, 'NCHW');
    assert.equal(guessLayout([16, 7, 7, 512], 'numpy').layout, 'NCHW');
    assert.equal(guessLayout([16, 28, 28, 1], 'javascript').layout, 'NHWC');
  });

  it('shows vectors and scalars raw and (N, C) features with BatchNorm1d', () => {
    assert.deepEqual(guessLayout([1000], 'javascript').options, { op: 'none', channelAxis: null, normalizedDims: 1 });
    assert.equal(guessLayout([], 'numpy').layout, 'scalar');
    assert.deepEqual(guessLayout([32, 10], 'sequence').options, { op: 'batchnorm', channelAxis: 1, normalizedDims: 1 });
  });
});
