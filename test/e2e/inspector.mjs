// First e2e checks: the packaged extension opens the fixture tensor in its custom editor, from the explorer and
// from the command palette, and the webview draws its charts. ctx: see scripts/vscode/e2e.mjs.
import assert from 'node:assert/strict';
import path from 'node:path';

/** Waits for the inspector's webview in the active editor and for its charts to be drawn. */
async function inspectorDrawn({ page, workbench }) {
  const frame = workbench.webviewFrame(page);
  const painted = await workbench.waitForPaintedCanvases(frame);
  assert.ok(painted.length > 0, 'the inspector shows at least one canvas');
  return { frame, painted };
}

export const checks = [
  {
    name: 'opening the fixture .npy from the explorer shows the inspector with its charts drawn',
    async run(ctx) {
      const { page, expected, workbench, screenshot, lap } = ctx;
      await workbench.openFromExplorer(page, expected.file);
      await workbench.tab(page, expected.file).waitFor({ timeout: 30000 });
      const { painted } = await inspectorDrawn(ctx);
      lap(`explorer: ${painted.length} canvases drawn (${painted.join(', ')} painted pixels)`);
      await screenshot('inspector-from-explorer');
    },
  },
  {
    name: 'NormScope: Inspect Tensor File… from the palette opens the fixture .npy in the inspector',
    async run(ctx) {
      const { page, workspace, expected, workbench, screenshot, lap } = ctx;
      await workbench.runFromPalette(page, 'NormScope: Inspect Tensor File…');
      // the command may ask for the file
      const asked = await workbench.answerFileDialog(page, path.join(workspace, expected.file));
      const { painted } = await inspectorDrawn(ctx);
      lap(`palette: ${asked ? 'answered the file dialog, ' : ''}${painted.length} canvases drawn`);
      await screenshot('inspector-from-palette');
    },
  },
];
