/**
 * ONNX normalization operators (BatchNormalization, LayerNormalization, GroupNormalization,
 * InstanceNormalization, RMSNormalization) on top of the engine's operations: inputs and outputs by their ONNX
 * formal names. Also the extension attributes of the conformance set: `channel_axis`, `layout: 'nhwc'` (channels
 * last) and LayerNormalization's WebNN-style `axes` (with `axis` null).
 */
import { EngineError } from '../errors';
import type { DenseTensor } from '../tensor';
import { batchNorm } from './batchNorm';
import { groupNorm } from './groupNorm';
import { instanceNorm } from './instanceNorm';
import { layerNorm } from './layerNorm';
import type { NormalizedAxes } from './normalizedAxes';
import { outputTensor } from './kernel';
import type { NormalizationResult } from './result';
import { rmsNorm } from './rmsNorm';

export interface OnnxNode {
  op: string;
  attributes: Readonly<Record<string, unknown>>;
  /** Inputs by formal name; an absent optional input is undefined. */
  inputs: ReadonlyMap<string, DenseTensor | undefined>;
}

/** A numeric attribute; without a fallback it is required. */
function attribute(node: OnnxNode, name: string, fallback?: number): number {
  const v = node.attributes[name];
  if (v === undefined || v === null) {
    if (fallback === undefined) throw new EngineError(`${node.op} needs attribute ${name}.`);
    return fallback;
  }
  if (typeof v !== 'number') throw new EngineError(`${node.op} attribute ${name} must be a number, got ${JSON.stringify(v)}.`);
  return v;
}

/** ONNX float attributes are float32 in the model: eps=0.01 means float32(0.01). */
function floatAttribute(node: OnnxNode, name: string, fallback: number): number {
  return Math.fround(attribute(node, name, fallback));
}

function input(node: OnnxNode, role: string): DenseTensor {
  const t = node.inputs.get(role);
  if (!t) throw new EngineError(`${node.op} needs input ${role}.`);
  return t;
}

/** The feature axis: `channel_axis`, or the last axis for `layout: 'nhwc'`, else ONNX's axis 1. */
function channelAxis(node: OnnxNode): number {
  if (node.attributes.layout === 'nhwc') return -1;
  if (node.attributes.layout !== undefined && node.attributes.layout !== 'nchw') {
    throw new EngineError(`${node.op} layout ${JSON.stringify(node.attributes.layout)} is not one of nchw, nhwc.`);
  }
  return attribute(node, 'channel_axis', 1);
}

function normalizedAxes(node: OnnxNode): NormalizedAxes {
  const axes = node.attributes.axes;
  if (Array.isArray(axes) && (node.attributes.axis === null || node.attributes.axis === undefined)) {
    if (!axes.every((a) => Number.isInteger(a))) throw new EngineError(`${node.op} axes must be integers, got ${JSON.stringify(axes)}.`);
    return { axes: axes as number[] };
  }
  return { axis: attribute(node, 'axis', -1) };
}

function statistic(r: NormalizationResult, values: Float64Array): DenseTensor {
  return outputTensor(r.y, r.statistics.shape, values);
}

/** Runs `node`; returns its outputs by ONNX formal name. */
export function runOnnxNode(node: OnnxNode): Map<string, DenseTensor> {
  const eps = floatAttribute(node, 'epsilon', 1e-5);
  switch (node.op) {
    case 'BatchNormalization': {
      if (attribute(node, 'spatial', 1) !== 1) throw new EngineError('BatchNormalization with spatial=0 (per-activation statistics) is not supported.');
      const training = attribute(node, 'training_mode', 0) === 1;
      const r = batchNorm(input(node, 'X'), {
        mode: training ? 'train' : 'eval', channelAxis: channelAxis(node), eps,
        scale: node.inputs.get('scale'), bias: node.inputs.get('B'),
        runningMean: input(node, 'input_mean'), runningVar: input(node, 'input_var'),
        update: { convention: 'keras', momentum: floatAttribute(node, 'momentum', 0.9) },
      });
      const out = new Map([['Y', r.y]]);
      if (r.running) {
        out.set('running_mean', outputTensor(r.y, [r.running.mean.length], r.running.mean));
        out.set('running_var', outputTensor(r.y, [r.running.variance.length], r.running.variance));
      }
      return out;
    }
    case 'LayerNormalization': {
      const r = layerNorm(input(node, 'X'), { ...normalizedAxes(node), eps, scale: node.inputs.get('Scale'), bias: node.inputs.get('B') });
      return new Map([['Y', r.y], ['Mean', statistic(r, r.statistics.mean)], ['InvStdDev', statistic(r, r.statistics.invstd)]]);
    }
    case 'RMSNormalization': {
      const r = rmsNorm(input(node, 'X'), { ...normalizedAxes(node), eps, scale: node.inputs.get('scale') });
      return new Map([['Y', r.y]]);
    }
    case 'GroupNormalization': {
      const r = groupNorm(input(node, 'X'), {
        groups: attribute(node, 'num_groups'), channelAxis: channelAxis(node), eps,
        scale: node.inputs.get('scale'), bias: node.inputs.get('bias'),
      });
      return new Map([['Y', r.y]]);
    }
    case 'InstanceNormalization': {
      const r = instanceNorm(input(node, 'input'), { channelAxis: channelAxis(node), eps, scale: node.inputs.get('scale'), bias: node.inputs.get('B') });
      return new Map([['output', r.y]]);
    }
    default:
      throw new EngineError(`${node.op} is not a normalization operator this engine runs.`);
  }
}
