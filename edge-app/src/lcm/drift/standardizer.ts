import { PROFILE_QUANTILES } from '../../../../shared/drift/profile/schema.ts';

/** Where one feature's reference comes from. */
export interface FeatureReference {
  mean: number;
  std: number;
  /** Reference quantile values at [0, ...PROFILE_QUANTILES, 1] (min … max), for the quantile score. */
  knots?: number[];
}

export interface StandardizerState {
  mean: number[];
  std: number[];
  knots: (number[] | null)[];
  ready: boolean[];
  n: number;
  wMean: number[];
  wM2: number[];
}

const KNOT_PROBS = Float64Array.from([0, ...PROFILE_QUANTILES, 1]);
const SQRT12 = Math.sqrt(12);
const MIN_STD = 1e-9; // a constant training feature: any change is drift, but without dividing by zero

/**
 * Turns raw feature values into unit-scale scores the detectors share across features: a z-score
 * (clipped) or, where reference quantiles exist, the reference CDF value rescaled to mean 0 and
 * variance 1 — (F(x) − ½)·√12, bounded, so skewed features behave like symmetric ones. Features
 * without a reference learn mean/std from the first `warmup` vectors (scores are NaN meanwhile).
 */
export class Standardizer {
  readonly dim: number;
  private readonly mean: Float64Array;
  private readonly invStd: Float64Array;
  private readonly knots: (Float64Array | null)[];
  private readonly ready: Uint8Array;
  private readonly wMean: Float64Array;
  private readonly wM2: Float64Array;
  private n = 0;
  private pending = 0;

  constructor(
    refs: readonly (FeatureReference | null)[],
    private readonly warmup: number,
    private readonly clip: number,
    useQuantiles: boolean,
  ) {
    const d = refs.length;
    this.dim = d;
    this.mean = new Float64Array(d);
    this.invStd = new Float64Array(d);
    this.ready = new Uint8Array(d);
    this.wMean = new Float64Array(d);
    this.wM2 = new Float64Array(d);
    this.knots = refs.map((r) =>
      useQuantiles && r?.knots && r.knots.length === KNOT_PROBS.length ? Float64Array.from(r.knots) : null,
    );
    refs.forEach((r, i) => {
      if (r) this.set(i, r.mean, r.std);
      else this.pending += 1;
    });
  }

  /** True while some feature still learns its reference from the stream. */
  get learning(): boolean {
    return this.pending > 0;
  }

  /** Feeds one vector to the features still learning (no-op once all are ready). */
  observe(x: ArrayLike<number>): void {
    if (this.pending === 0) return;
    this.n += 1;
    for (let i = 0; i < this.dim; i++) {
      if (this.ready[i]) continue;
      const v = x[i] as number;
      const d = v - (this.wMean[i] as number);
      this.wMean[i] = (this.wMean[i] as number) + d / this.n;
      this.wM2[i] = (this.wM2[i] as number) + d * (v - (this.wMean[i] as number));
    }
    if (this.n >= this.warmup) {
      for (let i = 0; i < this.dim; i++)
        if (!this.ready[i]) this.set(i, this.wMean[i] as number, Math.sqrt((this.wM2[i] as number) / (this.n - 1)));
      this.pending = 0;
    }
  }

  /** Clipped z-score of feature i (NaN while it is learning). */
  z(i: number, x: number): number {
    if (!this.ready[i]) return NaN;
    const z = (x - (this.mean[i] as number)) * (this.invStd[i] as number);
    return z > this.clip ? this.clip : Math.max(z, -this.clip);
  }

  /** The feature monitors' input: the quantile score where reference quantiles exist, else z. */
  score(i: number, x: number): number {
    const k = this.knots[i];
    return k ? (cdf(k, x) - 0.5) * SQRT12 : this.z(i, x);
  }

  toJSON(): StandardizerState {
    return {
      mean: Array.from(this.mean),
      std: Array.from(this.invStd, (v) => (v > 0 ? 1 / v : 0)),
      knots: this.knots.map((k) => (k ? Array.from(k) : null)),
      ready: Array.from(this.ready, Boolean),
      n: this.n,
      wMean: Array.from(this.wMean),
      wM2: Array.from(this.wM2),
    };
  }

  restore(s: StandardizerState): void {
    if (s.mean.length !== this.dim)
      throw new Error(`drift state: standardizer has ${s.mean.length} features, expected ${this.dim}`);
    this.n = s.n;
    this.pending = 0;
    for (let i = 0; i < this.dim; i++) {
      this.wMean[i] = s.wMean[i] ?? 0;
      this.wM2[i] = s.wM2[i] ?? 0;
      const k = s.knots[i];
      this.knots[i] = k ? Float64Array.from(k) : null;
      if (s.ready[i]) this.set(i, s.mean[i] ?? 0, s.std[i] ?? 1);
      else {
        this.ready[i] = 0;
        this.pending += 1;
      }
    }
  }

  private set(i: number, mean: number, std: number): void {
    this.mean[i] = mean;
    this.invStd[i] = 1 / Math.max(std, MIN_STD);
    this.ready[i] = 1;
  }
}

/** Reference CDF by linear interpolation between knots; ties (e.g. many zeros) get their mid-rank. */
function cdf(knots: Float64Array, x: number): number {
  const n = knots.length;
  if (!(x >= (knots[0] as number))) return Number.isNaN(x) ? NaN : 0;
  if (x > (knots[n - 1] as number)) return 1;
  let lo = 0; // first knot >= x
  let hi = n;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if ((knots[m] as number) < x) lo = m + 1;
    else hi = m;
  }
  let last = lo; // last knot <= x, when knots[lo] === x
  if ((knots[lo] as number) === x) {
    while (last + 1 < n && (knots[last + 1] as number) === x) last++;
    return ((KNOT_PROBS[lo] as number) + (KNOT_PROBS[last] as number)) / 2;
  }
  const x0 = knots[lo - 1] as number;
  const x1 = knots[lo] as number;
  const p0 = KNOT_PROBS[lo - 1] as number;
  return p0 + ((KNOT_PROBS[lo] as number) - p0) * ((x - x0) / (x1 - x0));
}
