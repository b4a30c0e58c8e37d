import type { NumericFeatureProfile } from '../../../../shared/drift/profile/schema.ts';

/**
 * Reference vs current distribution of one feature, over the reference profile's own bins (inner
 * edges; the first and last bins are open-ended), as fractions so different counts compare.
 */
export interface FeatureComparison {
  feature: string;
  labels: string[];
  reference: number[];
  current: number[];
  currentCount: number;
}

/** Index of the bin holding `v`: bins are left-closed, [e[i-1], e[i]). */
export function binIndex(edges: readonly number[], v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v >= edges[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function binCounts(edges: readonly number[], values: Iterable<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) if (Number.isFinite(v)) counts[binIndex(edges, v)]! += 1;
  return counts;
}

const fractions = (counts: readonly number[]): number[] => {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total ? c / total : 0));
};

const short = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

export function binLabels(edges: readonly number[]): string[] {
  if (edges.length === 0) return ['all'];
  return [
    `< ${short(edges[0]!)}`,
    ...edges.slice(1).map((e, i) => `${short(edges[i]!)}–${short(e)}`),
    `≥ ${short(edges[edges.length - 1]!)}`,
  ];
}

export function compareFeature(profile: NumericFeatureProfile, values: readonly number[]): FeatureComparison {
  const edges = profile.histogram.edges;
  const current = binCounts(edges, values);
  return {
    feature: profile.name,
    labels: binLabels(edges),
    reference: fractions(profile.histogram.counts),
    current: fractions(current),
    currentCount: current.reduce((a, b) => a + b, 0),
  };
}

/** Without a reference profile: the recent values alone, over ten equal-width bins. */
export function currentOnly(feature: string, values: readonly number[], bins = 10): FeatureComparison {
  const finite = values.filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const edges =
    finite.length && hi > lo ? Array.from({ length: bins - 1 }, (_, i) => lo + ((hi - lo) * (i + 1)) / bins) : [];
  const current = binCounts(edges, finite);
  return { feature, labels: binLabels(edges), reference: [], current: fractions(current), currentCount: finite.length };
}
