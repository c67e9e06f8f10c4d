/** Runs the built CLI (dist/cli.js, made by scripts/build.mjs) as a user would, and writes/reads .npy files for it. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeFloat } from '../../../src/engine/dtype';
import type { DenseTensor } from '../../../src/engine/tensor';
import { writeNpyFile } from '../../../src/node/tensorFiles';
import { repoRoot } from '../helpers';

export const cliPath = path.join(repoRoot, 'dist', 'cli.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[]): CliResult {
  assert.ok(fs.existsSync(cliPath), `${cliPath} is missing: run node scripts/build.mjs first`);
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', cwd: repoRoot });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI contract for user errors: status 2, one stderr line starting with `error:`, no stack trace. */
export function assertUserError(r: CliResult, message: RegExp): void {
  assert.equal(r.status, 2, `status (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one stderr line, got: ${r.stderr}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], message);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), prefix));
}

/** Writes a float32 or float64 tensor (the types the fixtures hold) as .npy. */
export async function writeTensor(file: string, t: DenseTensor): Promise<void> {
  const dtype = t.dtype === 'float64' ? 'float64' : 'float32';
  await writeNpyFile(file, dtype, t.shape, encodeFloat(t.data, dtype));
}
