// A 100 MB .npy opened from the explorer: the time from the click to drawn charts is measured and printed step by
// step (issue 8's target is under 1 s beyond the workbench's own start; figures, not assertions). A Markdown preview
// is opened first: the workbench installs its webview service worker with the first webview of a browser profile
// (seconds, once; a user's browser has it from earlier sessions). Then two files are opened one after the other: run
// alone (E2E_GREP='100 MB'), the first starts NormScope and its engine workers; the second is what every later file
// costs. The files are written into the workspace copy at run time, so nothing large is checked in.
// ctx: see scripts/vscode/e2e.mjs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SHAPE = [25, 256, 64, 64]; // float32: 104,857,600 bytes of data

/** A version 1.0 .npy header for little-endian float32 in C order, padded to 64 bytes as numpy writes it. */
function npyHeader(shape) {
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  dict += ' '.repeat((64 - ((10 + dict.length + 1) % 64)) % 64) + '\n';
  const header = Buffer.alloc(10 + dict.length);
  header.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  header.writeUInt16LE(dict.length, 8);
  header.write(dict, 10, 'latin1');
  return header;
}

/** Seeded values spread like activations (a triangular distribution around 0.5), written in 16 MiB slices. */
function writeLargeNpy(file) {
  const total = SHAPE.reduce((a, b) => a * b, 1);
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, npyHeader(SHAPE));
    const slice = new Float32Array(1 << 22);
    let s = 12345;
    for (let at = 0; at < total; at += slice.length) {
      const part = slice.subarray(0, Math.min(slice.length, total - at));
      for (let i = 0; i < part.length; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        const u = s / 4294967296;
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        part[i] = u + s / 4294967296 - 0.5;
      }
      fs.writeSync(fd, new Uint8Array(part.buffer, 0, part.byteLength));
    }
  } finally {
    fs.closeSync(fd);
  }
  return fs.statSync(file).size;
}

/**
 * Before the click: records in the page when the click arrives, when the workbench adds the webview's iframe and
 * when it marks it ready (epoch ms).
 */
function watchWorkbench(page) {
  return page.evaluate(() => {
    window.__normscopeOpen?.stop();
    const seen = {};
    const onMouseDown = () => { seen.mousedown ??= Date.now(); };
    document.addEventListener('mousedown', onMouseDown, true);
    const observer = new MutationObserver(() => {
      const frame = document.querySelector('iframe.webview');
      if (frame && !seen.attached) seen.attached = Date.now();
      if (frame?.classList.contains('ready') && !seen.ready) seen.ready = Date.now();
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
    window.__normscopeOpen = { seen, stop: () => { observer.disconnect(); document.removeEventListener('mousedown', onMouseDown, true); } };
  });
}

/**
 * In epoch ms: the marks of the workbench's webview host page (pre/index.html marks `webview/index.html/<step>`,
 * e.g. content/workerReady once its service worker runs), and the inspector page's own (webview/marks.ts).
 */
async function webviewTimes(page, frame) {
  const outer = await page.frameLocator('iframe.webview.ready:visible').locator('body').evaluate(() => ({
    documentStart: performance.timeOrigin,
    marks: performance.getEntriesByType('mark').filter((m) => m.name.startsWith('webview/index.html/'))
      .map((m) => ({ step: m.name.slice('webview/index.html/'.length), at: performance.timeOrigin + m.startTime })),
  }));
  const inner = await frame.locator('body').evaluate(() => {
    const at = (t) => performance.timeOrigin + t;
    const script = performance.getEntriesByType('resource').find((e) => e.name.includes('webview.js'));
    return {
      documentStart: performance.timeOrigin,
      scriptFetched: script ? at(script.responseEnd) : undefined,
      marks: performance.getEntriesByType('mark').filter((m) => m.name.startsWith('normscope:'))
        .map((m) => ({ step: m.name.slice('normscope:'.length), at: at(m.startTime) })),
    };
  });
  const workbench = await page.evaluate(() => window.__normscopeOpen.seen);
  return [
    { step: 'workbench: webview iframe attached', at: workbench.attached },
    { step: 'workbench: webview host page starts', at: outer.documentStart },
    ...outer.marks.map((m) => ({ step: `webview host: ${m.step}`, at: m.at })),
    { step: 'workbench: webview iframe ready', at: workbench.ready },
    { step: 'webview: document starts', at: inner.documentStart },
    { step: 'webview: webview.js fetched', at: inner.scriptFetched },
    ...inner.marks.map((m) => ({ step: `webview: ${m.step}`, at: m.at })),
  ];
}

/** NormScope's log lines about `name` (opened, listed, computed), in epoch ms. */
async function hostTimes(serverStateDir, name) {
  const find = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? find(path.join(dir, e.name))
    : e.name === 'NormScope.log' ? [path.join(dir, e.name)] : []));
  const line = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) \[\w+\] (.*)$/;
  // the log is written asynchronously: wait for the last step's line
  for (let attempt = 0; ; attempt++) {
    const steps = find(path.join(serverStateDir, 'user-data', 'logs')).flatMap((f) => fs.readFileSync(f, 'utf8').split('\n'))
      .map((l) => line.exec(l)).filter((m) => m && m[8].startsWith(`${name}: `))
      .map((m) => ({ step: `host: ${m[8].slice(name.length + 2)}`, at: new Date(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]).getTime() }));
    if (steps.some((s) => s.step.startsWith('host: computed')) || attempt === 20) return steps;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Opens and closes a Markdown preview, the workbench's first webview here; returns how long its host page waited
 * for the webview service worker (pre/index.html's marks content/started to content/workerReady).
 */
async function startWebviews(ctx) {
  const { page, workspace, workbench } = ctx;
  const name = 'webview-warm-up.md';
  fs.writeFileSync(path.join(workspace, name), '# Warm-up\n');
  try {
    await workbench.waitForNewFile(page, name);
    await workbench.openFromExplorer(page, name);
    await workbench.runFromPalette(page, 'Markdown: Open Preview');
    await workbench.webviewFrame(page).locator('h1').waitFor({ timeout: 120000 });
    const marks = await page.frameLocator('iframe.webview.ready:visible').locator('body').evaluate(() => Object.fromEntries(
      performance.getEntriesByType('mark').map((m) => [m.name.replace('webview/index.html/', ''), m.startTime])));
    await workbench.closeAllEditors(page);
    return Math.round(marks['content/workerReady'] - marks['content/started']);
  } finally {
    fs.rmSync(path.join(workspace, name), { force: true });
  }
}

/** The steps in time order, each relative to the click and to the step before. */
function breakdown(clicked, steps) {
  const sorted = steps.filter((s) => Number.isFinite(s.at)).sort((a, b) => a.at - b.at);
  let previous = clicked;
  return sorted.map((s) => {
    const row = { step: s.step, sinceClickMs: Math.round(s.at - clicked), deltaMs: Math.round(s.at - previous) };
    previous = s.at;
    return row;
  });
}

/**
 * Writes `name`, opens it from the explorer and waits for painted charts. The clock starts at the mousedown the page
 * receives and stops at the inspector's first frame after its result (webview/marks.ts); the test's own polling,
 * which notices the pixels a little later, is listed too.
 */
async function measureOpen(ctx, name) {
  const { page, workspace, workbench, serverStateDir } = ctx;
  const file = path.join(workspace, name);
  const bytes = writeLargeNpy(file);
  await workbench.waitForNewFile(page, name);
  await watchWorkbench(page);
  const requested = Date.now();
  await workbench.openFromExplorer(page, name);
  const frame = workbench.webviewFrame(page);
  const painted = await workbench.waitForPaintedCanvases(frame, { timeout: 120000 });
  const seenPainted = Date.now();
  assert.ok(painted.length > 0, 'the inspector shows at least one canvas');
  const webview = await webviewTimes(page, frame);
  const clicked = await page.evaluate(() => window.__normscopeOpen.seen.mousedown);
  const onScreen = webview.find((s) => s.step === 'webview: result on screen')?.at;
  assert.ok(clicked && onScreen, 'the click and the first frame with the result were both seen');
  const steps = breakdown(clicked, [
    { step: 'test: click requested', at: requested },
    { step: 'workbench: mousedown', at: clicked },
    ...webview,
    ...await hostTimes(serverStateDir, name),
    { step: 'test: painted canvases seen', at: seenPainted },
  ]);
  return { name, bytes, clickToChartsMs: Math.round(onScreen - clicked), loadAverage: os.loadavg()[0], steps };
}

function print(label, m) {
  const width = Math.max(...m.steps.map((s) => s.step.length));
  console.log(`[e2e] ${label}: ${m.name} step by step (ms since the click, ms since the step before; load average ${m.loadAverage.toFixed(2)}):`);
  for (const s of m.steps) console.log(`[e2e]   ${s.step.padEnd(width)} ${String(s.sinceClickMs).padStart(6)} ${('+' + s.deltaMs).padStart(7)}`);
}

export const checks = [
  {
    name: 'a 100 MB .npy opened from the explorer: time from the click to drawn charts (printed)',
    async run(ctx) {
      const { page, workspace, workbench, screenshot, resultsDir } = ctx;
      const names = ['large_100MB.npy', 'large_100MB_second.npy'];
      try {
        const serviceWorkerMs = await startWebviews(ctx);
        console.log(`[e2e] the workbench's first webview (a Markdown preview) waited ${serviceWorkerMs} ms for its service worker`);
        const first = await measureOpen(ctx, names[0]);
        print('first 100 MB file (NormScope and its workers start here unless an earlier check started them)', first);
        await screenshot('inspector-large-file');
        await workbench.closeAllEditors(page);
        const second = await measureOpen(ctx, names[1]);
        print('second 100 MB file', second);
        fs.writeFileSync(path.join(resultsDir, 'e2e-open-large-file.json'), JSON.stringify({ shape: SHAPE, serviceWorkerMs, first, second }, null, 2) + '\n');
        const mib = (first.bytes / 2 ** 20).toFixed(0);
        console.log(`[e2e] figure: open ${mib} MiB .npy (shape ${SHAPE.join('x')}) -> drawn charts: first ${first.clickToChartsMs} ms, `
          + `second ${second.clickToChartsMs} ms (target < 1000 ms beyond the workbench's own start)`);
      } finally {
        for (const name of names) fs.rmSync(path.join(workspace, name), { force: true });
      }
    },
  },
];
