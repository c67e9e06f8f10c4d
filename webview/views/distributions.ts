/**
 * Histograms of raw and normalized values overlaid, for the whole tensor and the selected channel, with an
 * optional activation curve and the share of values in its saturated and near-linear regions. The normalized
 * histograms are y = γ·x̂ + β computed here from the x̂ histograms, so they follow the γ/β sliders at every step.
 */
import type { Histogram } from '../../src/engine/histogram';
import { ACTIVATION_SPECS, fractionIn, type ActivationSpec } from '../activation';
import { stepPoints, type Series, type SeriesChart } from '../charts/seriesChart';
import type { Ctx, View } from '../ctx';
import { checkbox, field, h, replaceChildren, select } from '../dom';
import { fmtCount, fmtPercent, fmtPrecise } from '../../src/shared/format';
import { isUniform, mapHistogram, rebinChannels } from '../gammaBeta';
import { ACTIVATIONS, type Activation } from '../state';

const CURVE_POINTS = 200;

/** The bin of `h` holding x, as numpy assigns it (half-open bins, the last one closed). */
function binAt(h: Histogram, x: number): number {
  const n = h.counts.length;
  if (!(x >= h.edges[0] && x <= h.edges[n])) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (h.edges[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function describeBin(label: string, h: Histogram | null, x: number | undefined): string | null {
  if (!h || x === undefined) return null;
  const b = binAt(h, x);
  if (b < 0) return null;
  const last = b === h.counts.length - 1;
  return `${label} ∈ [${fmtPrecise(h.edges[b])}, ${fmtPrecise(h.edges[b + 1])}${last ? ']' : ')'}: ${fmtCount(h.counts[b])}`;
}

export function distributionsView(ctx: Ctx): View {
  const r = ctx.result;
  const p = ctx.palette;
  const hasAfter = r.channel.histAfter !== null && r.overall.histAfter !== null;
  const allFig = ctx.figure({ id: 'fig-hist-all', title: 'Whole tensor: raw and normalized values', description: 'Histograms of x and of y = γ·x̂ + β.', hover: (chart, x, y) => hoverLines(chart, x, y, shown.all) });
  const chFig = ctx.figure({ id: 'fig-hist-channel', title: '', description: 'Histograms of the selected channel.', hover: (chart, x, y) => hoverLines(chart, x, y, shown.channel) });
  const exactNote = h('p', { class: 'note', id: 'hist-all-note', 'aria-live': 'polite' });
  const fractions = h('div', { id: 'activation-fractions', 'aria-live': 'polite' });
  const shown: { all: [Histogram, Histogram | null]; channel: [Histogram, Histogram | null] } = {
    all: [r.overall.histBefore, null], channel: [r.channel.histBefore[0], null],
  };

  function hoverLines(chart: SeriesChart, x: number, y: number, [raw, after]: [Histogram, Histogram | null]): string[] | null {
    const rawX = chart.valueAt(x, y, 'x');
    const lines = [describeBin('raw x', raw, rawX), describeBin('y', after, ctx.ui.ownAxes ? chart.valueAt(x, y, 'x2') : rawX)]
      .filter((l): l is string => l !== null);
    return lines.length ? lines : null;
  }

  function yHistograms(): { all: Histogram | null; channel: Histogram | null; exact: boolean } {
    if (!hasAfter) return { all: null, channel: null, exact: true };
    const a = ctx.affine();
    const c = ctx.ui.channel;
    const channel = mapHistogram(r.channel.histAfter![c], a.gamma[c], a.beta[c]);
    if (isUniform(a)) return { all: mapHistogram(r.overall.histAfter!, a.gamma[0], a.beta[0]), channel, exact: true };
    return { all: rebinChannels(r.channel.histAfter!, a, r.overall.histAfter!.counts.length), channel, exact: false };
  }

  function series(raw: Histogram, after: Histogram | null, spec: ActivationSpec | null): Series[] {
    const yAxis = ctx.ui.ownAxes ? 'x2' : 'x';
    const out: Series[] = [{ label: 'raw x', kind: 'steps', color: p.raw, points: stepPoints(raw.edges, raw.counts) }];
    if (after) out.push({ label: 'normalized y', kind: 'steps', color: p.normalized, xAxis: yAxis, points: stepPoints(after.edges, after.counts) });
    if (spec) {
      const onAxis = ctx.ui.ownAxes && after ? [after] : [raw, ...(after ? [after] : [])];
      const lo = Math.min(...onAxis.map((hh) => hh.edges[0]));
      const hi = Math.max(...onAxis.map((hh) => hh.edges[hh.counts.length]));
      const pts = Array.from({ length: CURVE_POINTS + 1 }, (_, i) => {
        const x = lo + ((hi - lo) * i) / CURVE_POINTS;
        return { x, y: spec.f(x) };
      });
      out.push({ label: spec.label, kind: 'line', color: p.curve, xAxis: after ? yAxis : 'x', yAxis: 'y2', points: pts, dashed: true });
    }
    return out;
  }

  function table(raw: Histogram, after: Histogram | null) {
    return () => ({
      head: ['bin', 'raw from', 'raw to', 'raw count', ...(after ? ['y from', 'y to', 'y count'] : [])],
      rows: raw.counts.map((n, i) => [String(i), fmtPrecise(raw.edges[i]), fmtPrecise(raw.edges[i + 1]), fmtCount(n),
        ...(after ? [fmtPrecise(after.edges[i]), fmtPrecise(after.edges[i + 1]), fmtCount(after.counts[i])] : [])]),
    });
  }

  function draw(): void {
    const c = ctx.ui.channel;
    const ys = yHistograms();
    const spec = ctx.ui.activation === 'none' ? null : ACTIVATION_SPECS[ctx.ui.activation];
    const y2Title = spec ? `${spec.label}(x)` : undefined;
    const x2Title = ctx.ui.ownAxes && hasAfter ? 'normalized y' : undefined;
    const xTitle = ctx.ui.ownAxes && hasAfter ? 'raw x' : 'value';
    shown.all = [r.overall.histBefore, ys.all];
    shown.channel = [r.channel.histBefore[c], ys.channel];
    allFig.draw({ series: series(r.overall.histBefore, ys.all, spec), xTitle, x2Title, yTitle: 'count', y2Title }, p, table(r.overall.histBefore, ys.all));
    chFig.setTitle(`Channel ${ctx.channelName(c)}: raw and normalized values`);
    chFig.draw({ series: series(r.channel.histBefore[c], ys.channel, spec), xTitle, x2Title, yTitle: 'count', y2Title }, p, table(r.channel.histBefore[c], ys.channel));
    exactNote.textContent = !hasAfter ? 'No normalization: raw values only.' : ys.exact
      ? 'Exact counts: every channel has the same γ and β, so y’s histogram is x̂’s with its edges mapped.'
      : 'Approximate y counts: channels have different γ/β, so each channel’s mapped bins are split over common bins (totals exact).';
    drawFractions(spec, ys.all, ys.channel);
  }

  function drawFractions(spec: ActivationSpec | null, allY: Histogram | null, chY: Histogram | null): void {
    if (!spec) {
      replaceChildren(fractions);
      return;
    }
    const c = ctx.ui.channel;
    const row = (label: string, hh: Histogram | null, zeros = 0) => (hh ? h('tr', {}, h('th', { scope: 'row' }, label),
      h('td', {}, fmtPercent(fractionIn(hh, spec.saturated, zeros))), h('td', {}, fmtPercent(fractionIn(hh, spec.linear, zeros)))) : null);
    replaceChildren(fractions, h('table', { class: 'stats' },
      h('caption', {}, `${spec.label}: saturated ${spec.saturatedText}; near-linear ${spec.linearText}. `
        + 'Bins straddling a boundary are split in proportion; exact zeros of the raw values count at 0.'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'values'), h('th', { scope: 'col' }, 'saturated'), h('th', { scope: 'col' }, 'near-linear'))),
      h('tbody', {}, row('whole tensor, before', r.overall.histBefore, r.overall.before.zeros), row('whole tensor, after', allY),
        row(`channel ${ctx.channelName(c)}, before`, r.channel.histBefore[c], r.channel.before[c].zeros), row(`channel ${ctx.channelName(c)}, after`, chY))));
  }

  const activation = select(ACTIVATIONS.map((a) => ({ value: a, label: a === 'none' ? 'none' : ACTIVATION_SPECS[a].label })), ctx.ui.activation,
    (v: Activation) => {
      ctx.updateUi({ activation: v });
      draw();
    });
  activation.id = 'ctl-activation';
  const ownAxes = checkbox('Separate x axes for raw and normalized', ctx.ui.ownAxes, (on) => {
    ctx.updateUi({ ownAxes: on });
    draw();
  }, { id: 'ctl-own-axes' });
  const root = h('section', { class: 'distributions', 'aria-labelledby': 'dist-title' },
    h('h3', { id: 'dist-title' }, 'Distributions'),
    h('div', { class: 'row' }, field('Activation overlay', activation), hasAfter ? ownAxes : null),
    h('div', { class: 'figures' }, allFig.root, chFig.root),
    exactNote, fractions);
  return { root, mounted: draw, onChannel: draw, onAffine: draw };
}
