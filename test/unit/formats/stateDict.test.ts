/** Norm layers found in real state dicts (PyTorch and Keras fixtures) and in the naming schemes of common models. */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture } from '../helpers';
import { MemoryByteSource } from '../../../src/formats/byteSource';
import { openContainer } from '../../../src/formats/open';
import { groupNormLayers, type NamedShape, type NormLayerGroup } from '../../../src/formats/stateDict';

async function groupsOf(file: string): Promise<NormLayerGroup[]> {
  const container = await openContainer(new MemoryByteSource(new Uint8Array(readFileSync(fixture('formats', file)))), file);
  return groupNormLayers(container.entries);
}

const summary = (groups: NormLayerGroup[]) => groups.map((g) => `${g.prefix}:${g.kind}:${g.channels}${g.redundantBias ? `<-${g.redundantBias.prefix}` : ''}`);
const named = (entries: [string, number[]][]): NamedShape[] => entries.map(([name, shape]) => ({ name, shape }));

describe('formats: state-dict norm layers', () => {
  it('groups a PyTorch state dict saved with np.savez (state-dict order)', async () => {
    const groups = await groupsOf('npz/model_state.npz');
    assert.deepEqual(summary(groups), [
      'features.1:batchnorm:4<-features.0', 'features.4:batchnorm:6', 'gn:groupnorm:6', 'bn_fc:batchnorm:5<-fc', 'ln_f:layernorm:5', 'input_layernorm:rmsnorm:5',
    ]);
    const bn = groups[0];
    assert.deepEqual(bn, {
      prefix: 'features.1', framework: 'pytorch', kind: 'batchnorm',
      weight: 'features.1.weight', bias: 'features.1.bias', runningMean: 'features.1.running_mean', runningVar: 'features.1.running_var',
      numBatchesTracked: 'features.1.num_batches_tracked', channels: 4, paramShape: [4], evidence: 'running_mean and running_var',
      redundantBias: { prefix: 'features.0', bias: 'features.0.bias', weight: 'features.0.weight' },
    });
    assert.equal(groups[1].weight, undefined, 'affine=False has no γ');
    assert.match(groups[5].evidence, /no bias/);
  });

  it('groups a Keras model\'s weights by path', async () => {
    assert.deepEqual(summary(await groupsOf('npz/keras_state.npz')), [
      'sequential/batch_normalization:batchnorm:4<-sequential/conv2d', 'sequential/layer_normalization:layernorm:6',
    ]);
  });

  it('finds the biased layer before a BatchNorm in name order when the file is sorted by name (safetensors)', () => {
    const entries = named([
      ['features.0.bias', [8]], ['features.0.weight', [8, 3, 3, 3]], ['features.1.bias', [8]], ['features.1.num_batches_tracked', []],
      ['features.1.running_mean', [8]], ['features.1.running_var', [8]], ['features.1.weight', [8]],
      ['features.10.bias', [4]], ['features.10.weight', [4, 8, 1, 1]], ['features.11.running_mean', [4]], ['features.11.running_var', [4]],
      ['features.2.weight', [8, 8, 3, 3]],
    ]);
    assert.deepEqual(summary(groupNormLayers(entries)), ['features.1:batchnorm:8<-features.0', 'features.11:batchnorm:4<-features.10']);
  });

  it('knows transformer naming: BERT LayerNorm, GPT-2 ln_1, LLaMA RMSNorm, T5 layer_norm, Keras TF1 names', () => {
    const entries = named([
      ['bert.embeddings.LayerNorm.weight', [768]], ['bert.embeddings.LayerNorm.bias', [768]],
      ['h.0.ln_1.weight', [768]], ['h.0.ln_1.bias', [768]], ['h.0.attn.c_attn.weight', [768, 2304]], ['h.0.attn.c_attn.bias', [2304]],
      ['model.layers.0.input_layernorm.weight', [4096]], ['model.norm.weight', [4096]],
      ['encoder.block.0.layer.0.layer_norm.weight', [512]],
      ['conv1/kernel:0', [3, 3, 3, 16]], ['conv1/bias:0', [16]], ['bn1/gamma:0', [16]], ['bn1/beta:0', [16]], ['bn1/moving_mean:0', [16]], ['bn1/moving_variance:0', [16]],
      ['decoder.group_norm.weight', [32]], ['decoder.group_norm.bias', [32]],
      ['vit.norm.weight', [2, 3]], ['vit.norm.bias', [2, 3]],
    ]);
    assert.deepEqual(summary(groupNormLayers(entries)), [
      'bert.embeddings.LayerNorm:layernorm:768', 'h.0.ln_1:layernorm:768', 'model.layers.0.input_layernorm:rmsnorm:4096', 'model.norm:rmsnorm:4096',
      'encoder.block.0.layer.0.layer_norm:rmsnorm:512', 'bn1:batchnorm:16<-conv1', 'decoder.group_norm:groupnorm:32', 'vit.norm:layernorm:6',
    ]);
    const keras = groupNormLayers(entries).find((g) => g.prefix === 'bn1');
    assert.equal(keras?.framework, 'keras');
    assert.equal(keras?.runningVar, 'bn1/moving_variance:0');
  });

  it('leaves out linear layers, inconsistent shapes and mismatched producers', () => {
    const entries = named([
      ['fc.weight', [10, 5]], ['fc.bias', [10]],
      ['norm.weight', [4]], ['norm.bias', [5]],
      ['conv.weight', [6, 3, 3, 3]], ['conv.bias', [6]], ['bn.running_mean', [8]], ['bn.running_var', [8]],
      ['bn2.weight', [3]], ['bn2.bias', [3]],
      ['stray.running_mean', [3]],
    ]);
    assert.deepEqual(summary(groupNormLayers(entries)), ['bn:batchnorm:8', 'bn2:batchnorm:3']);
    assert.match(groupNormLayers(entries)[1].evidence, /without running statistics/);
  });
});
