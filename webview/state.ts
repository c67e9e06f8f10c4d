/**
 * The UI state that survives hiding and reopening the panel (the page itself is destroyed: no
 * retainContextWhenHidden). It is stored through `setState` as JSON and read back as untrusted input.
 */
import { parseInspectOptions } from '../src/shared/validate';
import type { InspectOptions } from '../src/engine/inspect/types';
import { loadState, saveState } from './vscodeApi';

export const ACTIVATIONS = ['none', 'relu', 'sigmoid', 'tanh', 'gelu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const SORT_KEYS = ['channel', 'mean', 'std', 'var', 'min', 'max', 'nonfinite', 'afterMean', 'afterStd',
  'runningMean', 'runningVar', 'shift'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface UiState {
  /** The source this state belongs to; another source starts from defaults. */
  source: string;
  tensor: string | null;
  /** The options last computed with, reused when the panel reopens. */
  options: InspectOptions | null;
  channel: number;
  /** Per-channel γ and β as the user set them (before the all-channel scale and shift). */
  gamma: number[] | null;
  beta: number[] | null;
  gammaAll: number;
  betaAll: number;
  logVariance: boolean;
  activation: Activation;
  sortKey: SortKey;
  sortDescending: boolean;
  filter: string;
  /** Rows of `result.samples` per simulated mini-batch; 0 picks a default. */
  miniBatch: number;
  /** Histograms: raw and normalized values each on their own x axis instead of one shared axis. */
  ownAxes: boolean;
}

export function defaultUiState(source: string): UiState {
  return {
    source, tensor: null, options: null, channel: 0, gamma: null, beta: null, gammaAll: 1, betaAll: 0,
    logVariance: false, activation: 'none', sortKey: 'channel', sortDescending: false, filter: '', miniBatch: 0,
    ownAxes: false,
  };
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** JSON stores NaN as null: a γ of NaN (identity preset on a NaN channel) comes back as null. */
const numArray = (v: unknown): number[] | null => (Array.isArray(v) && v.length <= 1 << 20
  ? v.map((x) => (typeof x === 'number' ? x : NaN)) : null);

function oneOf<T extends string>(allowed: readonly T[], v: unknown, fallback: T): T {
  return (allowed as readonly unknown[]).includes(v) ? (v as T) : fallback;
}

/** Whatever `getState` holds, as a UiState for `source`; anything malformed falls back to the default. */
export function restoreUiState(source: string): UiState {
  const d = defaultUiState(source);
  const s = loadState();
  if (typeof s !== 'object' || s === null) return d;
  const o = s as Record<string, unknown>;
  if (o.source !== source) return d;
  return {
    source,
    tensor: typeof o.tensor === 'string' ? o.tensor : null,
    options: parseInspectOptions(o.options) ?? null,
    channel: Number.isSafeInteger(o.channel) && (o.channel as number) >= 0 ? (o.channel as number) : 0,
    gamma: numArray(o.gamma),
    beta: numArray(o.beta),
    gammaAll: isNum(o.gammaAll) ? o.gammaAll : 1,
    betaAll: isNum(o.betaAll) ? o.betaAll : 0,
    logVariance: o.logVariance === true,
    activation: oneOf(ACTIVATIONS, o.activation, d.activation),
    sortKey: oneOf(SORT_KEYS, o.sortKey, d.sortKey),
    sortDescending: o.sortDescending === true,
    filter: typeof o.filter === 'string' ? o.filter.slice(0, 200) : '',
    miniBatch: Number.isSafeInteger(o.miniBatch) && (o.miniBatch as number) >= 0 ? (o.miniBatch as number) : 0,
    ownAxes: o.ownAxes === true,
  };
}

export function persist(state: UiState): void {
  saveState(state);
}
