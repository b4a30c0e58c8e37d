// What counts as a missing value and as a number, shared by profiles and the
// drift report so both read a CSV the same way. Kept free of zod so the CLI
// path stays light.

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** undefined, null, NaN, and blank strings are missing values. */
export function isMissing(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    (typeof v === 'number' && Number.isNaN(v)) ||
    (typeof v === 'string' && v.trim() === '')
  );
}

/**
 * A finite number from a number or a decimal literal ("3", "-0.5", "1e-3");
 * undefined otherwise. Number() alone would also take "0x1f", "Infinity" and
 * " " (as 0), which a data column should not silently turn into numbers.
 */
export function toFiniteNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (!NUMBER.test(t)) return undefined;
  const x = Number(t);
  return Number.isFinite(x) ? x : undefined;
}
