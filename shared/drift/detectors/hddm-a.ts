/**
 * HDDM_A (Frías-Blanco et al. 2014, A-test with Hoeffding bounds), following River's
 * `drift.binary.HDDMA` (itself a port of MOA).
 *
 * Input is an error stream: 1 = error, 0 = correct. Z is the running mean of all samples; the
 * cut point X_min is the prefix of the stream whose mean plus Hoeffding bound ε = sqrt(ln(1/δ)/2n)
 * was smallest (X_max: mean minus bound largest). With n_z samples and n_x in the cut prefix,
 *   increase test: Z̄ − X̄_min ≥ sqrt(m/2 · ln(2/conf)),  m = (n_z − n_x)/n_x · 1/n_z
 * evaluated with conf = driftConfidence (drift) and warningConfidence (warning); the decrease
 * test mirrors it when `twoSidedTest`. Everything resets on the update after a drift.
 */
import { checkNumber, resolveParams } from './params.ts';
import { checkEnvelope, restoreScalars, scalarState } from './serde.ts';
import type { DetectorResult, DetectorState, StreamDetector } from './types.ts';

export interface HddmAParams {
  /** River `drift_confidence`. */
  driftConfidence: number;
  /** River `warning_confidence`. */
  warningConfidence: number;
  /** River `two_sided_test`: also signal decreases of the error rate. */
  twoSidedTest: boolean;
}

export const HDDM_A_DEFAULTS: Readonly<HddmAParams> = {
  driftConfidence: 0.001,
  warningConfidence: 0.005,
  twoSidedTest: false,
};

export const HDDM_A_PARAM_DOCS: Readonly<Record<keyof HddmAParams, string>> = {
  driftConfidence: 'confidence of the drift test (River drift_confidence)',
  warningConfidence: 'confidence of the warning test (River warning_confidence)',
  twoSidedTest: 'also monitor decreases of the error rate (River two_sided_test)',
};

/** The scalar fields that make up the serialised state. */
const STATE_NUMBERS = ['zN', 'zMean', 'minN', 'minMean', 'maxN', 'maxMean'] as const;
const STATE_FLAGS = ['driftDetected', 'warningDetected'] as const;

export class HddmA implements StreamDetector<number> {
  readonly name = 'hddm-a' as const;
  readonly params: Readonly<HddmAParams>;
  private readonly result: DetectorResult = { drift: false, warning: false, statistic: 0 };

  // Each River stats.Mean is flattened into (n, mean); "clone" copies both fields.
  private zN = 0;
  private zMean = 0;
  private minN = 0;
  private minMean = 0;
  private maxN = 0;
  private maxMean = 0;
  private driftDetected = false;
  private warningDetected = false;

  constructor(params: Partial<HddmAParams> = {}) {
    const p = resolveParams(this.name, HDDM_A_DEFAULTS, params);
    checkNumber(this.name, 'driftConfidence', p.driftConfidence, { min: 0, max: 1, minExclusive: true });
    checkNumber(this.name, 'warningConfidence', p.warningConfidence, { min: 0, max: 1, minExclusive: true });
    this.params = Object.freeze(p);
  }

  /** `x`: 1 for an error, 0 for a correct prediction. Returns the detector-owned result object. */
  update(x: number): DetectorResult {
    if (this.driftDetected) this.reset();
    const { driftConfidence, warningConfidence, twoSidedTest } = this.params;

    this.zN += 1;
    this.zMean += (1 / this.zN) * (x - this.zMean);
    if (this.minN === 0) {
      this.minN = this.zN;
      this.minMean = this.zMean;
    }
    if (this.maxN === 0) {
      this.maxN = this.zN;
      this.maxMean = this.zMean;
    }

    const epsZ = this.hoeffding(this.zN);
    let epsX = this.hoeffding(this.minN);
    if (this.minMean + epsX >= this.zMean + epsZ) {
      this.minN = this.zN;
      this.minMean = this.zMean;
    }
    epsX = this.hoeffding(this.maxN);
    if (this.maxMean - epsX <= this.zMean - epsZ) {
      this.maxN = this.zN;
      this.maxMean = this.zMean;
    }

    if (this.meanIncreased(driftConfidence)) {
      this.warningDetected = false;
      this.driftDetected = true;
    } else if (this.meanIncreased(warningConfidence)) {
      this.warningDetected = true;
      this.driftDetected = false;
    } else {
      this.warningDetected = false;
      this.driftDetected = false;
    }
    if (twoSidedTest) {
      if (this.meanDecreased(driftConfidence)) this.driftDetected = true;
      else if (this.meanDecreased(warningConfidence)) this.warningDetected = true;
    }

    const r = this.result;
    r.drift = this.driftDetected;
    r.warning = this.warningDetected;
    r.statistic = twoSidedTest
      ? Math.max(this.zMean - this.minMean, this.maxMean - this.zMean)
      : this.zMean - this.minMean;
    return r;
  }

  private hoeffding(n: number): number {
    return Math.sqrt((1 / (2 * n)) * Math.log(1 / this.params.driftConfidence));
  }

  private meanIncreased(confidence: number): boolean {
    if (this.minN === this.zN) return false;
    const m = ((this.zN - this.minN) / this.minN) * (1 / this.zN);
    const eps = Math.sqrt((m / 2) * Math.log(2 / confidence));
    return this.zMean - this.minMean >= eps;
  }

  private meanDecreased(confidence: number): boolean {
    if (this.maxN === this.zN) return false;
    const m = ((this.zN - this.maxN) / this.maxN) * (1 / this.zN);
    const eps = Math.sqrt((m / 2) * Math.log(2 / confidence));
    return this.maxMean - this.zMean >= eps;
  }

  reset(): void {
    this.zN = 0;
    this.zMean = 0;
    this.minN = 0;
    this.minMean = 0;
    this.maxN = 0;
    this.maxMean = 0;
    this.driftDetected = false;
    this.warningDetected = false;
  }

  toJSON(): DetectorState {
    return scalarState(this, STATE_NUMBERS, STATE_FLAGS);
  }

  static fromJSON(state: DetectorState): HddmA {
    checkEnvelope(state, 'hddm-a');
    return restoreScalars(new HddmA(state.params as Partial<HddmAParams>), state, STATE_NUMBERS, STATE_FLAGS);
  }
}
