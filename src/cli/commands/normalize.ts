/**
 * `normalize --op OP --x X.npy … --out DIR`: runs one normalization operation and writes what it computes to
 * DIR as .npy files (see USAGE). User errors exit 2 through the CLI's one error funnel.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { integerFlag, listFlag, numberFlag, parseArgs, type ParsedArgs } from '../args';
import { encodeFloat } from '../../engine/dtype';
import { UserError } from '../../engine/errors';
import type { DenseTensor } from '../../engine/tensor';
import {
  NORMALIZATION_OPS, runNormalization, DEFAULT_MOMENTUM,
  type NormalizationOp, type NormalizationRequest, type NormalizationResult, type NormalizedAxes, type RunningConvention,
} from '../../engine/ops';
import { readDenseTensor, writeNpyFile } from '../../node/tensorFiles';

export const NORMALIZE_USAGE = `usage: normalize --op batchnorm|layernorm|groupnorm|instancenorm|rmsnorm|zscore|minmax --x X.npy --out DIR
  [--scale S.npy] [--bias B.npy] [--running-mean M.npy] [--running-var V.npy] [--mode train|eval]
  [--eps E|none] [--momentum M|none] [--convention pytorch|keras] [--num-batches-tracked K]
  [--channel-axis A|none] [--normalized-shape d1,d2,...] [--axis A] [--groups G] [--range a,b] [--grad-y DY.npy]

Writes to DIR:
  y.npy                      the normalized tensor: float64 for float64 x, float32 otherwise (also dx, dscale, dbias)
  mean.npy, var.npy          one value per statistics group: per channel (batchnorm, zscore, minmax), [N, G]
                             (groupnorm), [N, C] (instancenorm), x's shape with the normalized axes as 1
                             (layernorm, rmsnorm). var is the biased (divide-by-n) variance. Statistics, here
                             and below, are written in float64.
  invstd.npy                 1/sqrt(var + eps)
  In eval mode (batchnorm; instancenorm with running statistics) mean, var and invstd are the running
  statistics that normalized y, not statistics of x: y = (x - mean)·invstd·scale + bias holds in every mode.
  rstd.npy                   rmsnorm: 1/sqrt(mean(x²) + eps), the factor that scaled y
  min.npy, max.npy           minmax: the range each feature was mapped from
  running_mean.npy, running_var.npy
                             batchnorm/instancenorm in train mode with --running-mean and --running-var:
                             the updated running statistics
  dx.npy, dscale.npy, dbias.npy
                             batchnorm/layernorm with --grad-y: gradients (scale 1 and bias 0 when not given)

Defaults: mode train, convention pytorch, channel axis 1, eps 1e-5 (0 for zscore), momentum 0.1 (pytorch) or
0.99 (keras; Keras's own eps default is 1e-3: pass --eps 1e-3), num-batches-tracked 0, range 0,1,
layernorm/rmsnorm over the last axis. --eps none (rmsnorm) is PyTorch's eps=None: the machine epsilon of x's
dtype (float32 1.1920929e-07). --momentum none (pytorch) is the cumulative average 1/num_batches_tracked.
--channel-axis none (zscore, minmax) treats the whole tensor as one feature.`;

const VALUED = ['op', 'x', 'scale', 'bias', 'running-mean', 'running-var', 'mode', 'eps', 'momentum', 'convention',
  'num-batches-tracked', 'channel-axis', 'normalized-shape', 'axis', 'groups', 'range', 'grad-y', 'out'];

/** Which options each operation reads; others are ignored with a warning. */
const APPLIES: Readonly<Record<NormalizationOp, readonly string[]>> = {
  batchnorm: ['scale', 'bias', 'running-mean', 'running-var', 'mode', 'eps', 'momentum', 'convention', 'num-batches-tracked', 'channel-axis', 'grad-y'],
  instancenorm: ['scale', 'bias', 'running-mean', 'running-var', 'mode', 'eps', 'momentum', 'convention', 'num-batches-tracked', 'channel-axis'],
  groupnorm: ['scale', 'bias', 'eps', 'channel-axis', 'groups'],
  layernorm: ['scale', 'bias', 'eps', 'normalized-shape', 'axis', 'grad-y'],
  rmsnorm: ['scale', 'eps', 'normalized-shape', 'axis'],
  zscore: ['eps', 'channel-axis'],
  minmax: ['channel-axis', 'range'],
};
const ALWAYS = ['op', 'x', 'out'];

function usageError(message: string): UserError {
  return new UserError('engine', message);
}

function choice<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[], fallback: T): T {
  const raw = args.flags.get(name) ?? fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw usageError(`--${name} must be one of ${allowed.join(', ')}, got '${raw}'.`);
  return raw as T;
}

/** A number flag that also accepts `none` (returned as null). */
function numberOrNone(args: ParsedArgs, name: string, fallback: number): number | null {
  return args.flags.get(name) === 'none' ? null : numberFlag(args, name, fallback);
}

function axesOf(args: ParsedArgs): NormalizedAxes {
  const normalizedShape = listFlag(args, 'normalized-shape');
  if (normalizedShape && !normalizedShape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw usageError(`--normalized-shape must list sizes, got '${args.flags.get('normalized-shape')}'.`);
  }
  return { normalizedShape, axis: args.flags.has('axis') ? integerFlag(args, 'axis', -1) : undefined };
}

async function optionalTensor(args: ParsedArgs, name: string): Promise<DenseTensor | undefined> {
  const file = args.flags.get(name);
  return file === undefined ? undefined : readDenseTensor(file);
}

async function buildRequest(op: NormalizationOp, args: ParsedArgs, x: DenseTensor): Promise<NormalizationRequest> {
  const [scale, bias, runningMean, runningVar, gradY] = await Promise.all(
    ['scale', 'bias', 'running-mean', 'running-var', 'grad-y'].map((n) => optionalTensor(args, n)));
  const mode = choice(args, 'mode', ['train', 'eval'] as const, 'train');
  const convention = choice<RunningConvention>(args, 'convention', ['pytorch', 'keras'], 'pytorch');
  const eps = numberOrNone(args, 'eps', op === 'zscore' ? 0 : 1e-5);
  if (eps === null && op !== 'rmsnorm') throw usageError(`--eps none (machine epsilon) applies to rmsnorm only, not ${op}.`);
  const epsValue = eps ?? 0;
  const update = {
    convention,
    momentum: numberOrNone(args, 'momentum', DEFAULT_MOMENTUM[convention]),
    numBatchesTracked: integerFlag(args, 'num-batches-tracked', 0),
  };
  const channelFlag = args.flags.get('channel-axis');
  const featureAxis = channelFlag === 'none' ? null : integerFlag(args, 'channel-axis', 1);
  if (featureAxis === null && op !== 'zscore' && op !== 'minmax') throw usageError(`--channel-axis none applies to zscore and minmax only, not ${op}.`);
  const channelAxis = featureAxis ?? 1;
  switch (op) {
    case 'batchnorm':
      return { op, x, options: { mode, channelAxis, eps: epsValue, scale, bias, runningMean, runningVar, update, gradY } };
    case 'instancenorm':
      return { op, x, options: { mode, channelAxis, eps: epsValue, scale, bias, runningMean, runningVar, update } };
    case 'groupnorm': {
      if (!args.flags.has('groups')) throw usageError('groupnorm needs --groups G.');
      return { op, x, options: { groups: integerFlag(args, 'groups', 1), channelAxis, eps: epsValue, scale, bias } };
    }
    case 'layernorm':
      return { op, x, options: { ...axesOf(args), eps: epsValue, scale, bias, gradY } };
    case 'rmsnorm':
      return { op, x, options: { ...axesOf(args), eps, scale } };
    case 'zscore':
      return { op, x, options: { featureAxis, eps: epsValue } };
    case 'minmax': {
      const range = listFlag(args, 'range') ?? [0, 1];
      if (range.length !== 2) throw usageError(`--range must be two numbers a,b, got '${args.flags.get('range')}'.`);
      return { op, x, options: { featureAxis, range: [range[0], range[1]] } };
    }
  }
}

interface OutputFile {
  name: string;
  shape: number[];
  values: ArrayLike<number>;
  /** Tensors (y and gradients) take the operation's output dtype; statistics are reported in float64 (SEMANTICS.md). */
  dtype: 'float32' | 'float64';
}

/** Every file the result holds. */
function outputsOf(r: NormalizationResult): OutputFile[] {
  const s = r.statistics;
  const tensorType = r.y.dtype === 'float64' ? 'float64' : 'float32';
  const files: OutputFile[] = [{ name: 'y', shape: r.y.shape, values: r.y.data, dtype: tensorType }];
  const statistic = (name: string, shape: number[], values: Float64Array) => files.push({ name, shape, values, dtype: 'float64' });
  statistic('mean', s.shape, s.mean);
  statistic('var', s.shape, s.variance);
  statistic('invstd', s.shape, s.invstd);
  for (const [name, values] of Object.entries(r.extra)) statistic(name, s.shape, values);
  if (r.running) {
    statistic('running_mean', [r.running.mean.length], r.running.mean);
    statistic('running_var', [r.running.variance.length], r.running.variance);
  }
  if (r.gradients) {
    for (const [name, t] of Object.entries(r.gradients)) files.push({ name, shape: t.shape, values: t.data, dtype: tensorType });
  }
  return files;
}

export async function normalize(argv: string[]): Promise<number> {
  const args = parseArgs(argv, VALUED, ['help']);
  if (args.switches.has('help')) {
    process.stdout.write(`${NORMALIZE_USAGE}\n`);
    return 0;
  }
  if (args.positional.length > 0) throw usageError(`unexpected argument '${args.positional[0]}'. ${NORMALIZE_USAGE.split('\n')[0]}`);
  const op = choice(args, 'op', NORMALIZATION_OPS, '' as NormalizationOp);
  const xFile = args.flags.get('x');
  const outDir = args.flags.get('out');
  if (!xFile || !outDir) throw usageError(`normalize needs --x and --out. ${NORMALIZE_USAGE.split('\n')[0]}`);
  for (const name of args.flags.keys()) {
    if (!ALWAYS.includes(name) && !APPLIES[op].includes(name)) process.stderr.write(`warning: --${name} does not apply to ${op}; ignored.\n`);
  }
  const x = await readDenseTensor(xFile);
  const result = runNormalization(await buildRequest(op, args, x));
  await fsp.mkdir(outDir, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    throw new UserError('io', `Cannot create ${outDir}: ${e.code ?? e.message}.`);
  });
  const files = outputsOf(result);
  for (const f of files) await writeNpyFile(path.join(outDir, `${f.name}.npy`), f.dtype, f.shape, encodeFloat(f.values, f.dtype));
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  const r = result.running;
  const running = r
    ? ` (running statistics: ${r.convention} convention, batch weight ${r.batchWeight}, ${r.varianceEstimator} variance, num_batches_tracked ${r.numBatchesTracked})`
    : '';
  process.stdout.write(`${op}: wrote ${files.map((f) => `${f.name} (${f.dtype})`).join(', ')} to ${outDir}${running}\n`);
  return 0;
}
