/** CSP: the page runs with no violation of its own, and an injected inline script does not run. Errors are reported. */
import { assert } from '../assert';
import { withPage, type Env } from '../env';
import { test } from '../runner';

export function registerSecurity(env: Env): void {
  const { fx } = env;

  test('the CSP blocks an injected inline script; the page itself causes no violation', () => withPage(env, async (p) => {
    await p.show(fx.bnEval);
    await p.page.selectOption('#ctl-activation', 'gelu');
    await p.page.locator('#fig-hist-all summary').click();
    assert.deepEqual(await p.violations(), [], 'no CSP violation from the page');
    await p.call('injectInlineScript');
    await p.page.waitForTimeout(50);
    assert.equal(await p.call('inlineRan'), false);
    const v = await p.violations();
    assert.ok(v.some((x) => x.directive.startsWith('script-src')), `a script-src violation: ${JSON.stringify(v)}`);
  }));

  test('an error inside the page is posted as webviewError', () => withPage(env, async (p) => {
    await p.show(fx.bnTrain);
    await p.call('throwLater', 'boom from a handler');
    const m = await p.waitPosted('webviewError');
    assert.match(m.message, /boom from a handler/);
    p.pageErrors.length = 0; // that error was the point
  }));
}
