import type { ValueSummary } from '../types.ts';

/**
 * Running mean/std (Welford) and an equal-width histogram over [lo, hi] of one per-inference
 * quantity (confidence, margin, entropy). Values outside the range land in the edge bins.
 */
export class ValueStats {
  private readonly bins: Float64Array;
  private scale: number;
  count = 0;
  private mean = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;

  constructor(
    private readonly lo: number,
    private hi: number,
    bins = 20,
  ) {
    this.bins = new Float64Array(bins);
    this.scale = bins / (hi - lo);
  }

  /** Changes the upper bound (e.g. entropy's ln K once K is known); only while still empty. */
  setUpper(hi: number): void {
    if (this.count > 0 || !(hi > this.lo)) return;
    this.hi = hi;
    this.scale = this.bins.length / (hi - this.lo);
  }

  add(x: number): void {
    if (!Number.isFinite(x)) return;
    this.count += 1;
    const d = x - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    let i = Math.floor((x - this.lo) * this.scale);
    if (i < 0) i = 0;
    else if (i >= this.bins.length) i = this.bins.length - 1;
    this.bins[i] = (this.bins[i] as number) + 1;
  }

  summary(): ValueSummary {
    const empty = this.count === 0;
    return {
      count: this.count,
      mean: empty ? null : this.mean,
      std: this.count < 2 ? null : Math.sqrt(this.m2 / (this.count - 1)),
      min: empty ? null : this.min,
      max: empty ? null : this.max,
      histogram: { lo: this.lo, hi: this.hi, counts: Array.from(this.bins) },
    };
  }
}
