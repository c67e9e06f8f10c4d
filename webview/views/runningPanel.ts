/**
 * BatchNorm's running statistics simulated for the selected channel over mini-batches split from the batch
 * axis, in both conventions, and how the batch statistics scatter as the mini-batch shrinks.
 */
import type { Ctx, View } from '../ctx';
import { field, h } from '../dom';
import { fmtParam, fmtPrecise } from '../../src/shared/format';
import { batchNoise, miniBatches, simulateRunning, type RunningStep } from '../runningSim';
import type { Figure } from '../charts/figure';

type Pick = (step: RunningStep) => number;

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
    const at = (f: Pick) => steps.map((st) => ({ x: st.step, y: f(st) }));
    const whole = r.channel.before[c];
    const flat = (y: number) => [{ x: 1, y }, { x: Math.max(1, steps.length), y }];
    const track = (fig: Figure, title: string, what: 'mean' | 'variance', batch: [string, Pick], pytorch: Pick, keras: Pick, whole: number,
      columns: [string, Pick][]) => {
      fig.setTitle(title);
      fig.draw({
        series: [
          { label: batch[0], kind: 'points', color: p.raw, points: at(batch[1]) },
          { label: pyLabel, kind: 'line', color: p.running, points: at(pytorch) },
          { label: kerasLabel, kind: 'line', color: p.keras, points: at(keras) },
          { label: `whole-batch ${what}`, kind: 'line', color: p.muted, dashed: true, points: flat(whole) },
        ],
        xTitle: 'mini-batch', yTitle: what,
      }, p, () => ({
        head: ['step', ...columns.map(([name]) => name)],
        rows: steps.map((st) => [String(st.step), ...columns.map(([, f]) => fmtPrecise(f(st)))]),
      }));
    };
    track(meanFig, `Channel ${ctx.channelName(c)}: running mean over ${steps.length} mini-batches of ${rows * perRow} samples`, 'mean',
      ['batch mean', (st) => st.batchMean], (st) => st.pytorchMean, (st) => st.kerasMean, whole.mean,
      [['batch mean', (st) => st.batchMean], ['PyTorch running_mean', (st) => st.pytorchMean], ['Keras moving_mean', (st) => st.kerasMean]]);
    track(varFig, `Channel ${ctx.channelName(c)}: running variance (PyTorch stores ddof=1, Keras ddof=0)`, 'variance',
      ['batch var (ddof=0)', (st) => st.batchVar], (st) => st.pytorchVar, (st) => st.kerasVar, whole.var,
      [['batch var (ddof=0)', (st) => st.batchVar], ['batch var (ddof=1)', (st) => st.batchVarUnbiased],
        ['PyTorch running_var', (st) => st.pytorchVar], ['Keras moving_variance', (st) => st.kerasVar]]);
    const noise = batchNoise(s!, c);
    noiseFig.setTitle(`Channel ${ctx.channelName(c)}: noise of the batch statistics by mini-batch size`);
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
