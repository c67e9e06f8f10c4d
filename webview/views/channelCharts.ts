/**
 * Per-channel figures: mean ± std before and after normalization, the variance (log scale on request), and in
 * BatchNorm eval mode the running statistics next to the batch's with the per-channel shift in running std —
 * the train/eval mismatch.
 */
import { MISMATCH_STD } from '../../src/engine/inspect/diagnostics';
import type { Series } from '../charts/seriesChart';
import type { Ctx, View } from '../ctx';
import { afterStats, runningShift } from '../derived';
import { checkbox, h } from '../dom';
import { fmtPrecise } from '../../src/shared/format';

export function channelChartsView(ctx: Ctx): View {
  const points = (values: ArrayLike<number>) => Array.from(values, (y, c) => ({ x: ctx.channelName(c), y }));
  const r = ctx.result;
  const p = ctx.palette;
  const before = r.channel.before;
  const mean = before.map((s) => s.mean);
  const std = before.map((s) => s.std);
  const variance = before.map((s) => s.var);
  const run = r.options.op === 'batchnorm' && r.options.running?.mean.length === r.channels ? r.options.running : undefined;
  const shift = runningShift(r);
  const channels = [...before.keys()].map((c) => String(ctx.channelName(c)));
  const selected = (values: ArrayLike<number>, label: string): Series => ({
    label, kind: 'points', color: p.foreground, points: [{ x: ctx.channelName(ctx.ui.channel), y: values[ctx.ui.channel] }],
  });

  const beforeFig = ctx.figure({ id: 'fig-channel-before', title: 'Before normalization: mean ± std per channel', description: 'Points are channel means, bars one standard deviation (ddof=0).' });
  const afterFig = r.channel.after ? ctx.figure({ id: 'fig-channel-after', title: 'After normalization: y = γ·x̂ + β, mean ± std per channel', description: 'Follows the γ/β sliders.' }) : null;
  const varFig = ctx.figure({ id: 'fig-variance', title: 'Variance per channel (ddof=0)', description: run ? 'Batch variance and running variance.' : 'Batch variance.' });
  const shiftFig = shift ? ctx.figure({ id: 'fig-shift', title: 'Train/eval shift: (batch mean − running mean) / running std', description: `Channels beyond ±${MISMATCH_STD} are flagged.` }) : null;

  function drawBefore(): void {
    const series: Series[] = [{ label: 'batch mean ± std', kind: 'points', color: p.raw, points: points(mean), errors: { lo: mean.map((m, c) => m - std[c]), hi: mean.map((m, c) => m + std[c]) } }];
    if (run) {
      const rs = run.var.map(Math.sqrt);
      series.push({ label: 'running mean ± sqrt(running var)', kind: 'points', color: p.running, points: points(run.mean), errors: { lo: run.mean.map((m, c) => m - rs[c]), hi: run.mean.map((m, c) => m + rs[c]) } });
    }
    series.push(selected(mean, `channel ${ctx.channelName(ctx.ui.channel)}`));
    beforeFig.draw({ series, xTitle: 'channel', yTitle: 'raw value' }, p, () => ({
      head: run ? ['channel', 'mean', 'std', 'running mean', 'running var'] : ['channel', 'mean', 'std'],
      rows: channels.map((c, i) => [c, fmtPrecise(mean[i]), fmtPrecise(std[i]), ...(run ? [fmtPrecise(run.mean[i]), fmtPrecise(run.var[i])] : [])]),
    }));
  }

  function drawAfter(): void {
    const a = afterStats(r, ctx.affine());
    if (!afterFig || !a) return;
    afterFig.draw({
      series: [{ label: 'y mean ± std', kind: 'points', color: p.normalized, points: points(a.mean), errors: { lo: a.mean.map((m, c) => m - a.std[c]), hi: a.mean.map((m, c) => m + a.std[c]) } },
        selected(a.mean, `channel ${ctx.channelName(ctx.ui.channel)}`)],
      xTitle: 'channel', yTitle: 'y',
    }, p, () => ({ head: ['channel', 'y mean', 'y std'], rows: channels.map((c, i) => [c, fmtPrecise(a.mean[i]), fmtPrecise(a.std[i])]) }));
  }

  function drawVariance(): void {
    const series: Series[] = [{ label: 'batch var', kind: 'points', color: p.raw, points: points(variance) }];
    if (run) series.push({ label: 'running var', kind: 'points', color: p.running, points: points(run.var) });
    series.push(selected(variance, `channel ${ctx.channelName(ctx.ui.channel)}`));
    varFig.draw({ series, xTitle: 'channel', yTitle: 'variance', logY: ctx.ui.logVariance }, p, () => ({
      head: run ? ['channel', 'batch var', 'running var'] : ['channel', 'var'],
      rows: channels.map((c, i) => [c, fmtPrecise(variance[i]), ...(run ? [fmtPrecise(run.var[i])] : [])]),
    }));
  }

  function drawShift(): void {
    if (!shiftFig || !shift) return;
    const limit = (y: number) => [{ x: ctx.channelName(0), y }, { x: ctx.channelName(r.channels - 1), y }];
    shiftFig.draw({
      series: [{ label: 'shift', kind: 'points', color: p.running, points: points(shift) },
        { label: `±${MISMATCH_STD} (mismatch)`, kind: 'line', color: p.error, dashed: true, points: limit(MISMATCH_STD) },
        { label: `−${MISMATCH_STD}`, kind: 'line', color: p.error, dashed: true, points: limit(-MISMATCH_STD) },
        selected(shift, `channel ${ctx.channelName(ctx.ui.channel)}`)],
      xTitle: 'channel', yTitle: 'running std',
    }, p, () => ({ head: ['channel', 'shift (running std)'], rows: channels.map((c, i) => [c, fmtPrecise(shift[i])]) }));
  }

  const drawAll = () => {
    drawBefore();
    drawAfter();
    drawVariance();
    drawShift();
  };
  const log = checkbox('Log scale', ctx.ui.logVariance, (on) => {
    ctx.updateUi({ logVariance: on });
    drawVariance();
  }, { id: 'ctl-log-variance' });
  const root = h('section', { class: 'channel-charts', 'aria-labelledby': 'channel-charts-title' },
    h('h3', { id: 'channel-charts-title' }, 'Per channel'),
    h('div', { class: 'figures' }, beforeFig.root, afterFig?.root, h('div', {}, varFig.root, log), shiftFig?.root));
  return {
    root, mounted: drawAll, onChannel: drawAll,
    // only the histograms must follow every step of a drag; this chart follows when the slider is released
    onAffine: (step) => {
      if (!step) drawAfter();
    },
  };
}
