// First e2e checks: the packaged extension opens the fixture tensor in its custom editor, from the explorer and
// from the command palette; the webview draws its charts and shows numpy's statistics (expected.json).
// ctx: see scripts/vscode/e2e.mjs.
import assert from 'node:assert/strict';
import path from 'node:path';

/** Waits for the inspector's webview in the active editor and for its charts to be drawn. */
async function inspectorDrawn({ page, workbench }) {
  const frame = workbench.webviewFrame(page);
  const painted = await workbench.waitForPaintedCanvases(frame);
  assert.ok(painted.length > 0, 'the inspector shows at least one canvas');
  return { frame, painted };
}

/** The values of numpy's statistics (expected.json) that the inspector's text does not show. */
function missingNumbers(text, expected, workbench) {
  const shown = workbench.numbersIn(text);
  const wanted = [
    ...['count', 'mean', 'var', 'min', 'max'].map((k) => [`global ${k}`, expected.global[k]]),
    ...expected.channels.flatMap((c) => [[`channel ${c.channel} mean`, c.mean], [`channel ${c.channel} var`, c.var]]),
  ];
  return wanted.filter(([, value]) => !workbench.showsValue(shown, value)).map(([what, value]) => `${what} ${value}`);
}

export const checks = [
  {
    name: 'opening the fixture .npy from the explorer shows the inspector: charts drawn, numpy\'s statistics',
    async run(ctx) {
      const { page, expected, workbench, screenshot, lap } = ctx;
      await workbench.openFromExplorer(page, expected.file);
      await workbench.tab(page, expected.file).waitFor({ timeout: 30000 });
      const { frame, painted } = await inspectorDrawn(ctx);
      lap(`explorer: ${painted.length} canvases drawn (${painted.join(', ')} painted pixels)`);
      await screenshot('inspector-from-explorer');
      // the summary and the channel table show numpy's count, mean, variance (ddof=0), min and max
      assert.deepEqual(missingNumbers(await frame.locator('body').innerText(), expected, workbench), [],
        'numbers of numpy not shown by the inspector');
    },
  },
  {
    name: 'NormScope: Inspect Tensor File… from the palette opens the fixture .npy in the inspector: charts drawn, numpy\'s statistics',
    async run(ctx) {
      const { page, workspace, expected, workbench, screenshot, lap } = ctx;
      await workbench.runFromPalette(page, 'NormScope: Inspect Tensor File…');
      // the command may ask for the file
      const asked = await workbench.answerFileDialog(page, path.join(workspace, expected.file));
      const { frame, painted } = await inspectorDrawn(ctx);
      lap(`palette: ${asked ? 'answered the file dialog, ' : ''}${painted.length} canvases drawn`);
      await screenshot('inspector-from-palette');
      assert.deepEqual(missingNumbers(await frame.locator('body').innerText(), expected, workbench), [],
        'numbers of numpy not shown by the inspector');
    },
  },
];
