/**
 * A tensor with more channels than the host sends at once: the page shows a window of them, numbered as in the
 * tensor, and asks the host for the next window. Expected figures are in closed form (see manyChannelsTensor).
 */
import { assert, near, shown } from '../assert';
import { withPage, type Env } from '../env';
import { MANY_CHANNELS } from '../makeFixtures';
import { test } from '../runner';

export function registerChannelWindow(env: Env): void {
  const { fx } = env;
  const f = fx.manyChannels;

  test('3000 channels: shown 1024 at a time, numbered as in the tensor, with each window\'s own figures', () => withPage(env, async (p) => {
    await p.show(f);
    assert.equal(await p.page.locator('#channel-grid tbody tr').count(), 1024);
    assert.match(await p.text('#window-range'), /^Channels 0–1,023 of 3,000 /);
    assert.ok(await p.page.locator('#window-previous').isDisabled());

    await p.page.click('#window-next');
    const next = await p.waitPosted('compute', 2);
    assert.equal(next.firstChannel, 1024);
    assert.deepEqual(next.options, (await p.waitPosted('compute', 1)).options, 'the same options: the host answers from its cache');
    const sent = Date.now();
    await p.deliverResult(next.requestId, f.tensor, f.result!, next.firstChannel);
    await p.page.locator('#window-range', { hasText: 'Channels 1,024–2,047 of 3,000' }).waitFor();
    console.log(`       a window of 1024 channels: delivered and drawn in ${Date.now() - sent} ms (printed, not asserted)`);
    const row = await p.gridRow(6);
    assert.equal(row.channel, '1030');
    near(shown(row.mean), 1030.375, 'channel 1030 mean');
    near(shown(row.var), 0.078125, 'channel 1030 var');
    const table = await p.figureTable('fig-channel-before');
    assert.equal(table[0][0], '1024');
    near(shown(table[0][1]), 1024.375, 'chart table, channel 1024 mean');

    // the filter matches channel numbers as shown
    await p.page.fill('#channel-filter', '2000-2001');
    await p.page.locator('#channel-count', { hasText: '2 of 1024 channels' }).waitFor();
    await p.page.fill('#channel-filter', '');

    // a window past the end is the last one: the host clamps it and the page follows
    await p.page.fill('#window-first', String(MANY_CHANNELS - 10));
    await p.page.press('#window-first', 'Enter');
    const last = await p.waitPosted('compute', 3);
    assert.equal(last.firstChannel, MANY_CHANNELS - 10);
    await p.deliverResult(last.requestId, f.tensor, f.result!, last.firstChannel);
    await p.page.locator('#window-range', { hasText: 'Channels 1,976–2,999 of 3,000' }).waitFor();
    assert.ok(await p.page.locator('#window-next').isDisabled());
    near(shown((await p.gridRow(1023)).mean), 2999.375, 'channel 2999 mean');
  }));
}
