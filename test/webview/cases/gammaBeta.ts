/**
 * γ/β sliders: the histogram drawn after a slider step is the math's — y = γ·x̂ + β maps x̂'s bin edges and keeps
 * the counts; "identity" gives back the input; the all-channel histogram is exact while γ/β are uniform.
 */
import { assert, near, shown } from '../assert';
import { withPage, type Env } from '../env';
import type { InspectorPage } from '../inspectorPage';
import { test } from '../runner';

/** The y columns (from, to, count) of a histogram figure's data table. */
async function yBins(p: InspectorPage, figure: string): Promise<{ lo: number[]; hi: number[]; counts: number[] }> {
  const rows = await p.figureTable(figure);
  return { lo: rows.map((r) => shown(r[4])), hi: rows.map((r) => shown(r[5])), counts: rows.map((r) => Number(r[6])) };
}

export function registerGammaBeta(env: Env): void {
  const { fx, ref } = env;
  const c = ref.bn1.channel;
  const xhat = fx.bnTrain.result!.channel.histAfter![c];
  const xhatAll = fx.bnTrain.result!.overall.histAfter!;

  test('per-channel γ and β slider steps map the channel histogram edges (counts unchanged)', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.locator(`#channel-grid tr[data-channel="${c}"]`).click();
    await p.call('moveSlider', '#gb-gamma', [-0.75, 1.7]);
    await p.call('moveSlider', '#gb-beta', [0.5]);
    const g = Number(await p.page.inputValue('#gb-gamma-value'));
    const b = Number(await p.page.inputValue('#gb-beta-value'));
    assert.ok(Math.abs(g - 1.7) < 0.01 && Math.abs(b - 0.5) < 0.01, `slider values ${g}, ${b}`);
    const y = await yBins(p, 'fig-hist-channel');
    xhat.counts.forEach((n, i) => {
      assert.equal(y.counts[i], n, `bin ${i} count`);
      near(y.lo[i], g * xhat.edges[i] + b, `bin ${i} y from`, 1e-6, 1e-9);
      near(y.hi[i], g * xhat.edges[i + 1] + b, `bin ${i} y to`, 1e-6, 1e-9);
    });
    const row = await p.gridRow(c);
    near(shown(row.afterStd), g * ref.bn1.xhatStd[c], 'y std follows γ');
  }));

  test('a negative γ mirrors the histogram', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.locator(`#channel-grid tr[data-channel="${c}"]`).click();
    await p.page.fill('#gb-gamma-value', '-2');
    await p.page.locator('#gb-gamma-value').dispatchEvent('change');
    const y = await yBins(p, 'fig-hist-channel');
    const n = xhat.counts.length;
    for (let i = 0; i < n; i++) {
      assert.equal(y.counts[i], xhat.counts[n - 1 - i], `bin ${i} count, mirrored`);
      near(y.lo[i], -2 * xhat.edges[n - i], `bin ${i} y from`, 1e-6, 1e-9);
    }
  }));

  test('identity preset (γ = sqrt(σ²+eps), β = μ) gives back the input', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.locator(`#channel-grid tr[data-channel="${c}"]`).click();
    await p.page.click('#gb-identity');
    const g = Math.sqrt(ref.bn1.stats.var[c] + ref.bn1.eps);
    near(Number(await p.page.inputValue('#gb-gamma-value')), g, 'identity γ', 1e-6);
    const y = await yBins(p, 'fig-hist-channel');
    // y's range is the raw range: x̂ was rounded to float32, so one float32 ulp of the raw values
    near(y.lo[0], ref.bn1.stats.min[c], 'y minimum = raw minimum', 1e-5, 1e-6);
    near(y.hi[y.hi.length - 1], ref.bn1.stats.max[c], 'y maximum = raw maximum', 1e-5, 1e-6);
    const row = await p.gridRow(c);
    near(shown(row.afterMean), ref.bn1.stats.mean[c], 'y mean = raw mean', 1e-4, 1e-6);
    near(shown(row.afterStd), ref.bn1.stats.std[c] * g / Math.sqrt(ref.bn1.stats.var[c] + ref.bn1.eps), 'y std = raw std');
  }));

  test('all-channel scale: exact while γ/β are uniform, rebinned with totals kept once they differ', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.call('moveSlider', '#gb-gamma-all', [1.5]);
    const k = Number(await p.page.inputValue('#gb-gamma-all-value'));
    let y = await yBins(p, 'fig-hist-all');
    xhatAll.counts.forEach((n, i) => {
      assert.equal(y.counts[i], n, `bin ${i} count`);
      near(y.lo[i], k * xhatAll.edges[i], `bin ${i} y from`, 1e-6, 1e-9);
    });
    assert.match(await p.text('#hist-all-note'), /^Exact counts/);
    await p.page.locator(`#channel-grid tr[data-channel="${c}"]`).click();
    await p.call('moveSlider', '#gb-beta', [1]);
    assert.match(await p.text('#hist-all-note'), /^Approximate y counts/);
    y = await yBins(p, 'fig-hist-all');
    near(y.counts.reduce((a, b) => a + b, 0), 64 * 16 * 64, 'total y count', 1e-6);
  }));

  test('reset returns to the file values; the start point is shown', () => withPage(env, async (p) => {
    const file = ref.bn1.affine;
    await p.show(fx.bnEval);
    await p.page.locator(`#channel-grid tr[data-channel="${c}"]`).click();
    near(Number(await p.page.inputValue('#gb-gamma-value')), file.scale[c], 'γ starts at the file value', 1e-6);
    await p.call('moveSlider', '#gb-gamma', [0.1]);
    await p.call('moveSlider', '#gb-beta-all', [0.3]);
    await p.page.click('#gb-reset');
    near(Number(await p.page.inputValue('#gb-gamma-value')), file.scale[c], 'γ after reset', 1e-6);
    near(Number(await p.page.inputValue('#gb-beta-value')), file.bias[c], 'β after reset', 1e-6);
    assert.equal(Number(await p.page.inputValue('#gb-beta-all-value')), 0);
    assert.match(await p.text('#gb-info'), new RegExp(`^Channel ${c}: file γ = `));
  }));

  test('activation overlay: saturated and near-linear fractions from the histograms', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.selectOption('#ctl-activation', 'relu');
    const rows = await p.call('cells', '#activation-fractions tbody tr');
    assert.equal(rows[0][0], 'whole tensor, before');
    // numpy's exact fraction of negative raw values; the histogram splits the bin holding 0, so allow one bin's share
    const dead = parseFloat(rows[0][1]) / 100;
    assert.ok(Math.abs(dead - ref.bn1.reluDeadFraction) < 0.01, `ReLU dead fraction ${dead} vs numpy ${ref.bn1.reluDeadFraction}`);
    const after = parseFloat(rows[1][1]) / 100;
    assert.ok(Math.abs(after - ref.bn1.reluDeadFractionAfter) < 0.01, `after: ${after} vs numpy ${ref.bn1.reluDeadFractionAfter}`);
    assert.ok(await p.call('ink', '#fig-hist-all canvas') > 300);
  }));
}
