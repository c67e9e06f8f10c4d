/**
 * The normalized tensor y = γ·x̂ + β, streamed chunk by chunk through the same plan the inspector's statistics
 * use, so an exported tensor is exactly what the inspector showed, for tensors of any size.
 */
import { outputDType, type NumericArray } from '../dtype';
import { CancelledError, EngineError } from '../errors';
import { GroupMoments, groupCount, type GroupMap } from '../moments';
import { channelSplit, elementCount, normalizeAxis } from '../tensor';
import { NO_CONTROL, type ElementSource, type RunControl } from './inspect';
import { Kernels } from '../wasm/kernels';
import { applyPlan, mapGroups, newScratch, planNormalization, type NormParams } from './normPlan';
import type { InspectOptions } from './types';

export async function normalizeStream(src: ElementSource, o: InspectOptions, sink: (y: NumericArray) => Promise<void>,
  control: RunControl = NO_CONTROL): Promise<{ dtype: 'float32' | 'float64' }> {
  const total = elementCount(src.shape);
  const plan = planNormalization(src.shape, o);
  if (!plan) throw new EngineError('Choose a normalization to export the normalized tensor.');
  const channelMap = affineMap(src.shape, o);
  const visit = async (pass: number, use: (chunk: NumericArray, start: number) => Promise<void> | void) => {
    let start = 0;
    for await (const chunk of src.chunks()) {
      if (control.isCancelled()) throw new CancelledError();
      await use(chunk, start);
      start += chunk.length;
      control.progress((pass + (total ? start / total : 1)) / 2);
    }
  };
  const kernels = Kernels.create();
  const moments = new GroupMoments(groupCount(plan.map, total), kernels);
  await visit(0, (chunk, start) => { moments.add(chunk, start, plan.map); });
  const params = plan.params(moments);
  const scratch = newScratch(src.dtype, kernels);
  // y = γ·x̂ + β = (x̂ - 0)·γ + β on the x̂ the inspector shows (rounded to the output dtype), in place
  const affine: NormParams | null = o.affine && channelMap
    ? { shift: new Float64Array(o.affine.scale.length), scale: Float64Array.from(o.affine.scale), offset: Float64Array.from(o.affine.bias) } : null;
  await visit(1, async (chunk, start) => {
    const y = applyPlan(chunk, start, plan, params, scratch, kernels);
    if (affine) mapGroups(y, y, start, channelMap!, affine, kernels);
    await sink(y);
  });
  return { dtype: outputDType(src.dtype) };
}

/** γ/β are per channel of the inspector's channel axis; null when the options carry none. */
function affineMap(shape: readonly number[], o: InspectOptions): GroupMap | null {
  if (!o.affine || o.channelAxis === null || shape.length === 0) return null;
  const { channels, inner } = channelSplit(shape, normalizeAxis(o.channelAxis, shape.length, 'channel axis'));
  if (o.affine.scale.length !== channels || o.affine.bias.length !== channels) {
    throw new EngineError(`γ/β have ${o.affine.scale.length} and ${o.affine.bias.length} values for ${channels} channels.`);
  }
  return { run: Math.max(1, inner), mod: channels };
}
