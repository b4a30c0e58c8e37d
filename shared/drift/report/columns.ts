// Column values of a parsed table, split into present and missing, and the
// numeric-or-categorical decision.

import { isMissing, toFiniteNumber } from '../profile/values.ts';

export type ColumnKind = 'numeric' | 'categorical';

export interface ColumnValues {
  /** Non-empty fields, as written. */
  values: string[];
  /** Empty (or blank) fields. */
  missing: number;
}

/** The fields of column `index`; blank fields count as missing and are left out. */
export function columnValues(rows: readonly (readonly string[])[], index: number): ColumnValues {
  const values: string[] = [];
  let missing = 0;
  for (const r of rows) {
    const v = r[index] ?? '';
    if (isMissing(v)) missing++;
    else values.push(v);
  }
  return { values, missing };
}

/** True when the field is a finite decimal number ("3", "-0.5", "1e-3"; not "0x1f", "inf", "NaN"). */
export function isNumericField(v: string): boolean {
  return toFiniteNumber(v) !== undefined;
}

/**
 * Numeric when every present value of every given sample parses as a finite
 * number, categorical otherwise. Decided over reference and current together,
 * so a column is compared as one kind on both sides.
 */
export function columnKind(...samples: readonly (readonly string[])[]): ColumnKind {
  for (const s of samples) for (const v of s) if (!isNumericField(v)) return 'categorical';
  return 'numeric';
}

/** The numbers of fields that passed isNumericField. */
export function toNumbers(values: readonly string[]): number[] {
  return values.map((v) => toFiniteNumber(v)!);
}
