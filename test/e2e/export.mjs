// The inspector in the packaged extension shows its header and diagnostics, and "Statistics as CSV" goes through
// VS Code's save dialog to a file whose per-channel figures are numpy's (expected.json).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

export const checks = [
  {
    name: 'the inspector shows header and diagnostics; exporting statistics as CSV writes numpy\'s figures',
    async run({ page, workspace, expected, workbench, screenshot, lap }) {
      await workbench.closeAllEditors(page);
      // the command opens with NormScope's editor by name: right after start-up a double-click can still reach the
      // text editor before the custom editor's registration has arrived (file names order the checks: this one runs first)
      await workbench.runFromPalette(page, 'NormScope: Inspect Tensor File…');
      assert.ok(await workbench.answerFileDialog(page, path.join(workspace, expected.file), 30000), 'the open dialog appeared');
      const frame = workbench.webviewFrame(page);
      await workbench.waitForPaintedCanvases(frame);
      const text = await frame.locator('body').innerText();
      assert.match(text, /float32/, 'the header names the dtype');
      assert.match(text, new RegExp(expected.shape.join('\\D+')), 'the header shows the shape');
      assert.match(await frame.locator('#diag-title').innerText(), /^Diagnostics \(\d+\)$/);

      await frame.locator('#export-csv').click();
      // VS Code's simple save dialog: a quick input prefilled with the suggested name beside the tensor; accept it
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 30000 });
      for (let i = 0; i < 50 && !(await input.inputValue()).endsWith('.csv'); i++) await page.waitForTimeout(200);
      const suggested = await input.inputValue();
      assert.match(suggested, /activations-stats\.csv$/, 'the dialog suggests a name beside the tensor');
      await page.waitForTimeout(500); // the dialog validates the path before it accepts Enter
      await input.press('Enter');
      const status = frame.locator('#export-status');
      await status.filter({ hasText: 'Saved' }).waitFor({ timeout: 30000 });
      const target = /to (\/.*)\.$/.exec(await status.innerText())[1];
      assert.equal(path.dirname(target), workspace, 'saved beside the tensor');
      assert.ok(fs.existsSync(target), `${target} was written`);
      const shown = workbench.numbersIn(fs.readFileSync(target, 'utf8'));
      const missing = expected.channels.flatMap((c) => [['mean', c.mean], ['var', c.var], ['min', c.min], ['max', c.max]]
        .filter(([, v]) => !workbench.showsValue(shown, v)).map(([k, v]) => `channel ${c.channel} ${k} ${v}`));
      assert.deepEqual(missing, [], 'numpy figures missing from the exported CSV');
      // written through a temporary file renamed into place: nothing else is left beside it
      assert.deepEqual(fs.readdirSync(workspace).filter((f) => f.includes('normscope-tmp')), []);
      lap(`exported ${fs.statSync(target).size} bytes of CSV`);
      await screenshot('inspector-export');
    },
  },
];
