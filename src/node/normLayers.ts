/**
 * State-dict norm layers for the inspector: the table of layers a file holds, and one layer's parameters read
 * as per-channel numbers (they are small: one value per channel).
 */
import { groupNormLayers, type NormLayerGroup } from '../formats/stateDict';
import type { TensorContainer } from '../formats/container';
import { readDense } from '../formats/dense';
import type { NormLayerInfo } from '../shared/protocol';
import type { LayerParameters } from '../shared/workerProtocol';

export function normLayersOf(container: TensorContainer): NormLayerInfo[] {
  if (container.entries.length < 2) return [];
  return groupNormLayers(container.entries).map(toInfo);
}

function toInfo(g: NormLayerGroup): NormLayerInfo {
  const info: NormLayerInfo = { prefix: g.prefix, kind: g.kind, framework: g.framework, channels: g.channels };
  if (g.weight) info.weight = g.weight;
  if (g.bias) info.bias = g.bias;
  if (g.runningMean) info.runningMean = g.runningMean;
  if (g.runningVar) info.runningVar = g.runningVar;
  if (g.numBatchesTracked) info.numBatchesTracked = g.numBatchesTracked;
  if (g.redundantBias) info.redundantBias = g.redundantBias.bias;
  return info;
}

/** Reads the layer's γ, β and running statistics from the container it was listed from. */
export async function readLayerParameters(container: TensorContainer, layer: NormLayerInfo): Promise<LayerParameters> {
  const read = async (name: string | undefined) => {
    const entry = name === undefined ? undefined : container.entries.find((e) => e.name === name);
    return entry ? Array.from((await readDense(entry)).data) : undefined;
  };
  const [scale, bias, runningMean, runningVar] = await Promise.all([
    read(layer.weight), read(layer.bias), read(layer.runningMean), read(layer.runningVar)]);
  const out: LayerParameters = {};
  if (scale) out.scale = scale;
  if (bias) out.bias = bias;
  if (runningMean) out.runningMean = runningMean;
  if (runningVar) out.runningVar = runningVar;
  return out;
}
