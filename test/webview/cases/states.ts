/** Loading, banners, persisted UI state, multi-tensor files, debug follow, and exports. */
import { assert, near, shown } from '../assert';
import { withPage, type Env } from '../env';
import { HOSTILE_NAME } from '../makeFixtures';
import { test } from '../runner';

export function registerStates(env: Env): void {
  const { fx, ref } = env;
  const c = ref.bn1.channel;

  test('loading shows progress before the first result', () => withPage(env, async (p) => {
    await p.deliver(fx.bnTrain.init);
    const compute = await p.waitPosted('compute');
    await p.deliver({ type: 'progress', requestId: compute.requestId, fraction: 0.4 });
    await p.page.locator('#status', { hasText: '40.0 %' }).waitFor();
    assert.equal(await p.page.locator('canvas').count(), 0);
    assert.equal(await p.text('#op-words'), 'PyTorch BatchNorm2d, train, momentum 0.1, eps 1e-5, running_var unbiased');
  }));

  test('an init the host already computes for: the page asks nothing and shows its answers, unless it saved other options', () => withPage(env, async (p) => {
    await p.deliver({ ...fx.bnTrain.init, computing: -1 });
    await p.deliver({ type: 'progress', requestId: -1, fraction: 0.5 });
    await p.page.locator('#status', { hasText: '50.0 %' }).waitFor();
    await p.deliverResult(-1, fx.bnTrain.tensor, fx.bnTrain.result!);
    await p.page.locator('#summary-table').waitFor();
    near(shown((await p.gridRow(0)).mean), ref.bn1.stats.mean[0], 'channel 0 mean (numpy)');
    assert.equal(await p.count('compute'), 0);
    // options of the page's own (64 bins), kept across a reload: it asks for them instead
    await p.page.fill('#ctl-bins', '64');
    await p.page.locator('#ctl-bins').dispatchEvent('change');
    await p.waitPosted('compute');
    await p.page.reload();
    await p.waitPosted('ready');
    await p.deliver({ ...fx.bnTrain.init, computing: -2 });
    assert.equal((await p.waitPosted('compute')).options.bins, 64);
  }));

  test('the init posted as the inspector opened wins over the one answering ready; a page started again takes that one', () => withPage(env, async (p) => {
    // the host posts the first init without waiting, then answers the page's ready with another (computing nothing)
    await p.deliver({ ...fx.bnTrain.init, computing: -1 });
    await p.deliver({ ...fx.bnTrain.init, answersReady: true });
    await p.deliverResult(-1, fx.bnTrain.tensor, fx.bnTrain.result!);
    await p.page.locator('#summary-table').waitFor();
    near(shown((await p.gridRow(0)).mean), ref.bn1.stats.mean[0], 'channel 0 mean (numpy)');
    assert.equal(await p.count('compute'), 0, 'the page took the host\'s first view and asked for nothing');
    // a panel restored after being hidden starts again: the answer to its ready is its only init
    await p.page.reload();
    await p.waitPosted('ready');
    await p.deliver({ ...fx.bnTrain.init, answersReady: true });
    assert.deepEqual((await p.waitPosted('compute')).options, fx.bnTrain.init.options);
  }));

  test('a changed file shows a banner whose Reload asks the host', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.deliver({ type: 'sourceChanged', deleted: false });
    assert.match(await p.text('#source-banner'), /changed on disk/);
    await p.page.click('#reload');
    await p.waitPosted('reload');
    // the host answers with a new init: the same options are computed again on the changed file
    await p.deliver(fx.bnTrain.init);
    const again = await p.waitPosted('compute', 2);
    assert.deepEqual(again.options, fx.bnTrain.init.options);
    assert.equal(await p.page.locator('#source-banner').count(), 0);
  }));

  test('UI state survives hiding and reopening the panel', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.locator('#channel-grid tr[data-channel="5"]').click();
    await p.page.fill('#gb-gamma-value', '1.25');
    await p.page.locator('#gb-gamma-value').dispatchEvent('change');
    await p.page.check('#ctl-log-variance');
    await p.page.selectOption('#ctl-activation', 'tanh');
    await p.page.fill('#ctl-bins', '64');
    await p.page.locator('#ctl-bins').dispatchEvent('change');
    await p.waitPosted('compute', 2);
    await p.page.reload();
    await p.waitPosted('ready');
    await p.deliver(fx.bnTrain.init);
    const compute = await p.waitPosted('compute');
    assert.equal(compute.options.bins, 64, 'the saved options are used, not the init defaults');
    await p.deliverResult(compute.requestId, fx.bnTrain.tensor, { ...fx.bnTrain.result!, options: compute.options });
    await p.page.locator('#summary-table').waitFor();
    assert.equal(await p.selectedChannel(), 5);
    assert.equal(Number(await p.page.inputValue('#gb-gamma-value')), 1.25);
    assert.equal(await p.page.isChecked('#ctl-log-variance'), true);
    assert.equal(await p.page.inputValue('#ctl-activation'), 'tanh');
  }));

  test('estimated quantiles are said so', () => withPage(env, async (p) => {
    await p.deliver(fx.bnTrain.init);
    const compute = await p.waitPosted('compute');
    await p.deliverResult(compute.requestId, fx.bnTrain.tensor, { ...fx.bnTrain.result!, quantilesExact: false });
    assert.match(await p.text('#quantile-note'), /^Large tensor: quantiles are estimated from fine histograms of all values/);
  }));

  test('multi-tensor file: picker and layer table; hostile names render as text', () => withPage(env, async (p) => {
    await p.deliver(fx.stateDict.init);
    await p.page.locator('#tensor-list').waitFor();
    const names = await p.page.locator('#tensor-list button').allTextContents();
    assert.deepEqual(names, ['bn1.weight', HOSTILE_NAME, 'bn1.running_var']);
    assert.equal(await p.page.locator('img').count(), 0);
    assert.deepEqual(p.dialogs, []);
    const row = await p.page.locator('#layer-table tr[data-prefix="bn1"]').allTextContents();
    assert.match(row[0], /^bn1batchnormpytorch16weight, bias, running_mean, running_var, num_batches_trackedconv1\.bias/);
    await p.page.click('#layer-table button');
    const open = await p.waitPosted('openLayer');
    assert.equal(open.prefix, 'bn1');
    // the host answers with the layer's init and the result for the openLayer request
    await p.deliver({ ...fx.bnEval.init, tensors: fx.stateDict.init.tensors.concat(fx.bnEval.init.tensors) });
    await p.deliverResult(open.requestId, fx.bnEval.tensor, fx.bnEval.result!);
    await p.page.locator('#summary-table').waitFor();
    assert.equal(await p.count('compute'), 0, 'openLayer is answered without a compute');
    assert.match(await p.text('#op-words'), /, eval, /);
    await p.page.click('#show-picker');
    await p.page.locator('#tensor-list button', { hasText: HOSTILE_NAME }).click();
    assert.equal((await p.waitPosted('compute')).tensor, HOSTILE_NAME);
  }));

  test('debug source: Follow posts follow; history draws the selected channel over stops', () => withPage(env, async (p) => {
    await p.show(fx.debug);
    assert.equal(await p.text('#tensor-title'), 'activations');
    await p.page.check('#ctl-follow');
    assert.deepEqual(await p.waitPosted('follow'), { type: 'follow', enabled: true });
    const points = [1, 2, 3].map((stop) => ({ stop, label: `train.py:${40 + stop}`, mean: [0.1 * stop, 1, 2, 3], var: [stop, 1, 1, 1] }));
    await p.deliver({ type: 'history', points: points.map((s) => ({ ...s, mean: Float64Array.from(s.mean), var: Float64Array.from(s.var) })) });
    await p.page.locator('#fig-history:not([hidden])').waitFor();
    assert.ok(await p.call('ink', '#fig-history canvas') > 300);
    const rows = await p.figureTable('fig-history');
    assert.deepEqual(rows.map((r) => r[1]), points.map((s) => s.label));
    rows.forEach((r, i) => {
      near(shown(r[2]), points[i].mean[0], `stop ${i + 1} mean`, 1e-6);
      near(shown(r[3]), points[i].var[0], `stop ${i + 1} var`, 1e-6);
    });
  }));

  test('exports: CSV and JSON statistics, the normalized tensor, chart PNGs; outcome shown', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.click('#export-csv');
    const csv = await p.waitPosted('export');
    assert.equal(csv.format, 'csv');
    assert.equal(csv.suggestedName, 'digits_bn1_input-stats.csv');
    const lines = csv.text!.trim().split('\n');
    const head = lines[0].split(',');
    const row = lines.find((l) => l.startsWith(`${c},`))!.split(',');
    near(Number(row[head.indexOf('mean')]), ref.bn1.stats.mean[c], 'CSV mean', 1e-12);
    near(Number(row[head.indexOf('var_unbiased')]), ref.bn1.stats.var_unbiased[c], 'CSV var_unbiased', 1e-12);
    assert.equal(lines.length, 1 + 1 + 16);
    await p.page.click('#export-json');
    const json = JSON.parse((await p.waitPosted('export', 2)).text!) as { channels: { before: { std: number } }[] };
    near(json.channels[c].before.std, ref.bn1.stats.std[c], 'JSON std', 1e-12);
    await p.page.click('#export-npy');
    const npy = await p.waitPosted('export', 3);
    assert.equal(npy.format, 'npy');
    assert.equal(npy.suggestedName, 'digits_bn1_input-normalized.npy');
    assert.equal(npy.options?.op, 'batchnorm');
    await p.page.click('#fig-hist-all button.small');
    const png = await p.waitPosted('export', 4);
    assert.equal(png.suggestedName, 'digits_bn1_input-fig-hist-all.png');
    assert.ok(png.dataUrl!.startsWith('data:image/png;base64,') && png.dataUrl!.length > 2000);
    await p.deliver({ type: 'exported', requestId: csv.requestId, path: '/tmp/digits_bn1_input-stats.csv' });
    await p.page.locator('#export-status', { hasText: 'Saved statistics (CSV) to /tmp/digits_bn1_input-stats.csv.' }).waitFor();
    await p.deliver({ type: 'exported', requestId: npy.requestId, path: null });
    await p.page.locator('#export-status', { hasText: 'cancelled' }).waitFor();
  }));
}
