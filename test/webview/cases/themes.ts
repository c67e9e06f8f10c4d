/** Light, dark and high-contrast: the charts re-read the theme on a body class change; screenshots are kept. */
import path from 'node:path';
import { assert } from '../assert';
import { withPage, type Env } from '../env';
import { test } from '../runner';
import { THEMES } from '../themes';

export function registerThemes(env: Env): void {
  const { fx } = env;
  for (const theme of THEMES) {
    test(`${theme.name} theme: charts drawn in its colours; screenshot kept`, () => withPage(env, async (p) => {
      await p.show(fx.bnEval);
      await p.page.selectOption('#ctl-activation', 'relu');
      // switch after the first render: the MutationObserver must re-read the variables for chart.js
      await p.setTheme(theme);
      const background = await p.call('resolveColor', theme.vars['editor-background']);
      for (const id of ['fig-hist-all', 'fig-channel-before', 'fig-running-mean']) {
        assert.equal(await p.call('backgroundPixel', `#${id} canvas`), background, `${id} background`);
        assert.ok(await p.call('ink', `#${id} canvas`) > 300, `${id} drawn`);
      }
      assert.equal(await p.call('computedColor', 'body'), await p.call('resolveColor', theme.vars.foreground));
      await p.screenshot(path.join(env.results, `webview-${theme.name}.png`));
    }, THEMES.find((t) => t.name !== theme.name)));
  }
}
