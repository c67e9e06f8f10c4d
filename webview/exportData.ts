/**
 * The statistics a user exports: one CSV row per channel (and one for the whole tensor), or the same as JSON.
 * They hold the channels the page has: the window shown, numbered as in the tensor.
 */
import type { SourceInfo, TensorInfo } from '../src/shared/protocol';
import type { InspectResult, Summary } from '../src/engine/inspect/types';
import { SUMMARY_FIELDS, type ChannelWindow } from '../src/shared/resultWire';
import type { Affine } from './gammaBeta';

/** numpy's spelling of non-finite values, which numpy, pandas and Python's float() all read back. */
function csvNumber(v: number | undefined): string {
  if (v === undefined) return '';
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return String(v);
}

/** Quantile percents as the engine keys them ("1" … "99"; integer keys iterate in ascending order). */
const percents = (s: Summary) => Object.keys(s.quantiles);

function summaryCells(s: Summary, keys: readonly string[]): number[] {
  return [...SUMMARY_FIELDS.map((f) => s[f]), ...keys.map((p) => s.quantiles[p])];
}

export function statisticsCsv(r: InspectResult, a: Affine, w: ChannelWindow): string {
  const run = r.options.running?.mean.length === r.channels ? r.options.running : undefined;
  const keys = percents(r.overall.before);
  const head = ['channel', ...SUMMARY_FIELDS, ...keys.map((p) => `q${p}`), 'xhat_mean', 'xhat_std', 'gamma', 'beta', 'y_mean', 'y_std',
    ...(run ? ['running_mean', 'running_var'] : [])];
  const rows: string[] = [head.join(',')];
  const after = r.channel.after;
  // the whole tensor: its x̂ moments, and no per-channel γ/β or running statistics
  const blanks = new Array<undefined>(run ? 6 : 4).fill(undefined);
  rows.push(['all', ...[...summaryCells(r.overall.before, keys), r.overall.after?.mean, r.overall.after?.std, ...blanks].map(csvNumber)].join(','));
  r.channel.before.forEach((s, c) => {
    const x = after?.[c];
    const cells = [...summaryCells(s, keys), x?.mean, x?.std, a.gamma[c], a.beta[c],
      x ? a.gamma[c] * x.mean + a.beta[c] : undefined, x ? Math.abs(a.gamma[c]) * x.std : undefined,
      ...(run ? [run.mean[c], run.var[c]] : [])];
    rows.push([String(w.start + c), ...cells.map(csvNumber)].join(','));
  });
  return rows.join('\n') + '\n';
}

export function statisticsJson(source: SourceInfo, tensor: TensorInfo, r: InspectResult, a: Affine, w: ChannelWindow): string {
  const after = r.channel.after;
  return JSON.stringify({
    source, tensor,
    options: r.options,
    note: 'var is ddof=0 (numpy), var_unbiased ddof=1 (torch); after statistics are of x̂, before γ/β; non-finite figures are null',
    quantilesExact: r.quantilesExact,
    channelWindow: { first: w.start, count: w.count, of: w.total },
    overall: { before: r.overall.before, after: r.overall.after },
    channels: r.channel.before.map((s, c) => ({ channel: w.start + c, before: s, after: after?.[c] ?? null, gamma: a.gamma[c], beta: a.beta[c] })),
    diagnostics: r.diagnostics,
  }, null, 2);
}

/** A file name from user data, safe as a suggested name (no path separators or characters Windows refuses). */
export function safeFileName(stem: string, suffix: string): string {
  const clean = stem.replace(/[\\/:*?"<>|\p{Cc}]+/gu, '_').replace(/^\.+/, '').slice(0, 200) || 'tensor';
  return `${clean}${suffix}`;
}
