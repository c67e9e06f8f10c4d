/**
 * `conformance DIR`: runs every case of DIR/manifest.json (the format of ../shared/conformance/onnx) through the
 * engine's ONNX operators, prints a line per failing case and `N passed, N failed`; exits 1 if any case fails.
 * Cases with a `sequence` block run `steps` times, feeding running_mean/running_var back into
 * input_mean/input_var, and compare only the outputs listed in `checked_after_last_step`.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { parseArgs } from '../args';
import { UserError } from '../../engine/errors';
import { elementCount, type DenseTensor } from '../../engine/tensor';
import { runOnnxNode } from '../../engine/ops/onnx';
import { readDenseTensor } from '../../node/tensorFiles';

interface CaseTensor {
  index: number;
  role: string;
  name?: string;
  file: string | null;
  dtype: string;
  omitted?: boolean;
  fill_if_omitted?: number;
}

interface ConformanceCase {
  id: string;
  op: string;
  dir: string;
  attributes: Record<string, unknown>;
  tolerance: { rtol: number; atol: number };
  inputs: CaseTensor[];
  outputs: CaseTensor[];
  sequence?: { steps: number; checked_after_last_step: (string | number)[] };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the fields this runner uses; a malformed manifest is a user error naming the case and field. */
function parseCase(raw: unknown, at: number): ConformanceCase {
  const where = isRecord(raw) && typeof raw.id === 'string' ? raw.id : `cases[${at}]`;
  const fail = (what: string): never => { throw new UserError('format', `manifest case ${where}: ${what}.`); };
  if (!isRecord(raw)) return fail('is not an object');
  if (typeof raw.id !== 'string' || typeof raw.op !== 'string' || typeof raw.dir !== 'string') return fail('needs string id, op and dir');
  const tol = raw.tolerance;
  if (!isRecord(tol) || typeof tol.rtol !== 'number' || typeof tol.atol !== 'number') return fail('needs tolerance.rtol and tolerance.atol');
  const tensors = (list: unknown, what: string): CaseTensor[] => {
    if (!Array.isArray(list)) return fail(`${what} is not a list`);
    return list.map((t) => {
      if (!isRecord(t) || typeof t.role !== 'string' || !(typeof t.file === 'string' || t.file === null)) {
        return fail(`an entry of ${what} needs a role and a file (or null)`);
      }
      return t as unknown as CaseTensor;
    });
  };
  const sequence = raw.sequence;
  if (sequence !== undefined && (!isRecord(sequence) || !Number.isInteger(sequence.steps) || !Array.isArray(sequence.checked_after_last_step))) {
    return fail('sequence needs integer steps and a checked_after_last_step list');
  }
  return {
    id: raw.id, op: raw.op, dir: raw.dir,
    attributes: isRecord(raw.attributes) ? raw.attributes : {},
    tolerance: { rtol: tol.rtol, atol: tol.atol },
    inputs: tensors(raw.inputs, 'inputs'),
    outputs: tensors(raw.outputs, 'outputs'),
    sequence: sequence as ConformanceCase['sequence'],
  };
}

/** bfloat16 tensors are stored as their uint16 bit patterns: the top half of a float32. */
function fromBfloat16Bits(t: DenseTensor): DenseTensor {
  const data = new Float32Array(t.data.length);
  const bits = new Uint32Array(data.buffer);
  for (let i = 0; i < data.length; i++) bits[i] = t.data[i] << 16;
  return { dtype: 'bfloat16', shape: t.shape, data };
}

async function readCaseTensor(caseDir: string, t: CaseTensor & { file: string }): Promise<DenseTensor> {
  const tensor = await readDenseTensor(path.join(caseDir, t.file));
  return t.dtype === 'bfloat16' && tensor.dtype === 'uint16' ? fromBfloat16Bits(tensor) : tensor;
}

async function caseInputs(caseDir: string, c: ConformanceCase): Promise<Map<string, DenseTensor | undefined>> {
  const inputs = new Map<string, DenseTensor | undefined>();
  for (const t of c.inputs) {
    if (t.file !== null) inputs.set(t.role, await readCaseTensor(caseDir, { ...t, file: t.file }));
    else if (t.fill_if_omitted !== undefined) inputs.set(t.role, { dtype: 'float64', shape: [], data: Float64Array.of(t.fill_if_omitted) });
    else inputs.set(t.role, undefined);
  }
  return inputs;
}

/** numpy.testing.assert_allclose's rule (what ONNX's backend tests use): NaN equals NaN, infinities must match. */
function mismatch(actual: DenseTensor, expected: DenseTensor, tol: { rtol: number; atol: number }): string | null {
  if (elementCount(actual.shape) !== elementCount(expected.shape)) {
    return `shape [${actual.shape.join(', ')}] but expected [${expected.shape.join(', ')}]`;
  }
  let bad = 0;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) && Number.isNaN(a)) continue;
    } else if (a === e || Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e)) {
      continue;
    }
    bad++;
    const excess = Number.isFinite(a - e) ? Math.abs(a - e) / (tol.atol + tol.rtol * Math.abs(e)) : Infinity;
    if (worst < 0 || excess > worstExcess) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (bad === 0) return null;
  return `${bad} of ${expected.data.length} elements outside tolerance; worst at flat index ${worst}: `
    + `got ${actual.data[worst]}, expected ${expected.data[worst]} (atol ${tol.atol}, rtol ${tol.rtol})`;
}

/** Runs one case; returns the reasons it fails (none when it passes). */
async function runCase(root: string, c: ConformanceCase): Promise<string[]> {
  const caseDir = path.join(root, c.dir);
  const inputs = await caseInputs(caseDir, c);
  const steps = c.sequence?.steps ?? 1;
  let outputs = new Map<string, DenseTensor>();
  for (let step = 0; step < steps; step++) {
    const runningMean = outputs.get('running_mean');
    const runningVar = outputs.get('running_var');
    if (runningMean && runningVar) {
      inputs.set('input_mean', runningMean);
      inputs.set('input_var', runningVar);
    }
    outputs = runOnnxNode({ op: c.op, attributes: c.attributes, inputs });
  }
  const checked = c.sequence?.checked_after_last_step;
  const reasons: string[] = [];
  for (const o of c.outputs) {
    if (o.file === null) continue;
    if (checked && !checked.some((k) => k === o.role || k === o.name || k === o.index || k === o.file)) continue;
    const actual = outputs.get(o.role);
    if (!actual) {
      reasons.push(`${o.role}: not produced`);
      continue;
    }
    const why = mismatch(actual, await readCaseTensor(caseDir, { ...o, file: o.file }), c.tolerance);
    if (why) reasons.push(`${o.role}: ${why}`);
  }
  return reasons;
}

export async function conformance(argv: string[]): Promise<number> {
  const args = parseArgs(argv, []);
  if (args.positional.length !== 1) throw new UserError('engine', 'usage: conformance DIR (a folder with manifest.json)');
  const root = args.positional[0];
  const manifestPath = path.join(root, 'manifest.json');
  const text = await fsp.readFile(manifestPath, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UserError('io', `Cannot read ${manifestPath}: ${e.code ?? e.message}.`);
  });
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (e) {
    throw new UserError('format', `${manifestPath} is not valid JSON: ${(e as Error).message}.`);
  }
  if (!isRecord(manifest) || !Array.isArray(manifest.cases)) throw new UserError('format', `${manifestPath} has no "cases" list.`);
  const cases = manifest.cases.map(parseCase);
  let passed = 0;
  let failed = 0;
  for (const c of cases) {
    let reasons: string[];
    try {
      reasons = await runCase(root, c);
    } catch (e) {
      // one broken case (a missing file, or a bug) must not hide the results of the others
      reasons = [e instanceof UserError ? `error: ${e.message}` : `internal error: ${String((e as Error)?.message ?? e)}`];
    }
    if (reasons.length === 0) {
      passed++;
    } else {
      failed++;
      process.stdout.write(`FAIL ${c.id} (${c.op}): ${reasons.join('; ')}\n`);
    }
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}
