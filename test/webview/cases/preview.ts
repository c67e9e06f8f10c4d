/**
 * A large tensor's first pass arrives before its result: the page shows the moments it holds at once, says what is
 * still being computed, and completes when the result comes. Figures compared with numpy's (reference.json).
 */
import { assert, near, shown } from '../assert';
import { withPage, type Env } from '../env';
import { test } from '../runner';

export function registerPreview(env: Env): void {
  const { fx, ref } = env;
  const bn = ref.bn1;
  const f = fx.bnTrain;

  test('pass 1\'s preview: moments and their charts at once, histograms and quantiles once the result comes', () => withPage(env, async (p) => {
    await p.deliver(f.init);
    const compute = await p.waitPosted('compute');
    await p.deliver({ type: 'progress', requestId: compute.requestId, fraction: 0.5 });
    await p.deliverResult(compute.requestId, f.tensor, f.preview!, 0, true);
    await p.page.locator('#preview').waitFor();

    // the moments are the final ones
    for (const c of [0, bn.channel, 15]) {
      const row = await p.gridRow(c);
      for (const k of ['mean', 'std', 'var', 'min', 'max'] as const) near(shown(row[k]), bn.stats[k][c], `channel ${c} ${k}`);
    }
    const chart = await p.figureTable('fig-channel-before');
    near(shown(chart[bn.channel][1]), bn.stats.mean[bn.channel], 'mean ± std chart, its table');
    assert.ok(await p.call('ink', '#fig-channel-before canvas') > 300, 'mean ± std drawn');
    assert.ok(await p.call('ink', '#fig-variance canvas') > 300, 'variance drawn');

    // what is not known yet is said to be coming, not shown as a number
    assert.match(await p.text('#pending-note'), /being computed/);
    assert.match(await p.text('#quantile-note'), /still being computed/);
    assert.equal(await p.page.locator('#summary-table tr[data-stat$="quantile"]').count(), 0);
    for (const absent of ['#fig-hist-all', '#fig-channel-after', '#export-csv']) assert.equal(await p.page.locator(absent).count(), 0, `${absent} waits for the result`);
    assert.equal(await p.page.locator('#app').getAttribute('aria-busy'), 'true');
    await p.page.locator('#status', { hasText: '50.0 %' }).waitFor();

    await p.deliverResult(compute.requestId, f.tensor, f.result!);
    await p.page.locator('#fig-hist-all').waitFor();
    assert.equal(await p.page.locator('#preview, #pending-note').count(), 0);
    assert.equal(await p.page.locator('#summary-table tr[data-stat$="quantile"]').count(), 7);
    assert.equal(await p.page.locator('#app').getAttribute('aria-busy'), 'false');
    near(shown((await p.gridRow(bn.channel)).afterStd), bn.xhatStd[bn.channel], 'y std after the result');
  }));

  test('a preview for a request that was superseded is ignored', () => withPage(env, async (p) => {
    const first = await p.show(f);
    await p.deliverResult(first, f.tensor, f.preview!, 0, true);
    await p.page.waitForTimeout(100);
    assert.equal(await p.page.locator('#preview').count(), 0);
    assert.equal(await p.page.locator('#fig-hist-all').count(), 1);
  }));
}
