/**
 * The replies of the debuggee-side programs (pythonProgram.ts, javascriptProgram.ts), checked at runtime before
 * use: they come from another process through an adapter that formats values its own way. Failures become
 * UserErrors whose message says what happened in the user's terms.
 */
import { isDType, type DType } from '../../engine/dtype';
import { UserError } from '../../engine/errors';
import type { TensorOrigin } from '../../engine/inspect/layoutGuess';
import type { DebugLanguage } from './valuePath';

/** What the debuggee says about the value before anything is transferred. */
export interface Description {
  origin: TensorOrigin;
  typeName: string;
  shape: number[];
  /** The dtype as the framework names it ('bfloat16', 'float32', …). */
  dtype: string;
  /** The dtype NormScope receives (bfloat16 arrives as float32, …). */
  target: DType;
  /** What the conversion to `target` did, when it did something. */
  note: string | null;
  device?: string;
  requiresGrad?: boolean;
  littleEndian?: boolean;
  /** JavaScript: the debuggee can write the value to a file (Node), else it comes in chunks. */
  canWrite?: boolean;
}

/** What the Python program wrote to the host's temporary file. */
export interface Saved {
  shape: number[];
  dtype: string;
  bytes: number;
}

export type FailureCode = 'undefined' | 'lookup' | 'not-tensor' | 'no-numpy' | 'dtype' | 'no-data' | 'write' | 'error';

export interface Failure {
  code: FailureCode;
  message: string;
  step?: number;
  typeName?: string;
  python?: string;
  version?: string;
}

const FAILURE_CODES: readonly FailureCode[] = ['undefined', 'lookup', 'not-tensor', 'no-numpy', 'dtype', 'no-data', 'write', 'error'];
const ORIGINS: readonly TensorOrigin[] = ['torch', 'tensorflow', 'jax', 'numpy', 'sequence', 'javascript'];

/** The adapter's `result` for a string value: quoted (debugpy, js-debug) or bare; either way prefix + base64. */
export function unwrapReply(result: string): { kind: 'json'; value: unknown } | { kind: 'bytes'; value: Buffer } {
  const m = /^(['"]?)([JB])([A-Za-z0-9+/]*={0,2})\1$/.exec(result.trim());
  if (!m) throw new Error(`unexpected reply from the debugger: ${JSON.stringify(result.slice(0, 200))}`);
  const bytes = Buffer.from(m[3], 'base64');
  if (m[2] === 'B') return { kind: 'bytes', value: bytes };
  return { kind: 'json', value: JSON.parse(bytes.toString('utf8')) as unknown };
}

type Fields = Record<string, unknown>;

function isFields(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isShape(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => Number.isSafeInteger(d) && (d as number) >= 0);
}

function optionalString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Splits a JSON reply into success fields or a Failure; anything malformed is a bug, not a user error. */
function split(reply: unknown): { ok: true; fields: Fields } | { ok: false; failure: Failure } {
  if (!isFields(reply) || typeof reply.ok !== 'boolean') throw new Error(`malformed reply from the debuggee: ${JSON.stringify(reply)?.slice(0, 200)}`);
  if (reply.ok) return { ok: true, fields: reply };
  const code = FAILURE_CODES.find((c) => c === reply.code) ?? 'error';
  return {
    ok: false,
    failure: {
      code, message: optionalString(reply.message) ?? '', step: typeof reply.step === 'number' ? reply.step : undefined,
      typeName: optionalString(reply.typeName), python: optionalString(reply.python), version: optionalString(reply.version),
    },
  };
}

export function parseDescription(reply: unknown): Description | Failure {
  const r = split(reply);
  if (!r.ok) return r.failure;
  const f = r.fields;
  const origin = ORIGINS.find((o) => o === f.origin);
  if (!origin || typeof f.typeName !== 'string' || !isShape(f.shape) || typeof f.dtype !== 'string'
    || typeof f.target !== 'string' || !isDType(f.target)) {
    throw new Error(`malformed description from the debuggee: ${JSON.stringify(f).slice(0, 300)}`);
  }
  return {
    origin, typeName: f.typeName, shape: f.shape, dtype: f.dtype, target: f.target, note: optionalString(f.note) ?? null,
    device: optionalString(f.device), requiresGrad: typeof f.requiresGrad === 'boolean' ? f.requiresGrad : undefined,
    littleEndian: typeof f.littleEndian === 'boolean' ? f.littleEndian : undefined,
    canWrite: typeof f.canWrite === 'boolean' ? f.canWrite : undefined,
  };
}

export function parseSaved(reply: unknown): Saved | Failure {
  const r = split(reply);
  if (!r.ok) return r.failure;
  const f = r.fields;
  if (!isShape(f.shape) || typeof f.dtype !== 'string' || !Number.isSafeInteger(f.bytes)) {
    throw new Error(`malformed save reply from the debuggee: ${JSON.stringify(f).slice(0, 300)}`);
  }
  return { shape: f.shape, dtype: f.dtype, bytes: f.bytes as number };
}

export function isFailure(v: Description | Saved | Failure): v is Failure {
  return 'code' in v;
}

/** The failure as a message about `expression` in the user's terms, with what to do next. */
export function failureError(failure: Failure, expression: string, language: DebugLanguage, steps?: string): UserError {
  const subject = `\`${expression}\``;
  switch (failure.code) {
    case 'undefined':
      return new UserError('debug', `${subject} is not defined in the selected stack frame. Select the frame where it is defined in the Call Stack view, or check the spelling.`);
    case 'lookup':
      return new UserError('debug', `Reading ${steps ? `\`${steps}\`` : subject} failed in the debuggee: ${failure.message}.`);
    case 'not-tensor': {
      const what = failure.typeName ? `${/^[aeiou]/i.test(failure.typeName) ? 'an' : 'a'} ${failure.typeName}` : 'this value';
      const detail = failure.message && failure.message !== 'not a tensor' ? ` (it ${failure.message})` : '';
      const accepted = language === 'python'
        ? 'numpy arrays, PyTorch, TensorFlow and JAX tensors, and lists of numbers'
        : 'typed arrays (Float32Array, …), { data, shape } wrappers and nested arrays of numbers';
      return new UserError('debug', `${subject} is ${what}, not a tensor${detail}. NormScope inspects ${accepted}.`);
    }
    case 'no-numpy':
      return new UserError('debug', `numpy is missing in the debugged Python (${failure.python ?? 'python'} ${failure.version ?? ''}`.trimEnd()
        + `); NormScope needs it there to save ${subject}. Install it in that environment (python -m pip install numpy) and inspect again.`);
    case 'dtype':
      return new UserError('debug', `${subject} has dtype ${failure.message}, which NormScope cannot read (it reads float, int, uint and bool tensors). `
        + 'Convert it in the Debug Console, e.g. to float32, and inspect the result.');
    case 'no-data':
      return new UserError('debug', `${subject} is ${failure.message}: it has no values to read at this point. Stop where it holds concrete values.`);
    case 'write':
      return new UserError('debug', `The debuggee could not write ${subject} to NormScope's temporary file: ${failure.message}`);
    case 'error':
      return new UserError('debug', `The debuggee failed to hand over ${subject}: ${failure.message}`);
  }
}
