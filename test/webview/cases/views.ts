/** Each view renders with the right numbers: compared with numpy's (reference.json), never with the engine's own. */
import { assert, near, shown } from '../assert';
import { withPage, type Env } from '../env';
import { NON_FINITE } from '../makeFixtures';
import { test } from '../runner';

const BN_FIGURES = ['fig-channel-before', 'fig-channel-after', 'fig-variance', 'fig-hist-all', 'fig-hist-channel', 'fig-running-mean', 'fig-running-var', 'fig-batch-noise'];

export function registerViews(env: Env): void {
  const { fx, ref } = env;
  const bn = ref.bn1;

  test('posts ready, computes with the init options, and draws every chart', () => withPage(env, async (p) => {
    assert.equal((await p.posted())[0].type, 'ready');
    await p.show(fx.bnTrain);
    const compute = await p.waitPosted('compute');
    assert.deepEqual(compute.options, fx.bnTrain.init.options);
    assert.equal(compute.tensor, '');
    const ids = await p.page.locator('figure.figure').evaluateAll((fs) => fs.filter((f) => !f.hidden).map((f) => f.id));
    assert.deepEqual(ids.sort(), [...BN_FIGURES].sort());
    for (const id of BN_FIGURES) assert.ok(await p.call('ink', `#${id} canvas`) > 300, `${id} has drawn`);
  }));

  test('header: source, shape, dtype, layout, elements, memory, non-finite counts, operation in words', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    assert.equal(await p.text('#tensor-title'), 'digits_bn1_input.npy');
    const facts = await p.page.locator('.facts .kv').evaluateAll((kv) => kv.map((k) => (k.textContent ?? '').replace(/\s+/g, ' ')));
    for (const expected of ['Shape(64, 16, 8, 8)', 'dtypefloat32', 'LayoutNCHW', 'Elements65,536', 'Memory256 KiB', 'Non-finiteNaN 0 +Inf 0 -Inf 0']) {
      assert.ok(facts.includes(expected), `header has '${expected}': ${JSON.stringify(facts)}`);
    }
    assert.equal(await p.text('#op-words'), 'PyTorch BatchNorm2d, train, momentum 0.1, eps 1e-5, running_var unbiased');
    assert.equal(await p.page.locator('.count.bad').count(), 0);
  }));

  test('channel grid: mean, std, var, min, max of all 16 channels equal numpy', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    assert.equal(await p.page.locator('#channel-grid tbody tr').count(), 16);
    for (let c = 0; c < 16; c++) {
      const row = await p.gridRow(c);
      for (const k of ['mean', 'std', 'var', 'min', 'max'] as const) near(shown(row[k]), bn.stats[k][c], `channel ${c} ${k}`);
      near(shown(row.afterMean), bn.xhatMean[c], `channel ${c} y mean`, 1e-4, 1e-6);
      near(shown(row.afterStd), bn.xhatStd[c], `channel ${c} y std`);
    }
  }));

  test('whole-tensor summary equals the pooled numpy figures', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    const cell = async (stat: string) => shown(await p.text(`#summary-table tr[data-stat="${stat}"] td`));
    // every channel holds the same count, so the pooled mean and biased variance follow from the per-channel ones
    const mean = bn.stats.mean.reduce((a, b) => a + b, 0) / 16;
    const pooled = bn.stats.var.reduce((a, v, c) => a + v + (bn.stats.mean[c] - mean) ** 2, 0) / 16;
    near(await cell('mean'), mean, 'mean');
    near(await cell('var (ddof=0, numpy)'), pooled, 'var');
    near(await cell('min'), Math.min(...bn.stats.min), 'min');
    near(await cell('max'), Math.max(...bn.stats.max), 'max');
    assert.match(await p.text('#quantile-note'), /exact/);
  }));

  test('selected channel: raw histogram counts equal numpy.histogram exactly', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.locator(`#channel-grid tr[data-channel="${bn.channel}"]`).click();
    assert.equal(await p.selectedChannel(), bn.channel);
    assert.match(await p.text('#fig-hist-channel h4'), new RegExp(`^Channel ${bn.channel}:`));
    const rows = await p.figureTable('fig-hist-channel');
    assert.equal(rows.length, 100);
    rows.forEach((r, i) => {
      assert.equal(Number(r[3]), bn.histogram.counts[i], `bin ${i} count`);
      near(shown(r[1]), bn.histogram.edges[i], `bin ${i} lower edge`, 1e-6);
    });
  }));

  test('hovering a histogram shows the exact counts of the bins under the pointer', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.locator(`#channel-grid tr[data-channel="${bn.channel}"]`).click();
    const canvas = p.page.locator('#fig-hist-channel canvas');
    const box = (await canvas.boundingBox())!;
    let m: RegExpExecArray | null = null;
    let tip = '';
    // the axis is shared with the normalized values: find a spot over the raw histogram
    for (const f of [0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7]) {
      await canvas.hover({ position: { x: box.width * f, y: box.height * 0.6 } });
      tip = await p.text('#fig-hist-channel .chart-tip');
      m = /raw x ∈ \[([^,]+), ([^\])]+)[\])]: (\d+)/.exec(tip);
      if (m) break;
    }
    assert.ok(m, `tooltip names a raw bin: '${tip}'`);
    const bin = bn.histogram.edges.findIndex((e) => Math.abs(e - shown(m[1])) <= 1e-6 * Math.abs(e) + 1e-12);
    assert.ok(bin >= 0, `the tooltip's bin edge ${m[1]} is a numpy edge`);
    assert.equal(Number(m[3]), bn.histogram.counts[bin]);
  }));

  test('axes diagram: BatchNorm reduces N, H, W; LayerNorm the last axis; GroupNorm H, W and groups of C', () => withPage(env, async (p) => {
    const reduced = () => p.page.locator('.axis.reduced .axis-name').allTextContents();
    await p.show(fx.bnTrain);
    assert.deepEqual(await reduced(), ['N', 'H', 'W']);
    assert.equal(await p.text('#axes-words'), 'BatchNorm averages over N, H, W: 16 statistics groups of 4,096 values each.');
    await p.show(fx.layerNorm);
    assert.deepEqual(await reduced(), ['C']);
    await p.show(fx.groupNorm);
    assert.deepEqual(await reduced(), ['H', 'W']);
    assert.deepEqual(await p.page.locator('.axis.partial .axis-name').allTextContents(), ['C']);
    assert.match(await p.text('#axes-words'), /^GroupNorm averages over H, W and groups of 8 channels along C: 256 statistics groups of 512 values each\.$/);
    assert.equal(await p.text('#op-words'), 'PyTorch GroupNorm(num_groups=4, num_channels=32), eps 1e-5');
  }));

  test('BatchNorm eval: running statistics, train/eval shift and y = γ·x̂ + β equal numpy', () => withPage(env, async (p) => {
    await p.show(fx.bnEval);
    assert.equal(await p.text('#op-words'), 'PyTorch BatchNorm2d, eval, eps 1e-5, normalizes with running_mean/running_var');
    for (let c = 0; c < 16; c++) {
      const row = await p.gridRow(c);
      near(shown(row.runningMean), bn.running.mean[c], `channel ${c} running mean`);
      near(shown(row.runningVar), bn.running.var[c], `channel ${c} running var`);
      near(shown(row.shift), bn.shift[c], `channel ${c} shift`);
      // eval x̂ = (x - running_mean)/sqrt(running_var + eps): its mean is the shift; y = γ·x̂ + β
      near(shown(row.afterMean), bn.affine.scale[c] * bn.shift[c] + bn.affine.bias[c], `channel ${c} y mean`, 1e-4, 1e-6);
      near(shown(row.afterStd), Math.abs(bn.affine.scale[c]) * bn.stats.std[c] / Math.sqrt(bn.running.var[c] + bn.eps), `channel ${c} y std`);
    }
    assert.ok(await p.call('ink', '#fig-shift canvas') > 300, 'shift chart drawn');
    const shiftRows = await p.figureTable('fig-shift');
    shiftRows.forEach((r, c) => near(shown(r[1]), bn.shift[c], `shift table ${c}`, 1e-6));
  }));

  test('LayerNorm: per-feature statistics of y = γ·x̂ + β equal numpy', () => withPage(env, async (p) => {
    const ln = ref.layernorm;
    await p.show(fx.layerNorm);
    assert.equal(await p.text('#op-words'), 'PyTorch LayerNorm(normalized_shape=(64,)), eps 1e-5');
    for (const f of [0, 7, 31, 63]) {
      const row = await p.gridRow(f);
      near(shown(row.afterMean), ln.affine.scale[f] * ln.featureXhatMean[f] + ln.affine.bias[f], `feature ${f} y mean`, 1e-4, 1e-6);
      near(shown(row.afterStd), Math.abs(ln.affine.scale[f]) * ln.featureXhatStd[f], `feature ${f} y std`);
    }
  }));

  test('NaN and Inf: counts in red in the header, diagnostics linked to their channel', () => withPage(env, async (p) => {
    await p.show(fx.nonFinite);
    const count = (label: string) => p.page.locator(`.count[data-count="${label}"]`);
    assert.equal(await count('NaN').textContent(), `NaN ${NON_FINITE.nan}`);
    assert.equal(await count('+Inf').textContent(), `+Inf ${NON_FINITE.posinf}`);
    assert.equal(await count('-Inf').textContent(), `-Inf ${NON_FINITE.neginf}`);
    const red = await p.call('resolveColor', 'var(--vscode-errorForeground)');
    for (const label of ['NaN', '+Inf', '-Inf']) assert.equal(await p.call('computedColor', `.count[data-count="${label}"]`), red);
    const linked = p.page.locator('#diagnostics button[data-channel="1"]');
    assert.match((await linked.textContent()) ?? '', /Channel 1: 0 NaN, 2 \+Inf, 1 -Inf/);
    await linked.click();
    assert.equal(await p.selectedChannel(), 1);
    assert.match(await p.text('#fig-hist-channel h4'), /^Channel 1:/);
  }));

  test('empty tensor: the no-elements state, no charts', () => withPage(env, async (p) => {
    await p.show(fx.empty);
    assert.match(await p.text('#empty'), /no elements \(shape \(0, 3, 2, 2\)\)/);
    assert.equal(await p.page.locator('canvas').count(), 0);
  }));
}
