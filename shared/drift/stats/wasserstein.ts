// 1-D Wasserstein-1 distance, as `scipy.stats.wasserstein_distance(u, v)`:
// the integral of |F_u - F_v| over the merged sample.

import { hasNaN, sortedCopy } from './sorted.ts';

/**
 * W1 between the empirical distributions of a and b. O((n+m) log(n+m)).
 * Empty input or NaN → NaN (SciPy raises / propagates respectively).
 */
export function wasserstein1(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const nu = a.length;
  const nv = b.length;
  if (nu === 0 || nv === 0 || hasNaN(a) || hasNaN(b)) return Number.NaN;
  const u = sortedCopy(a);
  const v = sortedCopy(b);
  let i = 0;
  let j = 0;
  // Walk the merged sorted values; between consecutive values x_k < x_{k+1}
  // the ECDFs are constant at #(<= x_k)/n. Neumaier summation: SciPy uses a
  // BLAS dot product whose order we cannot copy, so be accurate instead.
  let sum = 0;
  let comp = 0;
  let prev = Math.min(u[0]!, v[0]!);
  while (i < nu || j < nv) {
    const x = j >= nv || (i < nu && u[i]! <= v[j]!) ? u[i]! : v[j]!;
    if (x !== prev) {
      const term = Math.abs(i / nu - j / nv) * (x - prev);
      const t = sum + term;
      comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
      sum = t;
      prev = x;
    }
    while (i < nu && u[i]! <= x) i++;
    while (j < nv && v[j]! <= x) j++;
  }
  return sum + comp;
}
