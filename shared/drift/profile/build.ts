// buildProfile: rows of a dataset → its reference profile (see schema.ts).

import { binCounts, binEdges, quantile, sortedCopy } from '../stats/index.ts';
import { momentsOf, unbiasedVariance } from './moments.ts';
import { isMissing, toFiniteNumber } from './values.ts';
import type { Moments } from './moments.ts';
import { CONFIDENCE_BINS, DatasetSpecSchema, PROFILE_QUANTILES, PROFILE_VERSION } from './schema.ts';
import type {
  CategoricalFeatureProfile,
  ClassProfile,
  ConfidenceProfile,
  DatasetSpec,
  FeatureProfile,
  NumericFeatureProfile,
  NumericFeatureSpec,
  ReferenceProfile,
} from './schema.ts';

/** One row: column name → value. Rows from a CSV carry strings, rows from code carry numbers. */
export type ProfileRow = Readonly<Record<string, unknown>>;

/** Thrown for a value a profile cannot take (a word in a numeric feature, a confidence of 7). */
export class ProfileInputError extends Error {
  override name = 'ProfileInputError';
}

function label(v: unknown, what: string, row: number): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint')
    return String(v);
  throw new ProfileInputError(`${what}, row ${row}: expected a string or number, got ${typeof v}`);
}

function numbers(rows: readonly ProfileRow[], column: string, what: string): { values: number[]; missing: number } {
  const values: number[] = [];
  let missing = 0;
  rows.forEach((r, i) => {
    const v = r[column];
    if (isMissing(v)) {
      missing++;
      return;
    }
    const x = toFiniteNumber(v);
    if (x === undefined)
      throw new ProfileInputError(`${what}, row ${i}: ${JSON.stringify(String(v))} is not a finite number`);
    values.push(x);
  });
  return { values, missing };
}

function counted(
  rows: readonly ProfileRow[],
  column: string,
  what: string,
): { keys: string[]; counts: number[]; count: number; missing: number } {
  const map = new Map<string, number>();
  let missing = 0;
  rows.forEach((r, i) => {
    const v = r[column];
    if (isMissing(v)) missing++;
    else {
      const k = label(v, what, i);
      map.set(k, (map.get(k) ?? 0) + 1);
    }
  });
  const keys = [...map.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return { keys, counts: keys.map((k) => map.get(k)!), count: rows.length - missing, missing };
}

function momentFields(m: Moments): Pick<NumericFeatureProfile, 'count' | 'mean' | 'm2' | 'variance' | 'min' | 'max'> {
  return { count: m.count, mean: m.mean, m2: m.m2, variance: unbiasedVariance(m), min: m.min, max: m.max };
}

function numericFeature(rows: readonly ProfileRow[], spec: NumericFeatureSpec): NumericFeatureProfile {
  const { values, missing } = numbers(rows, spec.name, `feature ${JSON.stringify(spec.name)}`);
  const sorted = sortedCopy(values);
  const edges = spec.edges ? [...spec.edges] : binEdges(sorted);
  return {
    name: spec.name,
    kind: 'numeric',
    ...momentFields(momentsOf(values)),
    missing,
    quantiles: values.length === 0 ? [] : PROFILE_QUANTILES.map((q) => ({ q, value: quantile(sorted, q) })),
    quantileSource: 'sample',
    histogram: { edges, counts: binCounts(edges, sorted) },
  };
}

function categoricalFeature(rows: readonly ProfileRow[], name: string): CategoricalFeatureProfile {
  const c = counted(rows, name, `feature ${JSON.stringify(name)}`);
  return { name, kind: 'categorical', count: c.count, missing: c.missing, categories: c.keys, counts: c.counts };
}

/** Confidence bin of c in [0, 1]: floor(c · 20), with 1 in the last bin. */
export function confidenceBin(c: number): number {
  return Math.min(CONFIDENCE_BINS - 1, Math.floor(c * CONFIDENCE_BINS));
}

function confidenceProfile(rows: readonly ProfileRow[], column: string): ConfidenceProfile {
  const { values, missing } = numbers(rows, column, `confidence column ${JSON.stringify(column)}`);
  const counts = new Array<number>(CONFIDENCE_BINS).fill(0);
  for (const c of values) {
    if (c < 0 || c > 1)
      throw new ProfileInputError(`confidence column ${JSON.stringify(column)}: ${c} is outside [0, 1]`);
    counts[confidenceBin(c)]! += 1;
  }
  return { column, ...momentFields(momentsOf(values)), missing, counts };
}

function classProfile(rows: readonly ProfileRow[], column: string): ClassProfile {
  const c = counted(rows, column, `prediction column ${JSON.stringify(column)}`);
  return { column, count: c.count, missing: c.missing, labels: c.keys, counts: c.counts };
}

/**
 * The reference profile of `rows`: per feature moments, quantiles and a
 * histogram (numeric) or category counts (categorical), plus the predicted
 * class and confidence distributions when the spec names those columns.
 * Throws ProfileInputError for a value that does not fit its column.
 */
export function buildProfile(rows: readonly ProfileRow[], schema: DatasetSpec): ReferenceProfile {
  const checked = DatasetSpecSchema.safeParse(schema);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new ProfileInputError(`invalid dataset spec: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  const features: FeatureProfile[] = schema.features.map((f) =>
    f.kind === 'numeric' ? numericFeature(rows, f) : categoricalFeature(rows, f.name),
  );
  const profile: ReferenceProfile = { version: PROFILE_VERSION, rows: rows.length, features };
  if (schema.prediction !== undefined) profile.classes = classProfile(rows, schema.prediction);
  if (schema.confidence !== undefined) profile.confidence = confidenceProfile(rows, schema.confidence);
  return profile;
}

/**
 * The spec that builds profiles mergeable with `profile`: same features and
 * columns, numeric features pinned to the profile's histogram edges.
 */
export function specFromProfile(profile: ReferenceProfile): DatasetSpec {
  const spec: DatasetSpec = {
    features: profile.features.map((f) =>
      f.kind === 'numeric'
        ? { name: f.name, kind: 'numeric', edges: [...f.histogram.edges] }
        : { name: f.name, kind: 'categorical' },
    ),
  };
  if (profile.classes) spec.prediction = profile.classes.column;
  if (profile.confidence) spec.confidence = profile.confidence.column;
  return spec;
}
