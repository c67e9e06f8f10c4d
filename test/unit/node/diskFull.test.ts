/**
 * Exports on a full disk: a real 64 KiB tmpfs (we run as root, as CI does) makes the write fail with ENOSPC.
 * The user gets a message naming the cause, no partial or temporary file is left, and an existing file at the
 * target keeps its old content.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomically } from '../../../src/node/atomicWrite';
import { writeNormalizedNpy } from '../../../src/node/normalizedExport';
import { openTensorFile } from '../../../src/node/tensorFiles';
import { DEFAULT_INSPECT_OPTIONS } from '../../../src/engine/inspect/types';
import { NO_CONTROL } from '../../../src/engine/inspect/inspect';
import { fixture } from '../helpers';

describe('exports on a full disk', function () {
  let dir: string;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'normscope-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
  });

  after(() => {
    execFileSync('umount', [dir]);
    fs.rmdirSync(dir);
  });

  it('a file larger than the disk fails with ENOSPC and leaves nothing behind', async () => {
    await assert.rejects(writeFileAtomically(path.join(dir, 'stats.csv'), new Uint8Array(200_000)),
      (e: Error) => e.name === 'UserError' && /ENOSPC/.test(e.message) && /stats\.csv/.test(e.message));
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('an existing file keeps its content when its replacement does not fit', async () => {
    const target = path.join(dir, 'keep.json');
    fs.writeFileSync(target, '{"old": true}');
    await assert.rejects(writeFileAtomically(target, new Uint8Array(200_000)), /ENOSPC/);
    assert.equal(fs.readFileSync(target, 'utf8'), '{"old": true}');
    assert.deepEqual(fs.readdirSync(dir), ['keep.json']);
    fs.rmSync(target);
  });

  it('a normalized tensor streamed to a full disk leaves no partial .npy', async () => {
    const opened = await openTensorFile(fixture('stats', 'nchw_clean.npy'));
    try {
      fs.writeFileSync(path.join(dir, 'filler'), new Uint8Array(63_000)); // all 16 pages of the tmpfs are taken: nothing more fits
      await assert.rejects(writeNormalizedNpy(opened.entry, { ...DEFAULT_INSPECT_OPTIONS }, path.join(dir, 'y.npy'), NO_CONTROL), /ENOSPC/);
      assert.deepEqual(fs.readdirSync(dir), ['filler']);
    } finally {
      await opened.close();
      fs.rmSync(path.join(dir, 'filler'), { force: true });
    }
  });
});
