// Two-sample Kolmogorov–Smirnov test, two-sided, reproducing
// `scipy.stats.ks_2samp(a, b)` (SciPy 1.17, scipy/stats/_stats_py.py and
// _stats_pythran.py). The exact branch is a line-by-line port so that the
// floating-point operations, and hence SciPy's "exact failed, fall back to
// asymptotic" decisions, are the same.

import { kstwoSf } from './kolmogorov.ts';
import { roundHalfEven } from './special.ts';
import { hasNaN, sortedCopy } from './sorted.ts';

export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface Ks2SampResult {
  statistic: number;
  pValue: number;
  /** Which p-value was used; 'none' for empty/NaN input (SciPy returns NaN). */
  method: 'exact' | 'asymp' | 'none';
  /** Set when SciPy would emit a RuntimeWarning (exact → asymp switch). */
  warning?: string;
}

/** SciPy's MAX_AUTO_N: 'auto' is exact when both sizes are at most this. */
export const KS_MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
}

/** Pr(D_{n,n} >= h/n) for equal sizes (SciPy `_compute_prob_outside_square`). */
export function probOutsideSquare(n: number, h: number): number {
  // Alternating binomial series evaluated Horner-style on ratios to binom(2n, n),
  // which avoids both overflow and subtractive cancellation.
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * 1 - Pr(paths stay strictly inside |x/m - y/n| < h/lcm), SciPy's
 * `_compute_outer_prob_inside_method` (Viehmann's recursion for the
 * complement directly, which keeps tiny p-values accurate).
 */
export function outerProbInsideMethod(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = Math.floor(m / g);
  const ng = Math.floor(n / g);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1.0;
    let val = minj === 0 ? 0.0 : 1.0;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, Math.min(lenA, maxj - minj + (lastlen - curlen)));
  }
  return A[maxj - minj - 1]!;
}

/** SciPy `_attempt_exact_2kssamp` for the two-sided case. */
function attemptExact(n1: number, n2: number, g: number, d: number): { ok: boolean; d: number; p: number } {
  const lcm = Math.floor(n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const dd = (h * 1.0) / lcm;
  if (h === 0) return { ok: true, d: dd, p: 1.0 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInsideMethod(n1, n2, g, h);
  // SciPy rejects anything outside [0, 1] (including NaN) and falls back.
  if (!(p >= 0 && p <= 1)) return { ok: false, d: dd, p };
  return { ok: true, d: dd, p };
}

/** Largest ECDF gap, evaluated at every observed value (ties handled as SciPy's searchsorted 'right'). */
function ksStatistic(s1: Float64Array, s2: Float64Array): number {
  const n1 = s1.length;
  const n2 = s2.length;
  let i = 0;
  let j = 0;
  let maxS = -Infinity;
  let minS = Infinity;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && s1[i]! <= s2[j]!) ? s1[i]! : s2[j]!;
    while (i < n1 && s1[i]! <= v) i++;
    while (j < n2 && s2[j]! <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  const minClipped = Math.min(Math.max(-minS, 0), 1);
  return Math.max(minClipped, maxS);
}

/**
 * Two-sided two-sample KS test; equals `scipy.stats.ks_2samp(a, b)` (method
 * 'auto' by default). Empty input or NaN gives NaN like SciPy's
 * nan_policy='propagate'. The exact p-value's statistic is SciPy's rounded
 * h/lcm(n1, n2), as SciPy reports it.
 */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>, opts: { method?: KsMethod } = {}): Ks2SampResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0 || hasNaN(a) || hasNaN(b)) {
    return { statistic: Number.NaN, pValue: Number.NaN, method: 'none' };
  }
  let d = ksStatistic(sortedCopy(a), sortedCopy(b));
  const g = gcd(n1, n2);
  const n1g = Math.floor(n1 / g);
  const n2g = Math.floor(n2 / g);
  let method: 'exact' | 'asymp';
  let warning: string | undefined;
  const requested = opts.method ?? 'auto';
  if (requested === 'auto') method = Math.max(n1, n2) <= KS_MAX_AUTO_N ? 'exact' : 'asymp';
  else if (requested === 'exact') {
    method = 'exact';
    if (n1g >= INT32_MAX / n2g) {
      method = 'asymp';
      warning = `Exact ks_2samp calculation not possible with samples sizes ${n1} and ${n2}. Switching to 'asymp'.`;
    }
  } else method = 'asymp';

  let p = Number.NaN;
  if (method === 'exact') {
    const r = attemptExact(n1, n2, g, d);
    d = r.d;
    p = r.p;
    if (!r.ok) {
      method = 'asymp';
      warning = 'ks_2samp: Exact calculation unsuccessful. Switching to method=asymp.';
    }
  }
  if (method === 'asymp') {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    p = kstwoSf(d, roundHalfEven(en));
  }
  p = Math.min(Math.max(p, 0), 1);
  const out: Ks2SampResult = { statistic: d, pValue: p, method };
  if (warning !== undefined) out.warning = warning;
  return out;
}
