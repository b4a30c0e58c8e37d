/**
 * EWMA control chart on the model's confidence (top-class probability), for label-free
 * monitoring on the device.
 *
 * z_t = λ·x_t + (1 − λ)·z_{t−1}, z_0 = μ0, with the exact time-varying limits
 *   σ_z(t) = σ0 · sqrt(λ/(2 − λ) · (1 − (1 − λ)^{2t})).
 * The statistic is (z_t − μ0)/σ_z(t); drift when it passes −driftLimit ('down', the default:
 * confidence dropped), +driftLimit ('up') or either ('both'); warning likewise at warningLimit.
 *
 * μ0/σ0 come from the model's reference profile (referenceMean/referenceStd) or, when those are
 * negative, from the first `warmup` samples (no alarms meanwhile).
 *
 * False alarms: for Gaussian input with the true μ0/σ0, z_t after a (re)start is exactly
 * N(μ0, σ_z(t)²), so each sample is beyond the drift limit with probability Φ(−driftLimit) and
 * the expected number of alarms in N samples is at most N·Φ(−driftLimit) (one-sided; twice that
 * for 'both'): 3.2 per 100k samples at the default limit 4 (simulated ARL0 ≈ 9·10⁴).
 *
 * After an alarm the chart restarts from μ0 and no new alarm fires for `cooldown` samples; the
 * reference is kept, so a persisting shift alarms again once the cooldown is over.
 */
import { checkChoice, checkNumber, resolveParams } from './params.ts';
import { checkEnvelope, restoreScalars, scalarState } from './serde.ts';
import type { DetectorResult, DetectorState, StreamDetector } from './types.ts';

export interface EwmaConfidenceParams {
  lambda: number;
  driftLimit: number;
  warningLimit: number;
  mode: string;
  referenceMean: number;
  referenceStd: number;
  warmup: number;
  cooldown: number;
}

export const EWMA_CONFIDENCE_DEFAULTS: Readonly<EwmaConfidenceParams> = {
  lambda: 0.05,
  driftLimit: 4,
  warningLimit: 3,
  mode: 'down',
  referenceMean: -1,
  referenceStd: -1,
  warmup: 500,
  cooldown: 500,
};

export const EWMA_CONFIDENCE_PARAM_DOCS: Readonly<Record<keyof EwmaConfidenceParams, string>> = {
  lambda: 'EWMA weight of the newest sample (0 < lambda <= 1)',
  driftLimit: 'drift when the EWMA is this many of its standard deviations from the reference mean',
  warningLimit: 'warning limit, in the same units (<= driftLimit)',
  mode: "'down' (confidence drops), 'up' or 'both'",
  referenceMean: 'reference mean confidence from the model profile; < 0 learns it during warmup',
  referenceStd: 'reference standard deviation of the confidence; < 0 learns it during warmup',
  warmup: 'samples used to learn the reference when it is not given (no alarms meanwhile)',
  cooldown: 'samples after an alarm during which no new alarm fires',
};

const MODES = ['down', 'up', 'both'] as const;
const MIN_STD = 1e-12; // a constant reference confidence would otherwise divide by zero

/** The scalar fields that make up the serialised state. */
const STATE_NUMBERS = ['mu0', 'sigma0', 'wN', 'wMean', 'wM2', 'z', 'decay2', 'cooldownLeft'] as const;
const STATE_FLAGS = ['learned'] as const;

export class EwmaConfidence implements StreamDetector<number> {
  readonly name = 'ewma-confidence' as const;
  readonly params: Readonly<EwmaConfidenceParams>;
  private readonly result: DetectorResult = { drift: false, warning: false, statistic: 0 };
  private readonly decayStep: number;

  private learned = false;
  private mu0 = 0;
  private sigma0 = 0;
  // Welford accumulators for the warm-up reference.
  private wN = 0;
  private wMean = 0;
  private wM2 = 0;

  private z = 0;
  private decay2 = 1; // (1 − λ)^{2t}
  private cooldownLeft = 0;

  constructor(params: Partial<EwmaConfidenceParams> = {}) {
    const p = resolveParams(this.name, EWMA_CONFIDENCE_DEFAULTS, params);
    checkNumber(this.name, 'lambda', p.lambda, { min: 0, max: 1, minExclusive: true });
    checkNumber(this.name, 'driftLimit', p.driftLimit, { min: 0, minExclusive: true });
    checkNumber(this.name, 'warningLimit', p.warningLimit, { min: 0, max: p.driftLimit, minExclusive: true });
    checkChoice(this.name, 'mode', p.mode, MODES);
    checkNumber(this.name, 'warmup', p.warmup, { min: 2, integer: true });
    checkNumber(this.name, 'cooldown', p.cooldown, { min: 0, integer: true });
    if (p.referenceMean < 0 !== p.referenceStd < 0) {
      throw new Error('Detector "ewma-confidence": give both referenceMean and referenceStd, or neither');
    }
    this.params = Object.freeze(p);
    this.decayStep = (1 - p.lambda) * (1 - p.lambda);
    this.reset();
  }

  /** Reference (μ0, σ0) in use, or null while it is still being learned. */
  get reference(): { mean: number; std: number } | null {
    return this.learned ? { mean: this.mu0, std: this.sigma0 } : null;
  }

  /** `x`: confidence of the prediction. Returns the detector-owned result object. */
  update(x: number): DetectorResult {
    const r = this.result;
    r.drift = false;
    r.warning = false;
    if (!this.learned) {
      this.wN += 1;
      const d = x - this.wMean;
      this.wMean += d / this.wN;
      this.wM2 += d * (x - this.wMean);
      if (this.wN >= this.params.warmup) this.setReference(this.wMean, Math.sqrt(this.wM2 / (this.wN - 1)));
      r.statistic = 0;
      return r;
    }

    const { lambda, driftLimit, warningLimit } = this.params;
    this.z = lambda * x + (1 - lambda) * this.z;
    this.decay2 *= this.decayStep;
    const sz = this.sigma0 * Math.sqrt((lambda / (2 - lambda)) * (1 - this.decay2));
    const stat = (this.z - this.mu0) / sz;

    r.statistic = stat;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft -= 1;
    } else if (this.beyond(stat, driftLimit)) {
      r.drift = true;
      this.restartChart();
      this.cooldownLeft = this.params.cooldown;
      return r;
    }
    r.warning = this.beyond(stat, warningLimit);
    return r;
  }

  private beyond(stat: number, limit: number): boolean {
    const mode = this.params.mode;
    return mode === 'down' ? stat < -limit : mode === 'up' ? stat > limit : Math.abs(stat) > limit;
  }

  private setReference(mean: number, std: number): void {
    this.mu0 = mean;
    this.sigma0 = Math.max(std, MIN_STD);
    this.learned = true;
    this.restartChart();
  }

  private restartChart(): void {
    this.z = this.mu0;
    this.decay2 = 1;
  }

  /** Forgets the chart, the cooldown and any learned reference (a given reference is kept). */
  reset(): void {
    this.learned = false;
    this.wN = 0;
    this.wMean = 0;
    this.wM2 = 0;
    this.cooldownLeft = 0;
    const { referenceMean, referenceStd } = this.params;
    if (referenceMean >= 0) this.setReference(referenceMean, referenceStd);
    else this.restartChart();
  }

  toJSON(): DetectorState {
    return scalarState(this, STATE_NUMBERS, STATE_FLAGS);
  }

  static fromJSON(state: DetectorState): EwmaConfidence {
    checkEnvelope(state, 'ewma-confidence');
    return restoreScalars(
      new EwmaConfidence(state.params as Partial<EwmaConfidenceParams>),
      state,
      STATE_NUMBERS,
      STATE_FLAGS,
    );
  }
}
