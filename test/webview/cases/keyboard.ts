/** Keyboard: Tab reaches every control, arrows move through the channel list, sliders follow the arrow keys. */
import { assert, near, shown } from '../assert';
import { withPage, type Env } from '../env';
import { test } from '../runner';

export function registerKeyboard(env: Env): void {
  const { fx, ref } = env;

  test('Tab reaches every control of the page', () => withPage(env, async (p) => {
    await p.show(fx.bnEval);
    const stops = await p.call('markTabStops');
    assert.ok(stops.length > 30, `a full page has many controls (${stops.length})`);
    const reached = new Set<string>();
    await p.page.locator('body').focus();
    for (let i = 0; i < stops.length + 40 && reached.size < stops.length; i++) {
      await p.page.keyboard.press('Tab');
      const k = await p.call('activeTabStop');
      if (k !== null) reached.add(k);
    }
    const missed = stops.filter((_, i) => !reached.has(String(i)));
    assert.deepEqual(missed, [], 'controls Tab never reached');
  }));

  test('arrow keys, Home and End move the channel selection; the charts follow', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.locator('#channel-grid tr[tabindex="0"]').focus();
    for (let i = 0; i < 3; i++) await p.page.keyboard.press('ArrowDown');
    assert.equal(await p.selectedChannel(), 3);
    assert.equal(await p.call('activeAttribute', 'data-channel'), '3', 'focus follows the selection');
    assert.match(await p.text('#fig-hist-channel h4'), /^Channel 3:/);
    assert.match(await p.text('#fig-running-mean h4'), /^Channel 3:/);
    await p.page.keyboard.press('End');
    assert.equal(await p.selectedChannel(), 15);
    await p.page.keyboard.press('Home');
    assert.equal(await p.selectedChannel(), 0);
    await p.page.keyboard.press('PageDown');
    assert.equal(await p.selectedChannel(), 10);
  }));

  test('sorting and filtering the channel list', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.locator('#channel-grid th[data-key="std"] button').click();
    assert.equal(await p.page.getAttribute('#channel-grid th[data-key="std"]', 'aria-sort'), 'descending');
    const order = await p.page.locator('#channel-grid tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-channel'))));
    const expected = [...ref.bn1.stats.std.keys()].sort((a, b) => ref.bn1.stats.std[b] - ref.bn1.stats.std[a]);
    assert.deepEqual(order, expected);
    await p.page.fill('#channel-filter', '3, 10-12');
    const shownRows = await p.page.locator('#channel-grid tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-channel'))));
    assert.deepEqual(shownRows.sort((a, b) => a - b), [3, 10, 11, 12]);
    assert.equal(await p.text('#channel-count'), '4 of 16 channels');
  }));

  test('256 channels: the rows past the first screenful follow after a frame, and End reaches the last one before that', () => withPage(env, async (p) => {
    const f = fx.wide;
    await p.deliver(f.init);
    const compute = await p.waitPosted('compute');
    await p.call('keyInGridOnArrival', 'End');
    await p.deliverResult(compute.requestId, f.tensor, f.result!);
    await p.page.locator('#summary-table').waitFor();
    const seen = await p.call('gridAtArrival');
    assert.ok(seen, 'the result was handled');
    assert.equal(seen.before.busy, 'true', 'the grid is busy while rows are pending');
    assert.ok(seen.before.rows > 0 && seen.before.rows < 256, `the first screenful only (${seen.before.rows} rows)`);
    assert.deepEqual([seen.after, seen.focused], [{ busy: null, rows: 256 }, '255'], 'End added the rest and reached channel 255');
    assert.equal(await p.selectedChannel(), 255);
    const order = await p.page.locator('#channel-grid tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-channel'))));
    assert.deepEqual(order, [...Array(256).keys()]);
    near(shown((await p.gridRow(255)).mean), f.result!.channel.before[255].mean, 'channel 255 mean');
  }));

  test('a γ slider moved with the arrow keys redraws the histogram as the math says', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.locator('#gb-gamma').focus();
    for (let i = 0; i < 5; i++) await p.page.keyboard.press('ArrowRight');
    const g = Number(await p.page.inputValue('#gb-gamma'));
    assert.ok(g > 1, `γ moved up (${g})`);
    const xhat = fx.bnTrain.result!.channel.histAfter![0];
    const rows = await p.figureTable('fig-hist-channel');
    rows.forEach((r, i) => near(shown(r[4]), g * xhat.edges[i], `bin ${i} y from`, 1e-6, 1e-9));
  }));
}
