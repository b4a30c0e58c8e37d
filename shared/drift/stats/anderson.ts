// k-sample Anderson–Darling test, as `scipy.stats.anderson_ksamp` (SciPy 1.17,
// scipy/stats/_morestats.py, Scholz & Stephens 1987). Chosen over
// cramervonmises_2samp because every step is elementary arithmetic (no Bessel
// functions), so the result can match SciPy to rounding error.

import { countLess, countLessOrEqual, sortedCopy } from './sorted.ts';
import { pairwiseSum } from './sum.ts';

export type AndersonVariant = 'midrank' | 'right' | 'continuous';

export interface AndersonKSampResult {
  /** Standardized statistic (A2akN - (k-1)) / sigma, SciPy's `statistic`. */
  statistic: number;
  /** SciPy's interpolated significance level, limited to [0.001, 0.25]. */
  pValue: number;
  /** Critical values for significance 25%, 10%, 5%, 2.5%, 1%, 0.5%, 0.1%. */
  criticalValues: number[];
  /** True when pValue sits at a table limit (SciPy warns "capped"/"floored"). */
  pValueCapped: boolean;
}

const B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
const SIG = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

type A2Fn = (samples: Float64Array[], Z: Float64Array, Zstar: Float64Array, n: number[], N: number) => number;

const midrank: A2Fn = (samples, Z, Zstar, n, N) => {
  const L = Zstar.length;
  const lj = new Float64Array(L);
  const Bj = new Float64Array(L);
  for (let j = 0; j < L; j++) {
    const left = countLess(Z, Zstar[j]!);
    lj[j] = N === L ? 1 : countLessOrEqual(Z, Zstar[j]!) - left;
    Bj[j] = left + lj[j]! / 2;
  }
  let A2 = 0;
  const inner = new Float64Array(L);
  samples.forEach((s, i) => {
    const ni = n[i]!;
    for (let j = 0; j < L; j++) {
      const right = countLessOrEqual(s, Zstar[j]!);
      const fij = right - countLess(s, Zstar[j]!);
      const Mij = right - fij / 2;
      const dev = N * Mij - Bj[j]! * ni;
      inner[j] = ((lj[j]! / N) * (dev * dev)) / (Bj[j]! * (N - Bj[j]!) - (N * lj[j]!) / 4);
    }
    A2 += pairwiseSum(inner) / ni;
  });
  return A2 * ((N - 1) / N);
};

const right: A2Fn = (samples, Z, Zstar, n, N) => {
  const L = Zstar.length - 1;
  const lj = new Float64Array(L);
  const Bj = new Float64Array(L);
  let cum = 0;
  for (let j = 0; j < L; j++) {
    lj[j] = countLessOrEqual(Z, Zstar[j]!) - countLess(Z, Zstar[j]!);
    cum += lj[j]!;
    Bj[j] = cum;
  }
  let A2 = 0;
  const inner = new Float64Array(L);
  samples.forEach((s, i) => {
    const ni = n[i]!;
    for (let j = 0; j < L; j++) {
      const dev = N * countLessOrEqual(s, Zstar[j]!) - Bj[j]! * ni;
      inner[j] = ((lj[j]! / N) * (dev * dev)) / (Bj[j]! * (N - Bj[j]!));
    }
    A2 += pairwiseSum(inner) / ni;
  });
  return A2;
};

const continuous: A2Fn = (samples, Z, _Zstar, n, N) => {
  let A2 = 0;
  const inner = new Float64Array(N - 1);
  samples.forEach((s, i) => {
    const ni = n[i]!;
    for (let j = 1; j < N; j++) {
      const dev = N * countLessOrEqual(s, Z[j - 1]!) - j * ni;
      inner[j - 1] = (dev * dev) / (j * (N - j));
    }
    A2 += pairwiseSum(inner) / ni;
  });
  return A2 / N;
};

/** np.polyfit(x, y, 2) (column-scaled least squares; Householder QR instead of SVD). */
function polyfit2(x: number[], y: number[]): [number, number, number] {
  const rows = x.length;
  const cols = 3;
  const A = x.map((xi) => [xi * xi, xi, 1]);
  const scale = [0, 1, 2].map((c) => Math.sqrt(A.reduce((s, r) => s + r[c]! * r[c]!, 0)));
  for (const r of A) for (let c = 0; c < cols; c++) r[c] = r[c]! / scale[c]!;
  const b = y.slice();
  for (let c = 0; c < cols; c++) {
    let norm = 0;
    for (let r = c; r < rows; r++) norm += A[r]![c]! ** 2;
    norm = Math.sqrt(norm);
    const alpha = A[c]![c]! > 0 ? -norm : norm;
    const v = new Array<number>(rows).fill(0);
    for (let r = c; r < rows; r++) v[r] = A[r]![c]!;
    v[c] = v[c]! - alpha;
    const vv = v.reduce((s, t) => s + t * t, 0);
    if (vv === 0) continue;
    for (let cc = c; cc < cols; cc++) {
      let dot = 0;
      for (let r = c; r < rows; r++) dot += v[r]! * A[r]![cc]!;
      for (let r = c; r < rows; r++) A[r]![cc] = A[r]![cc]! - (2 * dot * v[r]!) / vv;
    }
    let dot = 0;
    for (let r = c; r < rows; r++) dot += v[r]! * b[r]!;
    for (let r = c; r < rows; r++) b[r] = b[r]! - (2 * dot * v[r]!) / vv;
  }
  const coef = [0, 0, 0];
  for (let c = cols - 1; c >= 0; c--) {
    let s = b[c]!;
    for (let cc = c + 1; cc < cols; cc++) s -= A[c]![cc]! * coef[cc]!;
    coef[c] = s / A[c]![c]!;
  }
  return [coef[0]! / scale[0]!, coef[1]! / scale[1]!, coef[2]! / scale[2]!];
}

/**
 * Anderson–Darling k-sample test. Default variant 'midrank' is SciPy's
 * default (`anderson_ksamp(samples)`); the p-value is SciPy's interpolation
 * of log significance over its critical-value table, capped to [0.001, 0.25].
 * Throws RangeError where SciPy raises ValueError: fewer than 2 samples, an
 * empty sample, fewer than 2 distinct values, or fewer than 3 observations.
 */
export function andersonKSamp(
  samples: readonly ArrayLike<number>[],
  opts: { variant?: AndersonVariant } = {},
): AndersonKSampResult {
  const k = samples.length;
  if (k < 2) throw new RangeError('anderson_ksamp needs at least two samples');
  const sorted = samples.map((s) => sortedCopy(s));
  const n = sorted.map((s) => s.length);
  const N = n.reduce((s, x) => s + x, 0);
  const Z = new Float64Array(N);
  let off = 0;
  for (const s of sorted) {
    Z.set(s, off);
    off += s.length;
  }
  Z.sort();
  const uniq: number[] = [];
  for (let i = 0; i < N; i++) if (i === 0 || Z[i] !== Z[i - 1]) uniq.push(Z[i]!);
  const Zstar = Float64Array.from(uniq);
  if (Zstar.length < 2) throw new RangeError('anderson_ksamp needs more than one distinct observation');
  if (n.some((x) => x === 0)) throw new RangeError('anderson_ksamp encountered sample without observations');
  if (N < 3) throw new RangeError('anderson_ksamp needs at least three observations');
  const variant = opts.variant ?? 'midrank';
  const fn = variant === 'midrank' ? midrank : variant === 'right' ? right : continuous;
  const A2kN = fn(sorted, Z, Zstar, n, N);

  const H = pairwiseSum(n.map((x) => 1 / x));
  const hsCs = new Float64Array(N - 2);
  let acc = 0;
  for (let i = 0; i < N - 2; i++) {
    acc += 1 / (N - 1 - i);
    hsCs[i] = acc;
  }
  const h = hsCs[N - 3]! + 1;
  const gTerms = hsCs.map((v, i) => v / (i + 2));
  const g = pairwiseSum(gTerms);
  const a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  const b = (2 * g - 4) * k ** 2 + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const c = (6 * h + 2 * g - 2) * k ** 2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
  const d = (2 * h + 6) * k ** 2 - 4 * h * k;
  const sigmasq = (a * N ** 3 + b * N ** 2 + c * N + d) / ((N - 1) * (N - 2) * (N - 3));
  const m = k - 1;
  const statistic = (A2kN - m) / Math.sqrt(sigmasq);

  const criticalValues = B0.map((b0, i) => b0 + B1[i]! / Math.sqrt(m) + B2[i]! / m);
  const cmin = Math.min(...criticalValues);
  const cmax = Math.max(...criticalValues);
  let pValue: number;
  let pValueCapped = false;
  if (statistic < cmin) {
    pValue = 0.25;
    pValueCapped = true;
  } else if (statistic > cmax) {
    pValue = 0.001;
    pValueCapped = true;
  } else {
    const [c0, c1, c2] = polyfit2(criticalValues, SIG.map(Math.log));
    pValue = Math.exp((c0 * statistic + c1) * statistic + c2);
  }
  return { statistic, pValue, criticalValues, pValueCapped };
}
