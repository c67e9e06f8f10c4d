/**
 * Finds the normalization layers of a model state dict (a .safetensors or .npz of many tensors) from tensor names,
 * so the inspector can list them as a table and open one with its γ, β and running statistics:
 * - PyTorch BatchNorm: `P.weight`, `P.bias`, `P.running_mean`, `P.running_var`, `P.num_batches_tracked`;
 * - Keras BatchNormalization: `P/gamma`, `P/beta`, `P/moving_mean`, `P/moving_variance` (TF's `:0` suffixes too);
 * - LayerNorm, RMSNorm, GroupNorm: a `weight`/`gamma`/`scale` (and `bias`/`beta`) under a prefix whose last part
 *   is named like one: `ln_1`, `LayerNorm`, `norm1`, `input_layernorm`, `rms_norm`, `group_norm`, `gn`, `bn1`.
 *   Without running statistics only the name tells the kind. A layer-norm-named layer with no bias is reported as
 *   RMSNorm (LLaMA's `input_layernorm`, T5's `layer_norm`); `evidence` says so, since LayerNorm(bias=False)
 *   looks the same.
 * A BatchNorm right after a convolution or linear layer with a bias (the previous layer in state-dict order, or
 * in natural name order, since safetensors files sort by dtype and name) gets `redundantBias`: the batch mean
 * subtraction cancels that bias, which is wasted parameters.
 */
import { elementCount } from '../engine/tensor';

export type NormKind = 'batchnorm' | 'layernorm' | 'rmsnorm' | 'groupnorm';
export type NormFramework = 'pytorch' | 'keras';

/** The little of a tensor entry that grouping needs. */
export interface NamedShape {
  name: string;
  shape: readonly number[];
}

export interface NormLayerGroup {
  /** The name shared by the layer's tensors, without the separator: 'features.1', 'conv1_bn'. */
  prefix: string;
  framework: NormFramework;
  kind: NormKind;
  /** Full entry names (as in `file#name`); absent when the layer has no such tensor (affine=False, no running stats). */
  weight?: string;
  bias?: string;
  runningMean?: string;
  runningVar?: string;
  numBatchesTracked?: string;
  /** Elements of γ or of the running statistics: the channel count of a BatchNorm/GroupNorm, the normalized size of a LayerNorm. */
  channels: number;
  /** Shape of γ (LayerNorm's normalized_shape) or of the running statistics. */
  paramShape: number[];
  /** Why this kind was chosen, in words the inspector can show. */
  evidence: string;
  /** A bias that this BatchNorm makes redundant. */
  redundantBias?: RedundantBias;
}

export interface RedundantBias {
  /** The convolution or linear layer, e.g. 'features.0'. */
  prefix: string;
  bias: string;
  weight: string;
}

type Role = 'weight' | 'bias' | 'runningMean' | 'runningVar' | 'numBatchesTracked' | 'kernel';

const PYTORCH_SUFFIXES: Record<string, Role> = {
  weight: 'weight', bias: 'bias', running_mean: 'runningMean', running_var: 'runningVar', num_batches_tracked: 'numBatchesTracked',
};
const KERAS_SUFFIXES: Record<string, Role> = {
  gamma: 'weight', beta: 'bias', moving_mean: 'runningMean', moving_variance: 'runningVar', scale: 'weight', kernel: 'kernel',
};

interface Layer {
  prefix: string;
  framework: NormFramework;
  tensors: Partial<Record<Role, NamedShape>>;
  /** Position of the layer's first tensor, for state-dict order. */
  index: number;
}

/** Splits 'a.b.weight' or 'a/b/gamma:0' into prefix and suffix. */
function splitName(name: string): { prefix: string; suffix: string } {
  const bare = name.replace(/:\d+$/, '');
  const cut = Math.max(bare.lastIndexOf('.'), bare.lastIndexOf('/'));
  return { prefix: cut < 0 ? '' : bare.slice(0, cut), suffix: bare.slice(cut + 1) };
}

function lastPart(prefix: string): string {
  return prefix.slice(Math.max(prefix.lastIndexOf('.'), prefix.lastIndexOf('/')) + 1).toLowerCase();
}

/** The kind a layer's name announces, if it announces one. */
function kindFromName(prefix: string): NormKind | undefined {
  const part = lastPart(prefix);
  if (/rms_?norm|^rms/.test(part)) return 'rmsnorm';
  if (/group_?norm|^gn\d*$/.test(part)) return 'groupnorm';
  if (/batch_?norm|^bn(\d+|_.*)?$|_bn\d*$/.test(part)) return 'batchnorm';
  if (/layer_?norm|^ln(_?[a-z0-9]+)?$|(^|_)norm(_?\d+)?$|^norm/.test(part)) return 'layernorm';
  return undefined;
}

function collectLayers(entries: readonly NamedShape[]): Layer[] {
  const layers = new Map<string, Layer>();
  entries.forEach((entry, index) => {
    const { prefix, suffix } = splitName(entry.name);
    const pytorch = PYTORCH_SUFFIXES[suffix];
    const keras = KERAS_SUFFIXES[suffix];
    const role = pytorch ?? keras;
    if (!role) return;
    let layer = layers.get(prefix);
    if (!layer) {
      layer = { prefix, framework: pytorch ? 'pytorch' : 'keras', tensors: {}, index };
      layers.set(prefix, layer);
    }
    if (keras && !pytorch) layer.framework = 'keras';
    layer.tensors[role] = entry;
  });
  return [...layers.values()];
}

/** Every tensor of a norm layer holds one value per channel (or per normalized element). */
function consistentSize(layer: Layer): number | undefined {
  const { weight, bias, runningMean, runningVar } = layer.tensors;
  const sized = [runningMean, runningVar, weight, bias].filter((t): t is NamedShape => t !== undefined);
  if (sized.length === 0) return undefined;
  const n = elementCount(sized[0].shape);
  return sized.every((t) => elementCount(t.shape) === n) && n > 0 ? n : undefined;
}

function classify(layer: Layer): NormLayerGroup | undefined {
  const t = layer.tensors;
  if (t.kernel) return undefined;
  const channels = consistentSize(layer);
  if (channels === undefined) return undefined;
  const named = kindFromName(layer.prefix);
  let kind: NormKind;
  let evidence: string;
  if (t.runningMean && t.runningVar) {
    kind = 'batchnorm';
    evidence = layer.framework === 'keras' ? 'moving_mean and moving_variance' : 'running_mean and running_var';
  } else if (t.runningMean || t.runningVar || t.numBatchesTracked) {
    return undefined;
  } else if (!t.weight || !named) {
    return undefined;
  } else if (named === 'layernorm' && !t.bias) {
    kind = 'rmsnorm';
    evidence = `named like a LayerNorm ('${lastPart(layer.prefix)}') but has no bias, as LLaMA/T5 RMSNorm layers; LayerNorm(bias=False) would look the same`;
  } else {
    kind = named;
    evidence = `named '${lastPart(layer.prefix)}'${kind === 'batchnorm' ? ', without running statistics (track_running_stats=False)' : ''}`;
  }
  if ((kind === 'batchnorm' || kind === 'groupnorm') && t.weight && t.weight.shape.length !== 1) return undefined;
  const shapeOf = t.weight ?? t.runningMean ?? t.bias;
  return {
    prefix: layer.prefix, framework: layer.framework, kind,
    weight: t.weight?.name, bias: t.bias?.name, runningMean: t.runningMean?.name, runningVar: t.runningVar?.name,
    numBatchesTracked: t.numBatchesTracked?.name,
    channels, paramShape: [...(shapeOf as NamedShape).shape], evidence,
  };
}

/** Orders names with numbers by value: features.2 before features.10. */
function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const numeric = i % 2 === 1;
    return numeric ? Number(pa[i]) - Number(pb[i]) : pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** The layer's conv/linear weight and bias when it could feed a BatchNorm of `channels` channels. */
function biasedProducer(layer: Layer, channels: number): RedundantBias | undefined {
  const weight = layer.tensors.weight ?? layer.tensors.kernel;
  const bias = layer.tensors.bias;
  if (!weight || !bias || weight.shape.length < 2 || elementCount(bias.shape) !== channels || bias.shape.length !== 1) return undefined;
  // PyTorch puts output channels first (conv OIHW, linear out×in); Keras last (HWIO, in×out)
  const out = layer.framework === 'keras' ? weight.shape[weight.shape.length - 1] : weight.shape[0];
  if (out !== channels) return undefined;
  return { prefix: layer.prefix, bias: bias.name, weight: weight.name };
}

/** The normalization layers among `entries`, in state-dict order. */
export function groupNormLayers(entries: readonly NamedShape[]): NormLayerGroup[] {
  const layers = collectLayers(entries).sort((a, b) => a.index - b.index);
  const natural = [...layers].sort((a, b) => naturalCompare(a.prefix, b.prefix));
  const groups: NormLayerGroup[] = [];
  layers.forEach((layer, i) => {
    const group = classify(layer);
    if (!group) return;
    if (group.kind === 'batchnorm') {
      const j = natural.indexOf(layer);
      const candidates = [layers[i - 1], natural[j - 1]].filter((l): l is Layer => l !== undefined && !classify(l));
      const redundant = candidates.map((l) => biasedProducer(l, group.channels)).find((b) => b !== undefined);
      if (redundant) group.redundantBias = redundant;
    }
    groups.push(group);
  });
  return groups;
}
