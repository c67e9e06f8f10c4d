/**
 * BatchNorm's running statistics simulated for the selected channel over mini-batches split from the batch
 * axis, in both conventions, and how the batch statistics scatter as the mini-batch shrinks.
 */
import type { Ctx, View } from '../ctx';
import { field, h } from '../dom';
import { fmtParam, fmtPrecise } from '../format';
import { batchNoise, miniBatches, simulateRunning } from '../runningSim';

const PYTORCH_DEFAULT = 0.1;
const KERAS_DEFAULT = 0.99;

export function runningPanelView(ctx: Ctx): View | null {
  const r = ctx.result;
  const s = r.samples;
  if (r.options.op !== 'batchnorm' || !s || s.rows < 1) return null;
  const p = ctx.palette;
  const o = r.options;
  const pytorchMomentum = o.convention === 'pytorch' ? o.momentum : PYTORCH_DEFAULT;
  const kerasMomentum = o.convention === 'keras' ? o.momentum ?? KERAS_DEFAULT : KERAS_DEFAULT;
  const defaultRows = Math.max(1, Math.floor(s.rows / 8));
  const rowsOf = () => Math.min(s.rows, ctx.ui.miniBatch || defaultRows);
  const perRow = s.samplesPerRow;

  const size = h('input', { id: 'sim-batch', type: 'number', min: 1, max: s.rows, step: 1, value: rowsOf() });
  size.addEventListener('change', () => {
    const v = Number(size.value);
    if (!Number.isInteger(v) || v < 1 || v > s.rows) {
      size.setAttribute('aria-invalid', 'true');
      return;
    }
    size.removeAttribute('aria-invalid');
    ctx.updateUi({ miniBatch: v });
    draw();
  });
  const meanFig = ctx.figure({ id: 'fig-running-mean', title: '', description: 'Batch means per mini-batch and the running mean of each convention.' });
  const varFig = ctx.figure({ id: 'fig-running-var', title: '', description: 'Batch variances per mini-batch and the running variance of each convention.' });
  const noiseFig = ctx.figure({ id: 'fig-batch-noise', title: '', description: 'Standard deviation across mini-batches of the batch mean and variance, by mini-batch size.' });
  const note = h('p', { class: 'note', id: 'sim-note', 'aria-live': 'polite' });
  const pyLabel = `PyTorch (momentum ${pytorchMomentum === null ? 'None' : fmtParam(pytorchMomentum)})`;
  const kerasLabel = `Keras (momentum ${fmtParam(kerasMomentum)})`;

  function draw(): void {
    const c = ctx.ui.channel;
    const rows = rowsOf();
    const sim = simulateRunning(miniBatches(s!, c, rows), pytorchMomentum, kerasMomentum);
    const steps = sim.steps;
    const at = (f: (st: (typeof steps)[number]) => number) => steps.map((st) => ({ x: st.step, y: f(st) }));
    const whole = r.channel.before[c];
    const flat = (y: number) => [{ x: 1, y }, { x: Math.max(1, steps.length), y }];
    meanFig.setTitle(`Channel ${c}: running mean over ${steps.length} mini-batches of ${rows * perRow} samples`);
    meanFig.draw({
      series: [
        { label: 'batch mean', kind: 'points', color: p.raw, points: at((st) => st.batchMean) },
        { label: pyLabel, kind: 'line', color: p.running, points: at((st) => st.pytorchMean) },
        { label: kerasLabel, kind: 'line', color: p.keras, points: at((st) => st.kerasMean) },
        { label: 'whole-batch mean', kind: 'line', color: p.muted, dashed: true, points: flat(whole.mean) },
      ],
      xTitle: 'mini-batch', yTitle: 'mean',
    }, p, () => ({
      head: ['step', 'batch mean', 'PyTorch running_mean', 'Keras moving_mean'],
      rows: steps.map((st) => [String(st.step), fmtPrecise(st.batchMean), fmtPrecise(st.pytorchMean), fmtPrecise(st.kerasMean)]),
    }));
    varFig.setTitle(`Channel ${c}: running variance (PyTorch stores ddof=1, Keras ddof=0)`);
    varFig.draw({
      series: [
        { label: 'batch var (ddof=0)', kind: 'points', color: p.raw, points: at((st) => st.batchVar) },
        { label: pyLabel, kind: 'line', color: p.running, points: at((st) => st.pytorchVar) },
        { label: kerasLabel, kind: 'line', color: p.keras, points: at((st) => st.kerasVar) },
        { label: 'whole-batch var (ddof=0)', kind: 'line', color: p.muted, dashed: true, points: flat(whole.var) },
      ],
      xTitle: 'mini-batch', yTitle: 'variance',
    }, p, () => ({
      head: ['step', 'batch var (ddof=0)', 'batch var (ddof=1)', 'PyTorch running_var', 'Keras moving_variance'],
      rows: steps.map((st) => [String(st.step), fmtPrecise(st.batchVar), fmtPrecise(st.batchVarUnbiased), fmtPrecise(st.pytorchVar), fmtPrecise(st.kerasVar)]),
    }));
    const noise = batchNoise(s!, c);
    noiseFig.setTitle(`Channel ${c}: noise of the batch statistics by mini-batch size`);
    noiseFig.draw({
      series: [
        { label: 'std of batch mean', kind: 'line', color: p.raw, points: noise.map((n) => ({ x: n.rows * perRow, y: n.meanStd })) },
        { label: 'std of batch var', kind: 'line', color: p.normalized, yAxis: 'y2', points: noise.map((n) => ({ x: n.rows * perRow, y: n.varStd })) },
      ],
      xTitle: 'mini-batch size (samples)', yTitle: 'std of batch mean', y2Title: 'std of batch var',
    }, p, () => ({
      head: ['mini-batch size', 'mini-batches', 'std of batch mean', 'std of batch var'],
      rows: noise.map((n) => [String(n.rows * perRow), String(n.batches), fmtPrecise(n.meanStd), fmtPrecise(n.varStd)]),
    }));
    note.textContent = `Both start from running_mean 0, running_var 1, as the frameworks initialize them.`
      + (sim.skipped ? ` ${sim.skipped} mini-batch(es) with fewer than 2 values skipped: PyTorch refuses to train on them.` : '');
  }

  const root = h('section', { class: 'running', 'aria-labelledby': 'running-title' },
    h('h3', { id: 'running-title' }, 'Running statistics'),
    field('Mini-batch size (rows of the batch axis)', size, perRow > 1 ? `each row merges ${perRow} samples` : `of ${s.rows} samples`),
    h('div', { class: 'figures' }, meanFig.root, varFig.root, noiseFig.root), note);
  return { root, mounted: draw, onChannel: draw };
}
