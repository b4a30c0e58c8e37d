// Quantiles and the fixed 10-bin histogram used by the binned drift measures.

import { countLessOrEqual, sortedCopy } from './sorted.ts';

/**
 * NumPy's default `np.quantile(sorted, q)` ('linear', Hyndman–Fan type 7) on an
 * already sorted array. Same arithmetic as NumPy's `_lerp`, including its
 * switch to `b - (b-a)(1-t)` for t >= 0.5 (keeps results monotone in q).
 * Empty input or a NaN (NaN sorts last) gives NaN.
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0 || Number.isNaN(q) || Number.isNaN(sorted[n - 1]!)) return Number.NaN;
  if (q < 0 || q > 1) throw new RangeError('Quantiles must be in the range [0, 1]');
  const virtual = (n - 1) * q;
  let prev = Math.floor(virtual);
  let next = prev + 1;
  // NumPy sets out-of-range neighbours to index -1 (the last element) and then
  // computes gamma from that -1, so mirror it literally.
  if (virtual >= n - 1) {
    prev = -1;
    next = -1;
  }
  const gamma = virtual - prev;
  const a = sorted[prev < 0 ? n - 1 : prev]!;
  const b = sorted[next < 0 ? n - 1 : next]!;
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** Deciles used as inner bin edges: q = 1/10 … 9/10 (i/10 gives the same doubles as the literals 0.1 … 0.9). */
export const DECILES: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => i / 10);

/**
 * Inner bin edges: reference deciles (linear interpolation), duplicates
 * dropped, so a reference with few distinct values gives fewer bins instead
 * of empty zero-width ones. NaN values are ignored (one missing value must not
 * wipe out the histogram). Empty reference → no edges (one bin).
 */
export function binEdges(reference: ArrayLike<number>): number[] {
  const all = sortedCopy(reference);
  let end = all.length;
  while (end > 0 && Number.isNaN(all[end - 1]!)) end--; // NaN sorts last
  const s = all.subarray(0, end);
  if (s.length === 0) return [];
  const edges: number[] = [];
  for (const q of DECILES) {
    const e = quantile(s, q);
    if (Number.isNaN(e)) continue;
    if (edges.length === 0 || edges[edges.length - 1] !== e) edges.push(e);
  }
  return edges;
}

/** Bin of x: the number of edges <= x (bins are left-closed). NaN has no bin: -1. */
export function binIndex(edges: ArrayLike<number>, x: number): number {
  return Number.isNaN(x) ? -1 : countLessOrEqual(edges, x);
}

/** Counts per bin, length edges.length + 1. NaN values are not counted. */
export function binCounts(edges: ArrayLike<number>, values: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const b = binIndex(edges, values[i]!);
    if (b >= 0) counts[b]! += 1;
  }
  return counts;
}

/** Counts → proportions summing to 1. All-zero (or empty) counts give all zeros rather than NaN. */
export function proportions(counts: ArrayLike<number>): number[] {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const out = new Array<number>(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = total > 0 ? counts[i]! / total : 0;
  return out;
}
