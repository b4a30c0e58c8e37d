// Chi-square test of homogeneity on a 2×K table and the categorical drift
// summary built on it.

import { chi2Sf } from './special.ts';
import { pairwiseSum } from './sum.ts';
import { jensenShannonDistance, psi } from './divergence.ts';

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  dof: number;
}

/**
 * `scipy.stats.chi2_contingency([countsA, countsB])` (correction=True, so
 * Yates' continuity correction when dof == 1), after dropping columns where
 * both counts are 0. The arithmetic follows SciPy/NumPy step by step
 * (including NumPy's pairwise summation order), so the statistic matches to
 * the last bits.
 *
 * Degenerate tables, where SciPy returns dof 0 or raises (fewer than two
 * non-empty columns, or one sample with no observations at all), give
 * { statistic: 0, pValue: 1, dof: 0 }: there is no evidence of a difference.
 */
export function chiSquareHomogeneity(countsA: ArrayLike<number>, countsB: ArrayLike<number>): ChiSquareResult {
  if (countsA.length !== countsB.length) throw new RangeError('count vectors must have the same length');
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 0; i < countsA.length; i++) {
    const x = countsA[i]!;
    const y = countsB[i]!;
    if (!(x >= 0) || !(y >= 0)) throw new RangeError('counts must be non-negative numbers');
    if (x === 0 && y === 0) continue;
    ra.push(x);
    rb.push(y);
  }
  const k = ra.length;
  const degenerate: ChiSquareResult = { statistic: 0, pValue: 1, dof: 0 };
  if (k < 2) return degenerate;
  const rowA = pairwiseSum(ra);
  const rowB = pairwiseSum(rb);
  if (rowA === 0 || rowB === 0) return degenerate;
  const observed = new Float64Array(2 * k);
  observed.set(ra, 0);
  observed.set(rb, k);
  const total = pairwiseSum(observed);
  const dof = k - 1;
  const terms = new Float64Array(2 * k);
  for (let r = 0; r < 2; r++) {
    const rowSum = r === 0 ? rowA : rowB;
    for (let j = 0; j < k; j++) {
      const colSum = ra[j]! + rb[j]!;
      const expected = (rowSum * colSum) / total;
      let obs = observed[r * k + j]!;
      if (dof === 1) {
        // Yates: move each cell toward its expectation by at most 0.5.
        const diff = expected - obs;
        obs = obs + Math.min(0.5, Math.abs(diff)) * Math.sign(diff);
      }
      const dev = obs - expected;
      terms[r * k + j] = (dev * dev) / expected;
    }
  }
  const statistic = pairwiseSum(terms);
  return { statistic, pValue: chi2Sf(statistic, dof), dof };
}

export interface CategoricalResult {
  categories: string[];
  referenceCounts: number[];
  currentCounts: number[];
  /** Categories seen in current but never in reference. */
  unseen: string[];
  chiSquare: ChiSquareResult;
  jensenShannon: number;
  psi: number;
}

function countInto(values: Iterable<string>, map: Map<string, number>): void {
  for (const v of values) map.set(v, (map.get(v) ?? 0) + 1);
}

/**
 * Categorical drift summary. Categories are those present in either sample,
 * sorted by UTF-16 code units (JavaScript's default string order; equals
 * Python's `sorted` except for characters outside the BMP). Never throws or
 * returns NaN: with one category, or an empty sample, the chi-square part is
 * the degenerate { statistic 0, pValue 1, dof 0 }; JS distance is 0 when both
 * samples are empty and 1 when only one is; PSI treats an empty sample's
 * proportions as 0 (then floored at 1e-4).
 */
export function categorical(reference: Iterable<string>, current: Iterable<string>): CategoricalResult {
  const ref = new Map<string, number>();
  const cur = new Map<string, number>();
  countInto(reference, ref);
  countInto(current, cur);
  const all = new Set<string>([...ref.keys(), ...cur.keys()]);
  const categories = [...all].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const referenceCounts = categories.map((c) => ref.get(c) ?? 0);
  const currentCounts = categories.map((c) => cur.get(c) ?? 0);
  const unseen = categories.filter((c) => !ref.has(c) && cur.has(c));
  return {
    categories,
    referenceCounts,
    currentCounts,
    unseen,
    chiSquare: chiSquareHomogeneity(referenceCounts, currentCounts),
    jensenShannon: jensenShannonDistance(referenceCounts, currentCounts),
    psi: psi(referenceCounts, currentCounts),
  };
}
