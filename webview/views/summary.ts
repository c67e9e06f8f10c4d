/** Whole-tensor statistics before and after normalization, each figure labeled with its estimator. */
import type { InspectResult, Summary } from '../../src/engine/inspect/types';
import { h } from '../dom';
import { fmt, fmtInt } from '../../src/shared/format';

type Row = [string, (s: Summary) => string];

const MOMENT_ROWS: readonly Row[] = [
  ['finite values', (s) => fmtInt(s.count)],
  ['mean', (s) => fmt(s.mean)],
  ['std (ddof=0)', (s) => fmt(s.std)],
  ['var (ddof=0, numpy)', (s) => fmt(s.var)],
  ['var (ddof=1, torch)', (s) => fmt(s.var_unbiased)],
  ['min', (s) => fmt(s.min)],
  ['max', (s) => fmt(s.max)],
  ['exact zeros', (s) => fmtInt(s.zeros)],
];

/** The engine's quantiles, keyed by percent ("1", "5", … "99"; integer keys iterate in ascending order). */
const quantileRows = (s: Summary): Row[] => Object.keys(s.quantiles).map((p) => [`${p} % quantile`, (x) => fmt(x.quantiles[p])]);

/** `preview`: r is pass 1's preview (no quantiles yet), which the notes say. */
export function summaryView(r: InspectResult, preview = false): HTMLElement {
  const { before, after } = r.overall;
  const nonFinite = before.nan + before.posinf + before.neginf;
  const n = r.normalization;
  return h('section', { class: 'summary', 'aria-labelledby': 'summary-title' },
    h('h3', { id: 'summary-title' }, 'Whole tensor'),
    h('table', { class: 'stats', id: 'summary-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'statistic'), h('th', { scope: 'col' }, 'raw x'),
        after ? h('th', { scope: 'col' }, 'normalized x̂ (before γ/β)') : null)),
      h('tbody', {}, ...[...MOMENT_ROWS, ...quantileRows(before)].map(([label, f]) => h('tr', { 'data-stat': label },
        h('th', { scope: 'row' }, label), h('td', {}, f(before)), after ? h('td', {}, f(after)) : null)))),
    h('p', { class: 'note', id: 'quantile-note' }, preview
      ? 'Moments are exact over all values; quantiles and histograms are still being computed.'
      : r.quantilesExact
        ? 'Quantiles are exact (numpy’s linear method); histograms are exact counts over all values.'
        : 'Large tensor: quantiles are estimated from fine histograms of all values (up to 4096 bins; error under one fine bin width); histograms and moments are exact over all values.'),
    nonFinite ? h('p', { class: 'note bad' }, `Statistics are over the ${fmtInt(before.count)} finite values of ${fmtInt(before.elements)}; `
      + 'the normalization propagates NaN and Inf as the frameworks do.') : null,
    n ? h('p', { class: 'note' }, `${fmtInt(n.groups)} normalization groups of ${fmtInt(n.groupSize)} values; group variance from ${fmt(n.varMin)} to ${fmt(n.varMax)}`
      + (n.epsDominated ? `; ${fmtInt(n.epsDominated)} below eps.` : '.')) : null,
    h('p', { class: 'note muted' }, preview ? `Moments computed in ${fmtInt(r.millis)} ms.` : `Computed in ${fmtInt(r.millis)} ms.`));
}
