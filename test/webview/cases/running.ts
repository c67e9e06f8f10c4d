/** Running statistics simulated in the page equal torch's BatchNorm2d (float64) and the Keras formula in numpy. */
import { assert, near, shown } from '../assert';
import { withPage, type Env } from '../env';
import { test } from '../runner';

export function registerRunning(env: Env): void {
  const { fx, ref } = env;
  const c = ref.bn1.channel;
  const sim = ref.bn1.simulation;

  test('PyTorch (momentum 0.1, unbiased) and Keras (0.99, biased) running mean/var over mini-batches of 8', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.locator(`#channel-grid tr[data-channel="${c}"]`).click();
    assert.equal(Number(await p.page.inputValue('#sim-batch')), sim.batch);
    const means = await p.figureTable('fig-running-mean');
    const vars = await p.figureTable('fig-running-var');
    assert.equal(means.length, 64 / sim.batch);
    means.forEach((r, k) => {
      near(shown(r[2]), sim.pytorch.mean[k], `step ${k + 1} PyTorch running_mean`, 1e-6, 1e-12);
      near(shown(r[3]), sim.keras.mean[k], `step ${k + 1} Keras moving_mean`, 1e-6, 1e-12);
    });
    vars.forEach((r, k) => {
      near(shown(r[3]), sim.pytorch.var[k], `step ${k + 1} PyTorch running_var`, 1e-6);
      near(shown(r[4]), sim.keras.var[k], `step ${k + 1} Keras moving_variance`, 1e-6);
    });
    for (const id of ['fig-running-mean', 'fig-running-var']) assert.ok(await p.call('ink', `#${id} canvas`) > 300);
  }));

  test('momentum None is the cumulative average', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.locator(`#channel-grid tr[data-channel="${c}"]`).click();
    const before = await p.count('compute');
    await p.page.check('#ctl-momentum-none');
    const compute = await p.waitPosted('compute', before + 1);
    assert.equal(compute.options.momentum, null);
    // the statistics do not depend on momentum: the engine's result for these options differs only in them
    const result = { ...fx.bnTrain.result!, options: compute.options };
    await p.deliverResult(compute.requestId, fx.bnTrain.tensor, result);
    await p.page.locator('#op-words', { hasText: 'momentum None (cumulative average)' }).waitFor();
    const means = await p.figureTable('fig-running-mean');
    means.forEach((r, k) => near(shown(r[2]), sim.pytorchCumulative.mean[k], `step ${k + 1} cumulative running_mean`, 1e-6, 1e-12));
    const vars = await p.figureTable('fig-running-var');
    vars.forEach((r, k) => near(shown(r[3]), sim.pytorchCumulative.var[k], `step ${k + 1} cumulative running_var`, 1e-6));
  }));

  test('noise of the batch statistics for mini-batch sizes 1..32 equals numpy', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.locator(`#channel-grid tr[data-channel="${c}"]`).click();
    const rows = await p.figureTable('fig-batch-noise');
    assert.equal(rows.length, ref.bn1.noise.length);
    rows.forEach((r, i) => {
      const n = ref.bn1.noise[i];
      assert.equal(Number(r[0]), n.rows);
      assert.equal(Number(r[1]), n.batches);
      near(shown(r[2]), n.meanStd, `size ${n.rows} std of batch mean`, 1e-6);
      near(shown(r[3]), n.varStd, `size ${n.rows} std of batch var`, 1e-6);
    });
    assert.ok(shown(rows[0][2]) > shown(rows[rows.length - 1][2]), 'smaller mini-batches are noisier');
  }));
}
