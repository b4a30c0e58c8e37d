/**
 * Page-Hinkley test, following River's `drift.PageHinkley` (two-sided, with forgetting factor).
 *
 * Per sample: the running mean x̄ is updated first, then
 *   S⁺ = α·S⁺ + (x − x̄) − δ,   S⁻ = α·S⁻ + (x − x̄) + δ
 * and the test statistics are S⁺ − min S⁺ (increase) and max S⁻ − S⁻ (decrease). Drift fires
 * once at least `minInstances` samples were seen and the tested statistic exceeds `threshold`.
 * Like River, the detector resets completely on the update *after* an alarm.
 */
import { checkChoice, checkNumber, resolveParams } from './params.ts';
import { checkEnvelope, restoreScalars, scalarState } from './serde.ts';
import type { DetectorResult, DetectorState, StreamDetector } from './types.ts';

export interface PageHinkleyParams {
  /** River `min_instances`: samples before the test may fire. */
  minInstances: number;
  /** River `delta`: magnitude of change tolerated. */
  delta: number;
  /** River `threshold` (λ). */
  threshold: number;
  /** River `alpha`: forgetting factor applied to the cumulative sums. */
  alpha: number;
  /** 'up' (increases), 'down' (decreases) or 'both'. */
  mode: string;
}

export const PAGE_HINKLEY_DEFAULTS: Readonly<PageHinkleyParams> = {
  minInstances: 30,
  delta: 0.005,
  threshold: 50,
  alpha: 1 - 0.0001,
  mode: 'both',
};

export const PAGE_HINKLEY_PARAM_DOCS: Readonly<Record<keyof PageHinkleyParams, string>> = {
  minInstances: 'samples before the test may fire (River min_instances)',
  delta: 'tolerated magnitude of change (River delta)',
  threshold: 'alarm threshold lambda on the cumulative statistic (River threshold)',
  alpha: 'forgetting factor of the cumulative sums (River alpha)',
  mode: "direction monitored: 'up', 'down' or 'both' (River mode)",
};

const MODES = ['up', 'down', 'both'] as const;

/** The scalar fields that make up the serialised state. */
const STATE_NUMBERS = ['n', 'mean', 'sumIncrease', 'sumDecrease', 'minIncrease', 'maxDecrease'] as const;
const STATE_FLAGS = ['driftDetected'] as const;

export class PageHinkley implements StreamDetector<number> {
  readonly name = 'page-hinkley' as const;
  readonly params: Readonly<PageHinkleyParams>;
  private readonly testUp: boolean;
  private readonly testDown: boolean;
  private readonly result: DetectorResult = { drift: false, warning: false, statistic: 0 };

  private n = 0;
  private mean = 0;
  private sumIncrease = 0;
  private sumDecrease = 0;
  private minIncrease = Infinity;
  // River starts this at -1; the first S⁻ equals δ, so any value below δ behaves the same.
  private maxDecrease = -1;
  private driftDetected = false;

  constructor(params: Partial<PageHinkleyParams> = {}) {
    const p = resolveParams(this.name, PAGE_HINKLEY_DEFAULTS, params);
    checkNumber(this.name, 'minInstances', p.minInstances, { min: 0, integer: true });
    checkNumber(this.name, 'delta', p.delta, { min: 0 });
    checkNumber(this.name, 'threshold', p.threshold, { min: 0, minExclusive: true });
    checkNumber(this.name, 'alpha', p.alpha, { min: 0, max: 1 });
    checkChoice(this.name, 'mode', p.mode, MODES);
    this.params = Object.freeze(p);
    this.testUp = p.mode !== 'down';
    this.testDown = p.mode !== 'up';
  }

  get sampleCount(): number {
    return this.n;
  }

  get estimation(): number {
    return this.mean;
  }

  /** Returns the detector-owned result object (overwritten on the next call). */
  update(x: number): DetectorResult {
    if (this.driftDetected) this.reset();
    const { alpha, delta, threshold, minInstances } = this.params;

    // River's stats.Mean: n += 1; mean += (1 / n) * (x - mean) — same operation order.
    this.n += 1;
    this.mean += (1 / this.n) * (x - this.mean);
    const dev = x - this.mean;

    this.sumIncrease = alpha * this.sumIncrease + dev - delta;
    this.sumDecrease = alpha * this.sumDecrease + dev + delta;
    if (this.sumIncrease < this.minIncrease) this.minIncrease = this.sumIncrease;
    if (this.sumDecrease > this.maxDecrease) this.maxDecrease = this.sumDecrease;

    const up = this.sumIncrease - this.minIncrease;
    const down = this.maxDecrease - this.sumDecrease;
    if (this.n >= minInstances) {
      this.driftDetected = (this.testUp && up > threshold) || (this.testDown && down > threshold);
    }

    const r = this.result;
    r.drift = this.driftDetected;
    r.warning = false;
    r.statistic = this.testUp && this.testDown ? Math.max(up, down) : this.testUp ? up : down;
    return r;
  }

  reset(): void {
    this.n = 0;
    this.mean = 0;
    this.sumIncrease = 0;
    this.sumDecrease = 0;
    this.minIncrease = Infinity;
    this.maxDecrease = -1;
    this.driftDetected = false;
  }

  toJSON(): DetectorState {
    return scalarState(this, STATE_NUMBERS, STATE_FLAGS);
  }

  static fromJSON(state: DetectorState): PageHinkley {
    checkEnvelope(state, 'page-hinkley');
    return restoreScalars(
      new PageHinkley(state.params as Partial<PageHinkleyParams>),
      state,
      STATE_NUMBERS,
      STATE_FLAGS,
    );
  }
}
