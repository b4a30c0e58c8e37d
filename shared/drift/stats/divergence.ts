// Distribution distances on binned / categorical counts.

import { pairwiseSum } from './sum.ts';
import { binCounts, binEdges, proportions } from './quantile.ts';

function relEntr(x: number, y: number): number {
  // scipy.special.rel_entr
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/**
 * Jensen–Shannon distance, base 2 (in [0, 1]), as
 * `scipy.spatial.distance.jensenshannon(p, q, base=2)`: p and q are normalised
 * to sum 1 first, so raw counts are fine. Deviations from SciPy, chosen so a
 * monitor never sees NaN: both all-zero → 0, exactly one all-zero → 1, and a
 * rounding-negative divergence is clamped to 0 before the square root.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError('p and q must have the same length');
  const ps = pairwiseSum(p);
  const qs = pairwiseSum(q);
  if (!(ps > 0) || !(qs > 0)) {
    if (Number.isNaN(ps) || Number.isNaN(qs)) return Number.NaN;
    return ps === qs ? 0 : 1;
  }
  const n = p.length;
  const left = new Float64Array(n);
  const right = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pi = p[i]! / ps;
    const qi = q[i]! / qs;
    const m = (pi + qi) / 2.0;
    left[i] = relEntr(pi, m);
    right[i] = relEntr(qi, m);
  }
  let js = pairwiseSum(left) + pairwiseSum(right);
  js /= Math.log(2);
  return Math.sqrt(Math.max(0, js / 2.0));
}

/** Floor applied to proportions before PSI's log ratio, so empty bins stay finite. */
export const PSI_EPSILON = 1e-4;

/**
 * Population Stability Index Σ (c − r) ln(c / r). Inputs are counts (or
 * weights); they are turned into proportions, then each proportion is
 * clipped below at 1e-4 with no renormalising afterwards. Always >= 0.
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  if (reference.length !== current.length) throw new RangeError('reference and current must have the same length');
  const r = proportions(reference);
  const c = proportions(current);
  let s = 0;
  for (let i = 0; i < r.length; i++) {
    const ri = Math.max(r[i]!, PSI_EPSILON);
    const ci = Math.max(c[i]!, PSI_EPSILON);
    s += (ci - ri) * Math.log(ci / ri);
  }
  return s;
}

export interface NumericBinnedResult {
  edges: number[];
  referenceCounts: number[];
  currentCounts: number[];
  jensenShannon: number;
  psi: number;
}

/** The 10-bin (reference deciles) histogram of both samples with JS distance and PSI. */
export function numericBinned(reference: ArrayLike<number>, current: ArrayLike<number>): NumericBinnedResult {
  const edges = binEdges(reference);
  const referenceCounts = binCounts(edges, reference);
  const currentCounts = binCounts(edges, current);
  return {
    edges,
    referenceCounts,
    currentCounts,
    jensenShannon: jensenShannonDistance(referenceCounts, currentCounts),
    psi: psi(referenceCounts, currentCounts),
  };
}
