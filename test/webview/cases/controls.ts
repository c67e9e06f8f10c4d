/** Controls recompute on the host: a change cancels the run in flight; invalid input is flagged and not sent. */
import { assert } from '../assert';
import { withPage, type Env } from '../env';
import { test } from '../runner';

export function registerControls(env: Env): void {
  const { fx } = env;

  test('a change recomputes and cancels the run in flight; stale results are ignored', () => withPage(env, async (p) => {
    const first = await p.show(fx.bnTrain);
    await p.page.selectOption('#ctl-op', 'layernorm');
    const ln = await p.waitPosted('compute', 2);
    assert.equal(ln.options.op, 'layernorm');
    assert.ok(ln.requestId > first);
    await p.page.fill('#ctl-eps', '1e-3');
    await p.page.locator('#ctl-eps').dispatchEvent('change');
    const eps = await p.waitPosted('compute', 3);
    assert.equal(eps.options.eps, 1e-3);
    assert.equal(eps.options.op, 'layernorm');
    assert.deepEqual(await p.waitPosted('cancel'), { type: 'cancel', requestId: ln.requestId });
    await p.deliver({ type: 'progress', requestId: eps.requestId, fraction: 0.25 });
    await p.page.locator('#status', { hasText: '25.0 %' }).waitFor();
    assert.equal(await p.page.locator('#progress').evaluate((e) => (e as unknown as { value: number }).value), 0.25);
    assert.equal(await p.page.locator('#app').getAttribute('aria-busy'), 'true');
    // the superseded run's result must not replace anything
    await p.deliverResult(ln.requestId, fx.layerNorm.tensor, fx.layerNorm.result!);
    await p.page.waitForTimeout(100);
    assert.equal(await p.page.locator('#app').getAttribute('aria-busy'), 'true');
    await p.deliver({ type: 'error', requestId: eps.requestId, message: 'GroupNorm: 5 groups do not divide 16 channels.', canRetry: true });
    await p.page.locator('#error').waitFor();
    assert.match(await p.text('#error'), /5 groups do not divide 16 channels/);
    await p.page.click('#retry');
    const retried = await p.waitPosted('compute', 4);
    assert.deepEqual(retried.options, eps.options);
    assert.ok(retried.requestId > eps.requestId);
  }));

  test('layout preset, groups and bins post the options they say', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.selectOption('#ctl-layout', 'NHWC');
    assert.equal((await p.waitPosted('compute', 2)).options.channelAxis, 3);
    await p.page.selectOption('#ctl-layout', 'whole');
    assert.equal((await p.waitPosted('compute', 3)).options.channelAxis, null);
    await p.page.fill('#ctl-bins', '40');
    await p.page.locator('#ctl-bins').dispatchEvent('change');
    assert.equal((await p.waitPosted('compute', 4)).options.bins, 40);
    await p.page.selectOption('#ctl-convention', 'keras');
    const keras = await p.waitPosted('compute', 5);
    assert.equal(keras.options.convention, 'keras');
    assert.equal(keras.options.momentum, 0.9, 'PyTorch momentum 0.1 is Keras decay 0.9');
  }));

  test('invalid input is flagged on its control and not sent', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.page.selectOption('#ctl-op', 'groupnorm');
    const gn = await p.waitPosted('compute', 2);
    await p.deliverResult(gn.requestId, fx.bnTrain.tensor, { ...fx.bnTrain.result!, options: gn.options });
    await p.page.locator('#ctl-groups').waitFor();
    for (const [id, bad] of [['#ctl-eps', '-1'], ['#ctl-eps', 'abc'], ['#ctl-groups', '5'], ['#ctl-bins', '0']]) {
      await p.page.fill(id, bad);
      await p.page.locator(id).dispatchEvent('change');
      assert.equal(await p.page.getAttribute(id, 'aria-invalid'), 'true', `${id} = ${bad} is flagged`);
    }
    assert.equal(await p.count('compute'), 2);
  }));

  test('an error of the source offers Retry, which asks the host to reload', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.deliver({ type: 'error', requestId: null, message: 'digits_bn1_input.npy was deleted.', canRetry: true });
    await p.page.locator('#error').waitFor();
    await p.page.click('#retry');
    await p.waitPosted('reload');
  }));
}
