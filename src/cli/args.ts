/** A small, strict `--flag value` parser: unknown flags and missing values are user errors, not surprises. */
import { UserError } from '../engine/errors';

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string>;
  switches: Set<string>;
}

/**
 * `valued` lists flags that take a value, `boolean` those that do not. Anything else starting with `--` is an
 * error naming the flag.
 */
export function parseArgs(argv: string[], valued: readonly string[], boolean: readonly string[] = []): ParsedArgs {
  const out: ParsedArgs = { positional: [], flags: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || a === '--') {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (boolean.includes(name)) {
      out.switches.add(name);
    } else if (valued.includes(name)) {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UserError('engine', `--${name} needs a value.`);
      out.flags.set(name, value);
    } else {
      throw new UserError('engine', `unknown option --${name}.`);
    }
  }
  return out;
}

export function numberFlag(args: ParsedArgs, name: string, fallback: number): number {
  const raw = args.flags.get(name);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UserError('engine', `--${name} must be a number, got '${raw}'.`);
  return v;
}

export function integerFlag(args: ParsedArgs, name: string, fallback: number): number {
  const v = numberFlag(args, name, fallback);
  if (!Number.isInteger(v)) throw new UserError('engine', `--${name} must be an integer, got '${args.flags.get(name)}'.`);
  return v;
}

export function listFlag(args: ParsedArgs, name: string): number[] | undefined {
  const raw = args.flags.get(name);
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const values = parts.map(Number);
  if (parts.length === 0 || values.some((v) => !Number.isFinite(v))) {
    throw new UserError('engine', `--${name} must be a comma-separated list of numbers, got '${raw}'.`);
  }
  return values;
}
