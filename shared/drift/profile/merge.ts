// mergeProfiles: the profile of A ∪ B from the profiles of A and B, so
// devices (or days) can each profile their own data and the server can add
// them up without the raw rows.

import { combineMoments, unbiasedVariance } from './moments.ts';
import type { Moments } from './moments.ts';
import { PROFILE_QUANTILES } from './schema.ts';
import type {
  CategoricalFeatureProfile,
  ClassProfile,
  ConfidenceProfile,
  FeatureProfile,
  NumericFeatureProfile,
  ReferenceProfile,
} from './schema.ts';

/** Thrown when two profiles do not describe the same columns or binning. */
export class ProfileMergeError extends Error {
  override name = 'ProfileMergeError';
}

function sameEdges(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function addCounts(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x + b[i]!);
}

/** Union of two sorted key/count lists, kept sorted like buildProfile sorts them. */
function mergeKeyed(
  ak: readonly string[],
  ac: readonly number[],
  bk: readonly string[],
  bc: readonly number[],
): { keys: string[]; counts: number[] } {
  const map = new Map<string, number>();
  ak.forEach((k, i) => map.set(k, (map.get(k) ?? 0) + ac[i]!));
  bk.forEach((k, i) => map.set(k, (map.get(k) ?? 0) + bc[i]!));
  const keys = [...map.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return { keys, counts: keys.map((k) => map.get(k)!) };
}

/**
 * Approximate q-quantile from a histogram (inner `edges`, `counts`) and the
 * exact min and max. Same rank as NumPy's linear quantile, h = (n − 1)·q; the
 * bin holding order statistic floor(h) is found exactly, and inside it the
 * bin's values are assumed evenly spread from its lower to its upper bound
 * (bounds clipped to [min, max], so the outer bins are finite and q = 0 / 1
 * give min / max exactly). The result therefore always lies inside that bin,
 * as does the exact quantile unless it interpolates across the bin's upper
 * edge (then it lies in the next one). null for an empty histogram.
 */
export function histogramQuantile(
  edges: readonly number[],
  counts: readonly number[],
  min: number,
  max: number,
  q: number,
): number | null {
  let n = 0;
  for (const c of counts) n += c;
  if (n === 0) return null;
  const h = (n - 1) * q;
  const k = Math.floor(h);
  let before = 0;
  let i = 0;
  while (i < counts.length - 1 && before + counts[i]! <= k) before += counts[i++]!;
  const c = counts[i]!;
  const last = counts.length - 1;
  const lo = i === 0 ? min : Math.max(edges[i - 1]!, min);
  const hi = i === last ? max : Math.min(edges[i]!, max);
  if (c === 1) {
    // A lone value: exact when it is the overall min or max, else the bin's middle.
    if (before === 0) return lo;
    if (before + 1 === n) return hi;
    return lo + (hi - lo) / 2;
  }
  const t = Math.min(1, (h - before) / (c - 1));
  return lo + t * (hi - lo);
}

function mergeNumeric(a: NumericFeatureProfile, b: NumericFeatureProfile): NumericFeatureProfile {
  // An empty side contributes no counts, so its (data-derived) edges do not matter.
  let edges: number[];
  if (a.count === 0) edges = b.histogram.edges;
  else if (b.count === 0) edges = a.histogram.edges;
  else if (sameEdges(a.histogram.edges, b.histogram.edges)) edges = a.histogram.edges;
  else {
    throw new ProfileMergeError(
      `feature ${JSON.stringify(a.name)}: histogram edges differ ([${a.histogram.edges.join(', ')}] vs [${b.histogram.edges.join(', ')}]); ` +
        'profiles merge only when built with the same edges (build them with specFromProfile(reference))',
    );
  }
  const counts =
    a.count === 0
      ? [...b.histogram.counts]
      : b.count === 0
        ? [...a.histogram.counts]
        : addCounts(a.histogram.counts, b.histogram.counts);
  const m = combineMoments(a as Moments, b as Moments);
  let quantiles = a.count === 0 ? b.quantiles : a.quantiles;
  let quantileSource = a.count === 0 ? b.quantileSource : a.quantileSource;
  if (a.count > 0 && b.count > 0) {
    quantiles = PROFILE_QUANTILES.map((q) => ({ q, value: histogramQuantile(edges, counts, m.min!, m.max!, q)! }));
    quantileSource = 'histogram';
  }
  return {
    name: a.name,
    kind: 'numeric',
    count: m.count,
    missing: a.missing + b.missing,
    mean: m.mean,
    m2: m.m2,
    variance: unbiasedVariance(m),
    min: m.min,
    max: m.max,
    quantiles: quantiles.map((x) => ({ ...x })),
    quantileSource,
    histogram: { edges: [...edges], counts },
  };
}

function mergeCategorical(a: CategoricalFeatureProfile, b: CategoricalFeatureProfile): CategoricalFeatureProfile {
  const u = mergeKeyed(a.categories, a.counts, b.categories, b.counts);
  return {
    name: a.name,
    kind: 'categorical',
    count: a.count + b.count,
    missing: a.missing + b.missing,
    categories: u.keys,
    counts: u.counts,
  };
}

function mergeFeature(a: FeatureProfile, b: FeatureProfile): FeatureProfile {
  if (a.name !== b.name || a.kind !== b.kind) {
    throw new ProfileMergeError(
      `features differ: ${JSON.stringify(a.name)} (${a.kind}) vs ${JSON.stringify(b.name)} (${b.kind})`,
    );
  }
  return a.kind === 'numeric'
    ? mergeNumeric(a, b as NumericFeatureProfile)
    : mergeCategorical(a, b as CategoricalFeatureProfile);
}

function mergeClasses(a: ClassProfile, b: ClassProfile): ClassProfile {
  const u = mergeKeyed(a.labels, a.counts, b.labels, b.counts);
  return {
    column: a.column,
    count: a.count + b.count,
    missing: a.missing + b.missing,
    labels: u.keys,
    counts: u.counts,
  };
}

function mergeConfidence(a: ConfidenceProfile, b: ConfidenceProfile): ConfidenceProfile {
  const m = combineMoments(a as Moments, b as Moments);
  return {
    column: a.column,
    count: m.count,
    missing: a.missing + b.missing,
    mean: m.mean,
    m2: m.m2,
    variance: unbiasedVariance(m),
    min: m.min,
    max: m.max,
    counts: addCounts(a.counts, b.counts),
  };
}

function optionalPart<T extends { column: string }>(
  what: string,
  a: T | undefined,
  b: T | undefined,
  merge: (a: T, b: T) => T,
): T | undefined {
  if (!a && !b) return undefined;
  if (!a || !b) throw new ProfileMergeError(`only one profile has a ${what} distribution`);
  if (a.column !== b.column)
    throw new ProfileMergeError(`${what} columns differ: ${JSON.stringify(a.column)} vs ${JSON.stringify(b.column)}`);
  return merge(a, b);
}

/**
 * The profile of the union of the two datasets. Exact for counts, missing,
 * min, max, histogram, category, class and confidence counts; mean and
 * variance exact up to rounding (Chan's parallel algorithm on the stored M2).
 * Quantiles cannot be merged exactly: when both sides have values they are
 * re-estimated from the merged histogram (histogramQuantile) and marked
 * quantileSource 'histogram'. Throws ProfileMergeError when the profiles have
 * different features, columns or histogram edges.
 */
export function mergeProfiles(a: ReferenceProfile, b: ReferenceProfile): ReferenceProfile {
  if (a.version !== b.version) throw new ProfileMergeError(`profile versions differ: ${a.version} vs ${b.version}`);
  if (a.features.length !== b.features.length) {
    throw new ProfileMergeError(`profiles have ${a.features.length} and ${b.features.length} features`);
  }
  const merged: ReferenceProfile = {
    version: a.version,
    rows: a.rows + b.rows,
    features: a.features.map((f, i) => mergeFeature(f, b.features[i]!)),
  };
  const classes = optionalPart('prediction', a.classes, b.classes, mergeClasses);
  if (classes) merged.classes = classes;
  const confidence = optionalPart('confidence', a.confidence, b.confidence, mergeConfidence);
  if (confidence) merged.confidence = confidence;
  return merged;
}
