/**
 * DDM (Gama et al. 2004), following River's `drift.binary.DDM`.
 *
 * Input is an error stream: 1 = error, 0 = correct. With p the running error rate and
 * s = sqrt(p(1 − p)/n), once n > warmStart the minimum of p + s is tracked (p_min, s_min) and
 *   warning when p + s > p_min + warningThreshold·s_min,
 *   drift   when p + s > p_min + driftThreshold·s_min (warning is then cleared).
 * Everything resets on the update after a drift.
 */
import { checkNumber, resolveParams } from './params.ts';
import { checkEnvelope, restoreScalars, scalarState } from './serde.ts';
import type { DetectorResult, DetectorState, StreamDetector } from './types.ts';

export interface DdmParams {
  /** River `warm_start`: samples before the detector may signal. */
  warmStart: number;
  /** River `warning_threshold` (in units of s_min). */
  warningThreshold: number;
  /** River `drift_threshold` (in units of s_min). */
  driftThreshold: number;
}

export const DDM_DEFAULTS: Readonly<DdmParams> = { warmStart: 30, warningThreshold: 2, driftThreshold: 3 };

export const DDM_PARAM_DOCS: Readonly<Record<keyof DdmParams, string>> = {
  warmStart: 'samples before a warning or drift may be signalled (River warm_start)',
  warningThreshold: 'warning when p+s exceeds p_min + this * s_min (River warning_threshold)',
  driftThreshold: 'drift when p+s exceeds p_min + this * s_min (River drift_threshold)',
};

/** The scalar fields that make up the serialised state. */
const STATE_NUMBERS = ['n', 'p', 'pMin', 'sMin', 'psMin'] as const;
const STATE_FLAGS = ['driftDetected', 'warningDetected'] as const;

export class Ddm implements StreamDetector<number> {
  readonly name = 'ddm' as const;
  readonly params: Readonly<DdmParams>;
  private readonly result: DetectorResult = { drift: false, warning: false, statistic: 0 };

  private n = 0;
  private p = 0;
  private pMin = Infinity;
  private sMin = Infinity;
  private psMin = Infinity;
  private driftDetected = false;
  private warningDetected = false;

  constructor(params: Partial<DdmParams> = {}) {
    const p = resolveParams(this.name, DDM_DEFAULTS, params);
    checkNumber(this.name, 'warmStart', p.warmStart, { min: 0, integer: true });
    checkNumber(this.name, 'warningThreshold', p.warningThreshold, { min: 0 });
    checkNumber(this.name, 'driftThreshold', p.driftThreshold, { min: 0 });
    this.params = Object.freeze(p);
  }

  /** Current error-rate estimate. */
  get errorRate(): number {
    return this.p;
  }

  /** `x`: 1 for an error, 0 for a correct prediction. Returns the detector-owned result object. */
  update(x: number): DetectorResult {
    if (this.driftDetected) this.reset();
    const { warmStart, warningThreshold, driftThreshold } = this.params;

    this.n += 1;
    this.p += (1 / this.n) * (x - this.p);
    const pi = this.p;
    const si = Math.sqrt((pi * (1 - pi)) / this.n);

    if (this.n > warmStart) {
      if (pi + si <= this.psMin) {
        this.pMin = pi;
        this.sMin = si;
        this.psMin = this.pMin + this.sMin;
      }
      this.warningDetected = pi + si > this.pMin + warningThreshold * this.sMin;
      if (pi + si > this.pMin + driftThreshold * this.sMin) {
        this.driftDetected = true;
        this.warningDetected = false;
      }
    }

    const r = this.result;
    r.drift = this.driftDetected;
    r.warning = this.warningDetected;
    r.statistic = pi + si;
    return r;
  }

  reset(): void {
    this.n = 0;
    this.p = 0;
    this.pMin = Infinity;
    this.sMin = Infinity;
    this.psMin = Infinity;
    this.driftDetected = false;
    this.warningDetected = false;
  }

  toJSON(): DetectorState {
    return scalarState(this, STATE_NUMBERS, STATE_FLAGS);
  }

  static fromJSON(state: DetectorState): Ddm {
    checkEnvelope(state, 'ddm');
    return restoreScalars(new Ddm(state.params as Partial<DdmParams>), state, STATE_NUMBERS, STATE_FLAGS);
  }
}
