// Playwright helpers for driving the VS Code web workbench, used by the e2e checks in test/e2e/*.mjs.
// Selectors are the workbench's own stable class names (the ones VS Code's smoke tests use).

/** Waits until the workbench is up and the explorer lists `fileName` (the remote connection works). */
export async function waitForWorkbench(page, fileName, timeout = 180000) {
  await page.locator('.monaco-workbench').waitFor({ timeout });
  if (fileName) await explorerItem(page, fileName).waitFor({ timeout });
}

export function explorerItem(page, fileName) {
  return page.getByRole('treeitem', { name: fileName }).first();
}

/**
 * Waits until the explorer lists `fileName`, a file written while the workbench runs. The file watcher starts some
 * time after the workbench and can miss a file written before it does: the explorer is refreshed (its title bar's
 * Refresh Explorer action, shown while the pointer is over the view) until the file shows.
 */
export async function waitForNewFile(page, fileName, attempts = 6) {
  for (let attempt = 1; ; attempt++) {
    try {
      await explorerItem(page, fileName).waitFor({ timeout: 5000 });
      return;
    } catch (e) {
      if (attempt >= attempts) throw new Error(`the explorer does not list ${fileName}: ${e.message}`);
      await page.locator('.explorer-folders-view').first().hover();
      await page.getByRole('button', { name: 'Refresh Explorer' }).first().click();
    }
  }
}

/** Opens a file the way a user does: a single click on its row in the explorer (opens it in preview). */
export async function openFromExplorer(page, fileName) {
  const row = explorerItem(page, fileName);
  await row.waitFor({ timeout: 30000 });
  await row.click();
}

/**
 * Opens the palette and waits until it lists the command `title` (e.g. 'NormScope: Inspect Tensor File…'),
 * leaving the palette open with that row found. The palette snapshots the command list when it opens and an
 * installed extension's contributions arrive seconds after the explorer, so it is reopened until listed.
 */
async function paletteRow(page, title, attempts) {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 20000 });
    await input.fill(`>${title}`);
    try { await row.waitFor({ timeout: 3000 }); return row; } catch (e) {
      if (attempt >= attempts) throw new Error(`'${title}' is not in the command palette: ${e.message}`);
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1000);
    }
  }
}

/** Runs a command from the palette by its title. */
export async function runFromPalette(page, title, attempts = 20) {
  await paletteRow(page, title, attempts);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget input[placeholder="Type the name of a command to run."]').waitFor({ state: 'hidden', timeout: 10000 });
}

/**
 * Waits until the extension's contributions are loaded (its command `title` is in the palette). Until then,
 * opening a file picks the text editor rather than the extension's custom editor.
 */
export async function waitForCommand(page, title, attempts = 60) {
  await paletteRow(page, title, attempts);
  await page.keyboard.press('Escape');
}

/**
 * Answers VS Code's simple file dialog (the quick input the web workbench shows for showOpenDialog) with
 * `file`, if the dialog appears within `timeout`; returns whether it did.
 */
export async function answerFileDialog(page, file, timeout = 5000) {
  const input = page.locator('.quick-input-widget input');
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await page.locator('iframe.webview:visible').count() > 0) return false;
    if (await input.isVisible() && (await input.inputValue()).startsWith('/')) {
      await input.fill(file);
      await page.waitForTimeout(500); // the dialog validates the typed path before it accepts Enter
      await input.press('Enter');
      // a dialog still listing its folder may put its own path back over ours: then it stays open, and we type again
      try {
        await input.waitFor({ state: 'hidden', timeout: 3000 });
        return true;
      } catch {
        continue;
      }
    }
    await page.waitForTimeout(200);
  }
  return false;
}

/** The active editor tab whose label is `label`. */
export function tab(page, label) {
  return page.locator('.tabs-container .tab', { hasText: label }).first();
}

/**
 * The content frame of the visible webview: the workbench hosts each webview in `iframe.webview` whose page
 * holds the extension's html in `#active-frame`. Hidden webviews keep their iframe, so take the visible one.
 */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready:visible').frameLocator('#active-frame');
}

/** How many pixels of a canvas are not transparent: > 0 once something was drawn. */
export async function paintedPixels(canvas) {
  return canvas.evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
    return n;
  });
}

export async function closeAllEditors(page) {
  await runFromPalette(page, 'View: Close All Editors');
}

/**
 * Waits until every visible canvas of `frame` has painted pixels (charts animate in, so this polls).
 * Returns the painted-pixel count of each visible canvas.
 */
export async function waitForPaintedCanvases(frame, { timeout = 60000, minCanvases = 1 } = {}) {
  const canvases = frame.locator('canvas');
  await canvases.first().waitFor({ state: 'attached', timeout });
  const deadline = Date.now() + timeout;
  let counts = [];
  for (;;) {
    counts = await canvases.evaluateAll((all) => all.filter((c) => c.clientWidth > 0 && c.clientHeight > 0).map((c) => {
      const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? [];
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
      return n;
    }));
    if (counts.length >= minCanvases && counts.every((n) => n > 0)) return counts;
    if (Date.now() > deadline) throw new Error(`canvases not drawn within ${timeout} ms: painted pixels ${JSON.stringify(counts)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every number written in `text` (ASCII or Unicode minus, exponents, 65,536), with the text it came from. */
export function numbersIn(text) {
  return [...text.replace(/\u2212/g, '-').replace(/(\d),(?=\d{3}\b)/g, '$1').matchAll(/-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/g)].map((m) => ({ text: m[0], value: Number(m[0]) }));
}

/**
 * Whether `value` is shown among `numbers` at the precision it is displayed with: "-1.563" shows -1.56265
 * (half a unit of the last digit, plus a relative 1e-6 for float32 arithmetic).
 */
export function showsValue(numbers, value) {
  return numbers.some(({ text, value: shown }) => {
    const mantissa = text.split(/[eE]/)[0];
    const decimals = mantissa.includes('.') ? mantissa.split('.')[1].length : 0;
    const exponent = /[eE]/.test(text) ? Number(text.split(/[eE]/)[1]) : 0;
    const halfUnit = 0.5 * 10 ** (exponent - decimals);
    return Math.abs(shown - value) <= halfUnit + 1e-6 * Math.abs(value);
  });
}
