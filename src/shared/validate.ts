/**
 * Runtime checks of messages from the webview. The webview is ours, but its content shows strings from files
 * and a compromised or buggy page must not be able to steer the host: anything that is not exactly one of the
 * known messages is rejected (and logged by the caller).
 */
import { OP_KINDS, type InspectOptions } from '../engine/inspect/types';
import type { ExportFormat, FromWebview } from './protocol';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;
const isNumArray = (v: unknown, max = 1 << 20): v is number[] => Array.isArray(v) && v.length <= max && v.every(isNum);
/**
 * γ/β and running statistics from a file may hold NaN or ±Inf, which JSON (the webview channel) carries as null:
 * accepted here and turned back into NaN, so the host computes what the file says and the NaN shows.
 */
const isValueArray = (v: unknown, max = 1 << 20): v is (number | null)[] =>
  Array.isArray(v) && v.length <= max && v.every((x) => x === null || typeof x === 'number');
const values = (v: (number | null)[]): number[] => v.map((x) => (x === null ? NaN : x));
const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'json', 'png', 'npy'];
/** Exported text and images are bounded: 64 MiB covers any chart and statistics table. */
const MAX_EXPORT_CHARS = 64 << 20;

export function parseInspectOptions(v: unknown): InspectOptions | undefined {
  if (!isObj(v)) return undefined;
  const ok = (OP_KINDS as readonly unknown[]).includes(v.op)
    && (v.mode === 'train' || v.mode === 'eval')
    && (v.channelAxis === null || isInt(v.channelAxis))
    && isInt(v.normalizedDims) && isInt(v.groups)
    && isNum(v.eps) && (v.momentum === null || isNum(v.momentum))
    && (v.convention === 'pytorch' || v.convention === 'keras')
    && Array.isArray(v.range) && v.range.length === 2 && isNumArray(v.range)
    && isInt(v.bins) && v.bins >= 1 && v.bins <= 10000
    && (v.running === undefined || (isObj(v.running) && isValueArray(v.running.mean) && isValueArray(v.running.var)))
    && (v.affine === undefined || (isObj(v.affine) && isValueArray(v.affine.scale) && isValueArray(v.affine.bias)));
  if (!ok) return undefined;
  const o: InspectOptions = {
    op: v.op as InspectOptions['op'], mode: v.mode as InspectOptions['mode'], channelAxis: v.channelAxis as number | null,
    normalizedDims: v.normalizedDims as number, groups: v.groups as number, eps: v.eps as number,
    momentum: v.momentum as number | null, convention: v.convention as InspectOptions['convention'],
    range: [(v.range as number[])[0], (v.range as number[])[1]], bins: v.bins as number,
  };
  if (isObj(v.running)) o.running = { mean: values(v.running.mean as (number | null)[]), var: values(v.running.var as (number | null)[]) };
  if (isObj(v.affine)) o.affine = { scale: values(v.affine.scale as (number | null)[]), bias: values(v.affine.bias as (number | null)[]) };
  return o;
}

export function parseFromWebview(m: unknown): FromWebview | undefined {
  if (!isObj(m) || typeof m.type !== 'string') return undefined;
  switch (m.type) {
    case 'ready':
    case 'reload':
      return { type: m.type };
    case 'compute': {
      const options = parseInspectOptions(m.options);
      if (!isInt(m.requestId) || !isStr(m.tensor) || !options) return undefined;
      if (m.firstChannel === undefined) return { type: 'compute', requestId: m.requestId, tensor: m.tensor, options };
      return isInt(m.firstChannel) && m.firstChannel >= 0
        ? { type: 'compute', requestId: m.requestId, tensor: m.tensor, options, firstChannel: m.firstChannel } : undefined;
    }
    case 'cancel':
      return isInt(m.requestId) ? { type: 'cancel', requestId: m.requestId } : undefined;
    case 'openLayer':
      return isInt(m.requestId) && isStr(m.prefix) ? { type: 'openLayer', requestId: m.requestId, prefix: m.prefix } : undefined;
    case 'attachStats': {
      const options = parseInspectOptions(m.options);
      return isInt(m.requestId) && isStr(m.tensor) && isInt(m.channels) && options
        ? { type: 'attachStats', requestId: m.requestId, tensor: m.tensor, channels: m.channels, options } : undefined;
    }
    case 'follow':
      return typeof m.enabled === 'boolean' ? { type: 'follow', enabled: m.enabled } : undefined;
    case 'webviewError':
      return isStr(m.message, 16384) ? { type: 'webviewError', message: m.message } : undefined;
    case 'export': {
      const format = m.format as ExportFormat;
      if (!isInt(m.requestId) || !EXPORT_FORMATS.includes(format) || !isStr(m.suggestedName, 255)) return undefined;
      if (/[\\/]/.test(m.suggestedName)) return undefined; // a name, never a path
      const out: FromWebview = { type: 'export', requestId: m.requestId, format, suggestedName: m.suggestedName };
      if (format === 'csv' || format === 'json') {
        if (!isStr(m.text, MAX_EXPORT_CHARS)) return undefined;
        out.text = m.text;
      } else if (format === 'png') {
        if (!isStr(m.dataUrl, MAX_EXPORT_CHARS) || !m.dataUrl.startsWith('data:image/png;base64,')) return undefined;
        out.dataUrl = m.dataUrl;
      } else {
        const options = parseInspectOptions(m.options);
        if (!isStr(m.tensor) || !options) return undefined;
        out.tensor = m.tensor;
        out.options = options;
      }
      return out;
    }
    default:
      return undefined;
  }
}
