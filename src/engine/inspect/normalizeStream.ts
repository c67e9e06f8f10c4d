/**
 * The normalized tensor y = γ·x̂ + β, streamed chunk by chunk through the same plan the inspector's statistics
 * use, so an exported tensor is exactly what the inspector showed, for tensors of any size.
 */
import { outputDType, type DType, type NumericArray } from '../dtype';
import { CancelledError, EngineError } from '../errors';
import { GroupMoments, groupCount, type GroupMap, type MomentsState } from '../moments';
import { channelSplit, elementCount, normalizeAxis } from '../tensor';
import { NO_CONTROL, type ElementSource, type RunControl } from './inspect';
import { Kernels } from '../wasm/kernels';
import { applyPlan, mapGroups, newScratch, planNormalization, type NormParams, type NormPlan } from './normPlan';
import type { InspectOptions } from './types';

export async function normalizeStream(src: ElementSource, o: InspectOptions, sink: (y: NumericArray) => Promise<void>,
  control: RunControl = NO_CONTROL): Promise<{ dtype: 'float32' | 'float64' }> {
  const total = elementCount(src.shape);
  const forward = new Forward(src.shape, src.dtype, o);
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
  try {
    const moments = forward.moments(kernels);
    await visit(0, (chunk, start) => { moments.add(chunk, start, forward.map); });
    const y = forward.output(moments, kernels);
    await visit(1, (chunk, start) => sink(y(chunk, start)));
    return { dtype: outputDType(src.dtype) };
  } finally {
    kernels?.release();
  }
}

/**
 * y = γ·x̂ + β in two steps: the statistics of the normalization's groups (moments, mergeable across ranges), then
 * y chunk by chunk. The worker pool runs both steps over ranges in several workers (enginePool.ts).
 */
export class Forward {
  private readonly plan: NormPlan;
  private readonly channelMap: GroupMap | null;
  readonly groups: number;

  constructor(shape: number[], private readonly dtype: DType, private readonly o: InspectOptions) {
    const plan = planNormalization(shape, o);
    if (!plan) throw new EngineError('Choose a normalization to export the normalized tensor.');
    this.plan = plan;
    this.channelMap = affineMap(shape, o);
    this.groups = groupCount(plan.map, elementCount(shape));
  }

  /** How the statistics are grouped. */
  get map(): GroupMap {
    return this.plan.map;
  }

  moments(kernels: Kernels | null): GroupMoments {
    return new GroupMoments(this.groups, kernels);
  }

  /** y of a chunk from the groups' merged moments; each y is a view overwritten by the next chunk. */
  output(moments: MomentsState, kernels: Kernels | null): (chunk: NumericArray, start: number) => NumericArray {
    const params = this.plan.params(moments instanceof GroupMoments ? moments : GroupMoments.over(moments));
    const scratch = newScratch(this.dtype, kernels);
    const o = this.o;
    const channelMap = this.channelMap;
    // y = γ·x̂ + β = (x̂ - 0)·γ + β on the x̂ the inspector shows (rounded to the output dtype), in place
    const affine: NormParams | null = o.affine && channelMap
      ? { shift: new Float64Array(o.affine.scale.length), scale: Float64Array.from(o.affine.scale), offset: Float64Array.from(o.affine.bias) } : null;
    return (chunk, start) => {
      const y = applyPlan(chunk, start, this.plan.map, params, scratch, kernels);
      if (affine) mapGroups(y, y, start, channelMap!, affine, kernels);
      return y;
    };
  }
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
