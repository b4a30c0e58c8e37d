// Two-sided one-sample Kolmogorov distribution of D_n, as SciPy's
// `scipy.stats.kstwo` (scipy/stats/_ksstats.py `_kolmogn`, Simard & L'Ecuyer
// 2011). ks_2samp's asymptotic branch calls kstwo.sf(D, round(n1 n2/(n1+n2))),
// and that n can be anything from 1 upwards, so every regime is ported with
// SciPy's cut-offs: Ruben–Gambino ends, Durbin matrix (DMTW), Pomeranz,
// Pelz–Good, and 2 * Smirnov for the upper tail.

import { kolmognDMTW, kolmognPomeranz } from './kolmogorov-exact.ts';
import { smirnovSf } from './smirnov.ts';

const SQRT2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const MIN_LOG = -708;
const SQRT3 = Math.sqrt(3);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const STIRLING = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
  -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

function clip01(p: number): number {
  return p < 0 ? 0 : Math.min(p, 1);
}

/** log(n! / n^n) by Stirling with n log n removed up front (no cancellation). */
function logNFactorialDivNPowN(n: number): number {
  const rn = 1 / n;
  const y = rn / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * y + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** Pelz–Good asymptotic approximation to Pr(D_n <= x) (or its sf). */
function kolmognPelzGood(n: number, x: number, cdf: boolean): number {
  if (x <= 0) return cdf ? 0 : 1;
  if (x >= 1) return cdf ? 1 : 0;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qlog = -PI2 / 8 / z2;
  if (qlog < MIN_LOG) return cdf ? 0 : 1;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qp = q ** (8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i]! * qp + coeffs[i]!;
  }
  const div = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i]! * q * SQRT2PI) / div[i]!;
  q = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = SQRT3 * z;
  for (let k = maxk; k > 0; k--) {
    const k2 = k ** 2;
    const qk = q ** k2;
    const kpi = Math.PI * k;
    k2extra += k2 * qk;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qk;
  }
  K[2] = K[2]! + k2extra * ((PI2 * SQRT2PI) / (-36 * z3));
  K[3] = K[3]! + k3extra * ((PI2 * SQRT2PI) / (216 * z6));
  for (let i = 0; i < 4; i++) K[i] = K[i]! / (n * 1.0) ** (i / 2);
  if (!cdf) {
    for (let i = 0; i < 4; i++) K[i] = -K[i]!;
    K[0] = K[0]! + 1;
  }
  return K[0]! + K[1]! + K[2]! + K[3]!;
}

/** SciPy `_kolmogn(n, x, cdf)`: CDF or SF of the two-sided D_n. */
export function kolmogn(n: number, x: number, cdf: boolean): number {
  if (Number.isNaN(n) || Number.isNaN(x)) return Number.NaN;
  if (!Number.isInteger(n) || n <= 0) return Number.NaN;
  const pick = (c: number, s: number): number => clip01(cdf ? c : s);
  if (x >= 1) return pick(1, 0);
  if (x <= 0) return pick(0, 1);
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return pick(0, 1);
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return pick(prob, 1 - prob);
  }
  if (t >= n - 1) {
    const prob = 2 * (1 - x) ** n;
    return pick(1 - prob, prob);
  }
  if (x >= 0.5) {
    const prob = 2 * smirnovSf(n, x);
    return pick(1 - prob, prob);
  }
  const nxsquared = t * x;
  if (n <= 140) {
    let prob: number;
    if (nxsquared <= 0.754693) prob = kolmognDMTW(n, x);
    else if (nxsquared <= 4) prob = kolmognPomeranz(n, x);
    else {
      const sf = 2 * smirnovSf(n, x);
      return pick(1 - sf, sf);
    }
    return pick(prob, 1 - prob);
  }
  if (!cdf) {
    if (nxsquared >= 370) return 0;
    if (nxsquared >= 2.2) return clip01(2 * smirnovSf(n, x));
  }
  let cdfprob: number;
  if (nxsquared >= 18) cdfprob = 1;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdfprob = kolmognDMTW(n, x);
  else cdfprob = kolmognPelzGood(n, x, true);
  return pick(cdfprob, 1 - cdfprob);
}

/** `scipy.stats.kstwo.sf(d, n)`: support is [0.5/n, 1], sf = 1 below it. */
export function kstwoSf(d: number, n: number): number {
  if (Number.isNaN(d) || Number.isNaN(n)) return Number.NaN;
  if (!(n >= 1) || n !== Math.round(n)) return Number.NaN;
  if (d <= 0.5 / n) return 1;
  if (d >= 1) return 0;
  return kolmogn(n, d, false);
}
