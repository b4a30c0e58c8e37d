// One-sided Kolmogorov–Smirnov (Smirnov) survival function Pr(D+_n >= x),
// i.e. `scipy.special.smirnov(n, x)`. SciPy (xsf/cephes kolmogorov.h) sums the
// Birnbaum–Tingey series in double-double; we sum the same all-positive
// "lower" series in log space instead, which keeps ~1e-12 relative accuracy
// including the far tail without needing double-double arithmetic. The
// special cases are kept in SciPy's order so the same inputs take the same
// shortcut.

const MINLOG = -7.451332191019412076235e2; // cephes MINLOG = log(2^-1075)
const SMIRNOV_MAX_COMPUTE_N = 1000000;

/** Dekker two-product: n*x = hi + lo exactly (no FMA in JS). */
function twoProduct(a: number, b: number): [number, number] {
  const hi = a * b;
  const split = 134217729; // 2^27 + 1
  const ca = split * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = split * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  const lo = ah * bh - hi + ah * bl + al * bh + al * bl;
  return [hi, lo];
}

/** Smirnov sf Pr(D+_n >= x) for integer n >= 1 and 0 <= x <= 1. */
export function smirnovSf(n: number, x: number): number {
  if (Number.isNaN(x) || !(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;

  // floor(n*x) and its fractional part, exactly: the series limits and the
  // factors (1 - x - v/n) depend on them and would suffer cancellation.
  const [nxHi, nxLo] = twoProduct(n, x);
  let nxfl = Math.floor(nxHi);
  let alpha = nxHi - nxfl + nxLo;
  if (alpha < 0) {
    nxfl -= 1;
    alpha += 1;
  }
  if (alpha >= 1) {
    nxfl += 1;
    alpha = 0;
  }

  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const cdf = x * Math.exp((n - 1) * Math.log1p(x));
    return clamp01(1 - cdf);
  }
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxfl >= n - 1) return clamp01(Math.exp(n * Math.log1p(-x)));
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -((6.0 * n * x + 1) ** 2) / 18.0 / n;
    // Same branch as SciPy: exp for small p, 1 - cdf (cdf via expm1) otherwise.
    return clamp01(logp < -Math.LN2 ? Math.exp(logp) : 1 - -Math.expm1(logp));
  }

  // Lower sum: sf = sum_{v=0}^{V} C(n,v) x (x + v/n)^(v-1) (1 - x - v/n)^(n-v),
  // V = largest v with 1 - x - v/n > 0. All terms are positive.
  let vmax = n - nxfl - (alpha === 0 ? 0 : 1);
  if (alpha === 0) vmax -= 1;
  const logN = Math.log(n);
  const logX = Math.log(x);
  const logs = new Float64Array(vmax + 1);
  logs[0] = n * Math.log1p(-x);
  let logC = 0;
  let best = logs[0]!;
  for (let v = 1; v <= vmax; v++) {
    logC += Math.log((n - v + 1) / v);
    const rest = n - v - nxHi - nxLo; // n(1 - x - v/n), no cancellation
    const lead = nxHi + v + nxLo; // n(x + v/n)
    const l = logX + logC + (v - 1) * (Math.log(lead) - logN) + (n - v) * (Math.log(rest) - logN);
    logs[v] = l;
    if (l > best) best = l;
  }
  if (best === -Infinity) return 0;
  let s = 0;
  for (let v = 0; v <= vmax; v++) s += Math.exp(logs[v]! - best);
  return clamp01(Math.exp(best + Math.log(s)));
}

function clamp01(p: number): number {
  return p < 0 ? 0 : Math.min(p, 1);
}
