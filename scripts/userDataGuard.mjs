// NormScope only reads tensor files. `npm test` fingerprints every tensor file the suites open (samples,
// fixtures, the ONNX conformance cases) before the first tier and compares bytes (SHA-256), size and
// modification time after the last one: any difference is a failure that names the file.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

function filesBelow(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

function fingerprint(file) {
  const stat = fs.statSync(file);
  return `${stat.size} ${stat.mtimeMs} ${crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
}

export function snapshot(dirs) {
  return new Map(dirs.flatMap(filesBelow).map((file) => [file, fingerprint(file)]));
}

/** The files whose bytes, size or modification time changed, or that disappeared, since `before`. */
export function changedSince(before) {
  const changed = [];
  for (const [file, was] of before) {
    if (!fs.existsSync(file)) changed.push(`${file}: deleted`);
    else if (fingerprint(file) !== was) changed.push(`${file}: modified`);
  }
  return changed;
}
