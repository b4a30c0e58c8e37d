// Summation helpers. NumPy's `np.sum` on a contiguous float64 array uses a
// specific pairwise scheme; reproducing its exact order lets statistics that
// SciPy builds from `np.sum` (chi-square, Anderson–Darling) match bit for bit
// instead of merely to ~1e-13.

const BLOCK = 128;

/** NumPy's `pairwise_sum` for float64, same association order. */
export function pairwiseSum(a: ArrayLike<number>, start = 0, end = a.length): number {
  const n = end - start;
  if (n < 8) {
    let res = 0;
    for (let i = start; i < end; i++) res += a[i]!;
    return res;
  }
  if (n <= BLOCK) {
    let r0 = a[start]!,
      r1 = a[start + 1]!,
      r2 = a[start + 2]!,
      r3 = a[start + 3]!;
    let r4 = a[start + 4]!,
      r5 = a[start + 5]!,
      r6 = a[start + 6]!,
      r7 = a[start + 7]!;
    const stop = start + (n - (n % 8));
    let i = start + 8;
    for (; i < stop; i += 8) {
      r0 += a[i]!;
      r1 += a[i + 1]!;
      r2 += a[i + 2]!;
      r3 += a[i + 3]!;
      r4 += a[i + 4]!;
      r5 += a[i + 5]!;
      r6 += a[i + 6]!;
      r7 += a[i + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < end; i++) res += a[i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, start + n2) + pairwiseSum(a, start + n2, end);
}

/**
 * Neumaier-compensated sum, for places where SciPy's order is a BLAS dot
 * product we cannot reproduce: being accurate is then the best way to agree.
 */
export function accurateSum(a: ArrayLike<number>): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}
