// A 100 MB .npy opened from the explorer: the time from the click to drawn charts is measured and printed (issue 8's
// target is under 1 s beyond the workbench's own start; a figure, not an assertion). The file is written into the
// workspace copy at run time, so nothing large is checked in. ctx: see scripts/vscode/e2e.mjs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const SHAPE = [25, 256, 64, 64]; // float32: 104,857,600 bytes of data
const NAME = 'large_100MB.npy';

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

export const checks = [
  {
    name: 'a 100 MB .npy opened from the explorer: time from the click to drawn charts (printed)',
    async run(ctx) {
      const { page, workspace, workbench, screenshot, lap } = ctx;
      const file = path.join(workspace, NAME);
      const bytes = writeLargeNpy(file);
      try {
        await workbench.explorerItem(page, NAME).waitFor({ timeout: 30000 });
        const clicked = Date.now();
        await workbench.openFromExplorer(page, NAME);
        const painted = await workbench.waitForPaintedCanvases(workbench.webviewFrame(page), { timeout: 120000 });
        const millis = Date.now() - clicked;
        assert.ok(painted.length > 0, 'the inspector shows at least one canvas');
        lap(`${NAME} (${(bytes / 2 ** 20).toFixed(0)} MiB, shape (${SHAPE.join(', ')})): charts drawn ${millis} ms after the click (target < 1000 ms)`);
        console.log(`[e2e] figure: open ${(bytes / 2 ** 20).toFixed(0)} MiB .npy -> drawn charts: ${millis} ms`);
        await screenshot('inspector-large-file');
      } finally {
        fs.rmSync(file, { force: true });
      }
    },
  },
];
