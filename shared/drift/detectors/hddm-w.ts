/**
 * HDDM_W (Frías-Blanco et al. 2014, W-test with McDiarmid bounds over EWMAs), following River's
 * `drift.binary.HDDMW` (a port of MOA).
 *
 * Input is an error stream: 1 = error, 0 = correct. Each "sample info" is an EWMA (River
 * stats.EWMean, fading factor λ) plus its independent-bound coefficient
 * ibc ← λ² + (1 − λ)²·ibc. The total EWMA defines a cut point: whenever total + ε(total) reaches a
 * new minimum, the total is copied into S1 and S2 restarts; otherwise the sample goes into S2.
 * Drift (warning) when S2 − S1 > sqrt((ibc₁ + ibc₂)·ln(1/conf)/2) at the drift (warning)
 * confidence; the decrease side mirrors it when `twoSidedTest`. Resets on the update after a drift.
 *
 * River's EWMean treats a mean of exactly 0 as "not started" and takes the next value as is;
 * that quirk changes the numbers on error streams that begin with zeros, so it is kept.
 */
import { checkNumber, resolveParams } from './params.ts';
import { checkEnvelope, decArrayInto, encArray, restoreScalars, scalarState } from './serde.ts';
import type { DetectorResult, DetectorState, StreamDetector } from './types.ts';

export interface HddmWParams {
  /** River `drift_confidence`. */
  driftConfidence: number;
  /** River `warning_confidence`. */
  warningConfidence: number;
  /** River `lambda_val`: EWMA weight of the newest sample. */
  lambda: number;
  /** River `two_sided_test`. */
  twoSidedTest: boolean;
}

export const HDDM_W_DEFAULTS: Readonly<HddmWParams> = {
  driftConfidence: 0.001,
  warningConfidence: 0.005,
  lambda: 0.05,
  twoSidedTest: false,
};

export const HDDM_W_PARAM_DOCS: Readonly<Record<keyof HddmWParams, string>> = {
  driftConfidence: 'confidence of the drift test (River drift_confidence)',
  warningConfidence: 'confidence of the warning test (River warning_confidence)',
  lambda: 'EWMA weight given to the newest sample (River lambda_val)',
  twoSidedTest: 'also monitor decreases of the error rate (River two_sided_test)',
};

/** River's SampleInfo as three numbers in a Float64Array slot: [ewma, ibc, isInit(0|1)]. */
const EWMA = 0;
const IBC = 1;
const INIT = 2;
const TOTAL = 0;
const S1_INCR = 3;
const S2_INCR = 6;
const S1_DECR = 9;
const S2_DECR = 12;
const INPUT = 15; // current sample, kept here so helpers take no double arguments (no boxing)

/** The scalar fields that make up the serialised state (besides info[0..INPUT)). */
const STATE_NUMBERS = ['incrCutpoint', 'decrCutpoint'] as const;
const STATE_FLAGS = ['driftDetected', 'warningDetected'] as const;

export class HddmW implements StreamDetector<number> {
  readonly name = 'hddm-w' as const;
  readonly params: Readonly<HddmWParams>;
  private readonly result: DetectorResult = { drift: false, warning: false, statistic: 0 };
  private readonly lambdaSq: number;
  private readonly cLambdaSq: number;

  private readonly info = new Float64Array(16);
  private readonly logInvDrift: number;
  private readonly logInvWarning: number;
  private incrCutpoint = Infinity;
  private decrCutpoint = -Infinity;
  private driftDetected = false;
  private warningDetected = false;

  constructor(params: Partial<HddmWParams> = {}) {
    const p = resolveParams(this.name, HDDM_W_DEFAULTS, params);
    checkNumber(this.name, 'driftConfidence', p.driftConfidence, { min: 0, max: 1, minExclusive: true });
    checkNumber(this.name, 'warningConfidence', p.warningConfidence, { min: 0, max: 1, minExclusive: true });
    checkNumber(this.name, 'lambda', p.lambda, { min: 0, max: 1 });
    this.params = Object.freeze(p);
    this.lambdaSq = p.lambda * p.lambda;
    this.cLambdaSq = (1 - p.lambda) ** 2;
    this.logInvDrift = Math.log(1 / p.driftConfidence);
    this.logInvWarning = Math.log(1 / p.warningConfidence);
    this.reset();
  }

  /** `x`: 1 for an error, 0 for a correct prediction. Returns the detector-owned result object. */
  update(x: number): DetectorResult {
    if (this.driftDetected) this.reset();
    const s = this.info;
    s[INPUT] = x;
    this.updateInfo(TOTAL);

    // McDiarmid bound sqrt(ibc·ln(1/conf)/2), written out because helper calls with double
    // arguments or results would box them on every sample.
    let eps = Math.sqrt(((s[TOTAL + IBC] as number) * this.logInvDrift) / 2);
    if ((s[TOTAL + EWMA] as number) + eps < this.incrCutpoint) {
      this.incrCutpoint = (s[TOTAL + EWMA] as number) + eps;
      s.copyWithin(S1_INCR, TOTAL, TOTAL + 3);
      this.clearInfo(S2_INCR);
    } else {
      this.updateInfo(S2_INCR);
    }
    if (this.meanChanged(S1_INCR, S2_INCR, true)) {
      this.warningDetected = false;
      this.driftDetected = true;
    } else if (this.meanChanged(S1_INCR, S2_INCR, false)) {
      this.warningDetected = true;
      this.driftDetected = false;
    } else {
      this.warningDetected = false;
      this.driftDetected = false;
    }

    eps = Math.sqrt(((s[TOTAL + IBC] as number) * this.logInvDrift) / 2);
    if ((s[TOTAL + EWMA] as number) - eps > this.decrCutpoint) {
      this.decrCutpoint = (s[TOTAL + EWMA] as number) - eps;
      s.copyWithin(S1_DECR, TOTAL, TOTAL + 3);
      this.clearInfo(S2_DECR);
    } else {
      this.updateInfo(S2_DECR);
    }
    const twoSided = this.params.twoSidedTest;
    if (twoSided) {
      if (this.meanChanged(S2_DECR, S1_DECR, true)) this.driftDetected = true;
      else if (this.meanChanged(S2_DECR, S1_DECR, false)) this.warningDetected = true;
    }

    const r = this.result;
    r.drift = this.driftDetected;
    r.warning = this.warningDetected;
    const incrReady = s[S1_INCR + INIT] === 1 && s[S2_INCR + INIT] === 1;
    let stat = incrReady ? (s[S2_INCR + EWMA] as number) - (s[S1_INCR + EWMA] as number) : 0;
    if (twoSided && s[S1_DECR + INIT] === 1 && s[S2_DECR + INIT] === 1) {
      stat = Math.max(stat, (s[S1_DECR + EWMA] as number) - (s[S2_DECR + EWMA] as number));
    }
    r.statistic = stat;
    return r;
  }

  /** River's SampleInfo.update with the sample in info[INPUT]. */
  private updateInfo(at: number): void {
    const s = this.info;
    const x = s[INPUT] as number;
    const mean = s[at + EWMA] as number;
    const l = this.params.lambda;
    s[at + EWMA] = mean === 0 ? x : l * x + (1 - l) * mean;
    s[at + INIT] = 1;
    s[at + IBC] = this.lambdaSq + this.cLambdaSq * (s[at + IBC] as number);
  }

  private clearInfo(at: number): void {
    this.info[at + EWMA] = 0;
    this.info[at + IBC] = 1;
    this.info[at + INIT] = 0;
  }

  /** River's _has_mean_changed(first, second, drift ? drift_confidence : warning_confidence). */
  private meanChanged(first: number, second: number, drift: boolean): boolean {
    const s = this.info;
    if (s[first + INIT] !== 1 || s[second + INIT] !== 1) return false;
    const ibcSum = (s[first + IBC] as number) + (s[second + IBC] as number);
    const bound = Math.sqrt((ibcSum * (drift ? this.logInvDrift : this.logInvWarning)) / 2);
    return (s[second + EWMA] as number) - (s[first + EWMA] as number) > bound;
  }

  reset(): void {
    for (let at = TOTAL; at <= S2_DECR; at += 3) this.clearInfo(at);
    this.incrCutpoint = Infinity;
    this.decrCutpoint = -Infinity;
    this.driftDetected = false;
    this.warningDetected = false;
  }

  toJSON(): DetectorState {
    return scalarState(this, STATE_NUMBERS, STATE_FLAGS, { info: encArray(this.info, INPUT) });
  }

  static fromJSON(state: DetectorState): HddmW {
    checkEnvelope(state, 'hddm-w');
    const d = new HddmW(state.params as Partial<HddmWParams>);
    const info = state.state.info;
    if (!Array.isArray(info) || info.length !== INPUT) throw new Error('hddm-w state "info" must have 15 numbers');
    decArrayInto(info, d.info, 'info');
    return restoreScalars(d, state, STATE_NUMBERS, STATE_FLAGS);
  }
}
