/**
 * Prediction-distribution monitor: compares the predicted-class counts of a sliding window with a
 * reference class distribution (from the model's reference profile, or learned from the first
 * `windowSize` predictions).
 *
 * When the window fills and then every `stride` samples, it computes the Jensen-Shannon distance
 * (base 2) between window and reference and the chi-square test of homogeneity of the window
 * counts against the reference counts (reference probabilities × referenceSize). Drift needs both
 * evidence and effect: p < alpha and JS distance > jsThreshold. Warning: p < warningAlpha.
 *
 * False alarms: under a stationary stream each test's p-value is (approximately, conservatively
 * when the reference is exact) uniform, so the expected number of alarms is at most
 * alpha · (number of tests) = alpha · N / stride: 2 per 100k samples with the defaults, before the
 * JS threshold removes most of them.
 *
 * After an alarm no new alarm fires for `cooldown` samples; window and reference are kept, so a
 * persisting shift alarms again after the cooldown. Per sample O(1); per test O(numClasses).
 */
import { chiSquareHomogeneity, jensenShannonDistance } from '../stats/index.ts';
import { checkNumber, resolveParams } from './params.ts';
import { checkEnvelope, decArrayInto, encArray, restoreScalars, scalarState } from './serde.ts';
import type { DetectorResult, DetectorState, StreamDetector } from './types.ts';

export interface PredictionDistributionParams {
  numClasses: number;
  reference: string;
  referenceSize: number;
  windowSize: number;
  stride: number;
  alpha: number;
  warningAlpha: number;
  jsThreshold: number;
  cooldown: number;
}

export const PREDICTION_DISTRIBUTION_DEFAULTS: Readonly<PredictionDistributionParams> = {
  numClasses: 0,
  reference: '',
  referenceSize: 10000,
  windowSize: 500,
  stride: 50,
  alpha: 0.001,
  warningAlpha: 0.01,
  jsThreshold: 0.1,
  cooldown: 500,
};

export const PREDICTION_DISTRIBUTION_PARAM_DOCS: Readonly<Record<keyof PredictionDistributionParams, string>> = {
  numClasses: 'number of classes; 0 takes it from the reference',
  reference:
    "reference class probabilities, comma separated ('0.5,0.3,0.2'); '' learns them from the first windowSize predictions",
  referenceSize: 'number of samples behind a given reference; scales it into counts for the chi-square test',
  windowSize: 'predictions in the sliding window',
  stride: 'run the tests every stride samples once the window is full',
  alpha: 'drift needs a chi-square p-value below alpha',
  warningAlpha: 'warning when the p-value is below warningAlpha',
  jsThreshold: 'drift also needs a Jensen-Shannon distance (base 2, 0..1) above this',
  cooldown: 'samples after an alarm during which no new alarm fires',
};

/** The scalar fields that make up the serialised state (besides refCounts and window). */
const STATE_NUMBERS = ['warmupSeen', 'filled', 'head', 'sinceTest', 'cooldownLeft', 'lastJs', 'lastP'] as const;
const STATE_FLAGS = ['learned'] as const;

export class PredictionDistribution implements StreamDetector<number> {
  readonly name = 'prediction-distribution' as const;
  readonly params: Readonly<PredictionDistributionParams>;
  private readonly result: DetectorResult = { drift: false, warning: false, statistic: 0 };
  private readonly numClasses: number;
  private readonly window: Int32Array;
  private readonly counts: Float64Array;
  private readonly refCounts: Float64Array;
  private readonly givenReference: Float64Array | null;

  private learned = false;
  private warmupSeen = 0;
  private filled = 0;
  private head = 0;
  private sinceTest = 0;
  private cooldownLeft = 0;
  private lastJs = 0;
  private lastP = 1;

  constructor(params: Partial<PredictionDistributionParams> = {}) {
    const p = resolveParams(this.name, PREDICTION_DISTRIBUTION_DEFAULTS, params);
    const ref = p.reference.trim() === '' ? null : parseReference(p.reference);
    const k = p.numClasses === 0 && ref ? ref.length : p.numClasses;
    checkNumber(this.name, 'numClasses', k, { min: 2, integer: true });
    if (ref && ref.length !== k) {
      throw new Error(`Detector "prediction-distribution": reference has ${ref.length} classes, numClasses is ${k}`);
    }
    checkNumber(this.name, 'referenceSize', p.referenceSize, { min: 0, minExclusive: true });
    checkNumber(this.name, 'windowSize', p.windowSize, { min: 2, integer: true });
    checkNumber(this.name, 'stride', p.stride, { min: 1, integer: true });
    checkNumber(this.name, 'alpha', p.alpha, { min: 0, max: 1 });
    checkNumber(this.name, 'warningAlpha', p.warningAlpha, { min: 0, max: 1 });
    checkNumber(this.name, 'jsThreshold', p.jsThreshold, { min: 0, max: 1 });
    checkNumber(this.name, 'cooldown', p.cooldown, { min: 0, integer: true });
    this.params = Object.freeze(p);
    this.numClasses = k;
    this.window = new Int32Array(p.windowSize);
    this.counts = new Float64Array(k);
    this.refCounts = new Float64Array(k);
    this.givenReference = ref;
    this.reset();
  }

  /** Reference class probabilities in use, or null while they are still being learned. */
  get referenceDistribution(): number[] | null {
    if (!this.learned) return null;
    const total = this.refCounts.reduce((a, b) => a + b, 0);
    return Array.from(this.refCounts, (c) => c / total);
  }

  /** p-value of the last chi-square test (1 before the first test). */
  get pValue(): number {
    return this.lastP;
  }

  /** `x`: predicted class index in [0, numClasses). Returns the detector-owned result object. */
  update(x: number): DetectorResult {
    if (!Number.isInteger(x) || x < 0 || x >= this.numClasses) {
      throw new RangeError(`prediction-distribution expects a class index in [0, ${this.numClasses}), got ${x}`);
    }
    const r = this.result;
    r.drift = false;
    r.warning = false;
    if (!this.learned) {
      this.refCounts[x] = (this.refCounts[x] as number) + 1;
      this.warmupSeen += 1;
      if (this.warmupSeen >= this.params.windowSize) this.learned = true;
      r.statistic = 0;
      return r;
    }

    const size = this.params.windowSize;
    if (this.filled === size) {
      const old = this.window[this.head] as number;
      this.counts[old] = (this.counts[old] as number) - 1;
    } else {
      this.filled += 1;
    }
    this.window[this.head] = x;
    this.counts[x] = (this.counts[x] as number) + 1;
    this.head = (this.head + 1) % size;
    if (this.cooldownLeft > 0) this.cooldownLeft -= 1;

    if (this.filled === size) {
      // Test on the sample that fills the window, then every `stride` samples.
      const due = this.sinceTest === 0;
      this.sinceTest = (this.sinceTest + 1) % this.params.stride;
      if (due) {
        this.lastJs = jensenShannonDistance(this.counts, this.refCounts);
        this.lastP = chiSquareHomogeneity(this.counts, this.refCounts).pValue;
        if (this.cooldownLeft === 0 && this.lastP < this.params.alpha && this.lastJs > this.params.jsThreshold) {
          r.drift = true;
          this.cooldownLeft = this.params.cooldown;
        } else {
          r.warning = this.lastP < this.params.warningAlpha;
        }
      }
    }
    r.statistic = this.lastJs;
    return r;
  }

  /** Empties the window and cooldown; a learned reference is forgotten, a given one is kept. */
  reset(): void {
    this.window.fill(0);
    this.counts.fill(0);
    this.filled = 0;
    this.head = 0;
    this.sinceTest = 0;
    this.cooldownLeft = 0;
    this.lastJs = 0;
    this.lastP = 1;
    this.warmupSeen = 0;
    if (this.givenReference) {
      for (let i = 0; i < this.numClasses; i++) {
        this.refCounts[i] = (this.givenReference[i] as number) * this.params.referenceSize;
      }
      this.learned = true;
    } else {
      this.refCounts.fill(0);
      this.learned = false;
    }
  }

  toJSON(): DetectorState {
    return scalarState(this, STATE_NUMBERS, STATE_FLAGS, {
      refCounts: encArray(this.refCounts),
      window: encArray(this.window),
    });
  }

  static fromJSON(state: DetectorState): PredictionDistribution {
    checkEnvelope(state, 'prediction-distribution');
    const d = new PredictionDistribution(state.params as Partial<PredictionDistributionParams>);
    const s = state.state;
    restoreScalars(d, state, STATE_NUMBERS, STATE_FLAGS);
    if (decArrayInto(s.refCounts, d.refCounts, 'refCounts') !== d.numClasses) {
      throw new Error('prediction-distribution state: refCounts length differs from numClasses');
    }
    if (decArrayInto(s.window, d.window, 'window') !== d.window.length) {
      throw new Error('prediction-distribution state: window length differs from windowSize');
    }
    // Counts are derived from the window, so they are rebuilt rather than trusted.
    d.counts.fill(0);
    // Until the window is full its entries are 0..filled-1; afterwards all of them.
    for (let i = 0; i < d.filled; i++) {
      const c = d.window[i] as number;
      if (c < 0 || c >= d.numClasses) throw new Error(`prediction-distribution state: class ${c} out of range`);
      d.counts[c] = (d.counts[c] as number) + 1;
    }
    return d;
  }
}

function parseReference(text: string): Float64Array {
  const parts = text.split(',').map((s) => Number(s.trim()));
  if (parts.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new Error(
      `Detector "prediction-distribution": reference "${text}" must be comma-separated non-negative numbers`,
    );
  }
  const total = parts.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new Error('Detector "prediction-distribution": reference must not be all zero');
  return Float64Array.from(parts, (v) => v / total);
}
