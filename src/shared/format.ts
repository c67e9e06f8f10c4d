/**
 * Number and size formatting for everything the inspector shows. One formatter so that the tests can parse what
 * is displayed and compare it with independently computed figures at a known precision (5 significant digits).
 */

/** 5 significant digits; exponent notation outside [1e-3, 1e6); NaN and ±Inf spelled as numpy prints them. */
export function fmt(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e6) return String(Number(v.toPrecision(5)));
  return v.toExponential(4).replace(/\.?0+e/, 'e').replace('e+', 'e');
}

/** Hyper-parameters as a user types them: 1e-5 rather than 0.00001. */
export function fmtParam(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential().replace('e+', 'e') : String(v);
}

/**
 * 26,214,400. Safe integers are grouped here rather than by toLocaleString, whose first call in a page loads ICU's
 * locale data: 40-80 ms on the path from a result to the drawn inspector (issue 8).
 */
export function fmtInt(n: number): string {
  return Number.isSafeInteger(n) ? String(n).replace(/\B(?=(\d{3})+$)/g, ',') : n.toLocaleString('en-US');
}

export function fmtBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${Number(v.toFixed(1))} ${units[u]}`;
}

export function fmtPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)} %` : '—';
}

/** Python's tuple spelling, which is how users see shapes in PyTorch and numpy. */
export function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** 7 significant digits, for data tables that let a reader (or a test) check the drawn values. */
export function fmtPrecise(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(7))) : fmt(v);
}

/** Histogram counts are integers except where bins were re-split (the all-channel histogram of y). */
export function fmtCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
