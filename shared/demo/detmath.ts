// exp and log from + − × ÷ only. Math.exp and Math.log are
// "implementation-approximated" in ECMAScript: engines may differ in the last
// bit, which would change the trained weights and so the model's bytes between
// Node and a browser. IEEE arithmetic is exactly rounded everywhere, so these
// give the same doubles on every engine (accurate to a few ulp, plenty for training).

const LN2_HI = 6.9314718036912381649e-1; // ln 2 split so k·LN2_HI is exact for |k| < 2^11
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.442695040888963387;

const scratch = new DataView(new ArrayBuffer(8));

/** 2^k for a normal-range integer k, built from its bit pattern. */
function pow2(k: number): number {
  scratch.setUint32(0, (k + 1023) << 20);
  scratch.setUint32(4, 0);
  return scratch.getFloat64(0);
}

/** e^x. Below −700 it returns 0 (true value < 1e−304), above 709.78 Infinity. */
export function detExp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 709.78) return Infinity;
  if (x < -700) return 0;
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO; // |r| ≤ ln2/2
  // Taylor series in Horner form; the degree-17 remainder is below 1e−19 for |r| ≤ 0.35.
  let s = 1;
  for (let i = 17; i >= 1; i--) s = 1 + (r / i) * s;
  // k reaches 1024 just below the overflow threshold, one past the largest normal exponent.
  return k > 1023 ? s * pow2(k - 1) * 2 : s * pow2(k);
}

/** ln(x) for finite x > 0 (NaN for x < 0, −Infinity for 0). */
export function detLog(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  let e = 0;
  let m = x;
  // Normalise m into [√½, √2) by exact powers of two.
  if (m < pow2(-1000)) {
    m *= pow2(100); // subnormal: scale up so its exponent field is meaningful
    e -= 100;
  }
  scratch.setFloat64(0, m);
  const exp = ((scratch.getUint32(0) >>> 20) & 0x7ff) - 1023;
  m /= pow2(exp);
  e += exp;
  if (m >= Math.SQRT2) {
    m /= 2;
    e += 1;
  }
  // ln m = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172: odd series to s^29.
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let t = 0;
  for (let i = 29; i >= 3; i -= 2) t = (t + 1 / i) * s2;
  const lnm = 2 * s + 2 * s * t;
  return e * LN2_HI + (e * LN2_LO + lnm);
}

/** ln(1 + x), x ≥ −1. */
export function detLog1p(x: number): number {
  const y = 1 + x;
  if (y === 1) return x; // x below half an ulp of 1: ln(1 + x) ≈ x
  // Correct for the rounding of 1 + x (fdlibm's trick): ln(y) + (x − (y − 1))/y.
  return detLog(y) + (x - (y - 1)) / y;
}
