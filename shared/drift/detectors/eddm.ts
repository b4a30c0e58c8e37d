/**
 * EDDM (Baena-García et al. 2006), following River's `drift.binary.EDDM`.
 *
 * Input is an error stream: 1 = error, anything else = correct (River tests `x == 1`). On each
 * error the distance (in samples) since the previous error feeds a running mean p' and sample
 * standard deviation s'. Once more than `warmStart` samples were seen, the maximum of p' + 2s'
 * is tracked; when the current value does not set a new maximum and more than `warmStart`
 * errors were seen, level = (p' + 2s') / max gives
 *   drift when level < beta, else warning when level < alpha (warning is sticky otherwise,
 *   exactly as in River: it only changes on errors).
 * Everything resets on the update after a drift.
 */
import { checkNumber, resolveParams } from './params.ts';
import { checkEnvelope, restoreScalars, scalarState } from './serde.ts';
import type { DetectorResult, DetectorState, StreamDetector } from './types.ts';

export interface EddmParams {
  /** River `warm_start`: samples and errors required before signalling. */
  warmStart: number;
  /** River `alpha`: warning level. */
  alpha: number;
  /** River `beta`: drift level. */
  beta: number;
}

export const EDDM_DEFAULTS: Readonly<EddmParams> = { warmStart: 30, alpha: 0.95, beta: 0.9 };

export const EDDM_PARAM_DOCS: Readonly<Record<keyof EddmParams, string>> = {
  warmStart: 'samples and errors required before signalling (River warm_start)',
  alpha: 'warning when (p+2s)/max falls below alpha (River alpha)',
  beta: 'drift when (p+2s)/max falls below beta; beta <= alpha (River beta)',
};

/** The scalar fields that make up the serialised state. */
const STATE_NUMBERS = ['n', 'lastError', 'nErrors', 'distN', 'distMean', 'distS', 'p2sMax', 'level'] as const;
const STATE_FLAGS = ['driftDetected', 'warningDetected'] as const;

export class Eddm implements StreamDetector<number> {
  readonly name = 'eddm' as const;
  readonly params: Readonly<EddmParams>;
  private readonly result: DetectorResult = { drift: false, warning: false, statistic: 1 };

  private n = 0;
  private lastError = 0;
  private nErrors = 0;
  // River's stats.Var(ddof=1) over error distances: count, mean and sum of squared deviations.
  private distN = 0;
  private distMean = 0;
  private distS = 0;
  private p2sMax = -1;
  private level = 1;
  private driftDetected = false;
  private warningDetected = false;

  constructor(params: Partial<EddmParams> = {}) {
    const p = resolveParams(this.name, EDDM_DEFAULTS, params);
    checkNumber(this.name, 'warmStart', p.warmStart, { min: 0, integer: true });
    checkNumber(this.name, 'alpha', p.alpha, { min: 0, max: 1 });
    checkNumber(this.name, 'beta', p.beta, { min: 0, max: 1 });
    if (p.alpha < p.beta) throw new Error(`Detector "eddm": alpha (${p.alpha}) must be >= beta (${p.beta})`);
    this.params = Object.freeze(p);
  }

  /** `x`: 1 for an error, 0 for a correct prediction. Returns the detector-owned result object. */
  update(x: number): DetectorResult {
    if (this.driftDetected) this.reset();
    const { warmStart, alpha, beta } = this.params;
    this.n += 1;

    if (x === 1) {
      this.nErrors += 1;
      const dist = this.n - this.lastError;
      const meanOld = this.distMean;
      this.distN += 1;
      this.distMean += (1 / this.distN) * (dist - this.distMean);
      this.distS += (dist - meanOld) * (dist - this.distMean);

      if (this.n > warmStart) {
        const piPrime = this.distMean;
        const variance = this.distN > 1 ? this.distS / (this.distN - 1) : 0;
        const siPrime = Math.sqrt(variance);
        const p2s = piPrime + 2 * siPrime;
        if (p2s > this.p2sMax) {
          this.p2sMax = p2s;
        } else if (this.nErrors > warmStart) {
          this.level = p2s / this.p2sMax;
          if (this.level < beta) this.driftDetected = true;
          else if (this.level < alpha) this.warningDetected = true;
          else this.warningDetected = false;
        }
      }
      this.lastError = this.n;
    }

    const r = this.result;
    r.drift = this.driftDetected;
    r.warning = this.warningDetected;
    r.statistic = this.level;
    return r;
  }

  reset(): void {
    this.n = 0;
    this.lastError = 0;
    this.nErrors = 0;
    this.distN = 0;
    this.distMean = 0;
    this.distS = 0;
    this.p2sMax = -1;
    this.level = 1;
    this.driftDetected = false;
    this.warningDetected = false;
  }

  toJSON(): DetectorState {
    return scalarState(this, STATE_NUMBERS, STATE_FLAGS);
  }

  static fromJSON(state: DetectorState): Eddm {
    checkEnvelope(state, 'eddm');
    return restoreScalars(new Eddm(state.params as Partial<EddmParams>), state, STATE_NUMBERS, STATE_FLAGS);
  }
}
