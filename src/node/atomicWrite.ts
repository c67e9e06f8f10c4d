/**
 * Files NormScope writes (exports, normalized tensors) go to a temporary name beside the target and are renamed
 * into place only when complete: a failed or cancelled write (disk full) leaves no partial file, and an existing
 * file is replaced whole or not at all.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { UserError } from '../engine/errors';

/** Runs `write` on a fresh temporary file beside `target`, then renames it to `target`; cleans up on failure. */
export async function writeAtomically(target: string, write: (handle: fsp.FileHandle) => Promise<void>): Promise<void> {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.normscope-tmp`);
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(tmp, 'wx');
    await write(handle);
    await handle.close();
    handle = undefined;
    await fsp.rename(tmp, target);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    if (e instanceof UserError) throw e;
    throw new UserError('io', `Could not write ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
}

export function writeFileAtomically(target: string, bytes: Uint8Array): Promise<void> {
  return writeAtomically(target, async (h) => { await h.writeFile(bytes); });
}
