/**
 * KSWIN (Raab et al. 2020), following River's `drift.KSWIN`.
 *
 * A sliding window Ψ of `windowSize` samples; once it is full, every update compares its newest
 * `statSize` samples R with `statSize` samples W drawn without replacement from the older
 * windowSize − statSize ones, using the two-sample Kolmogorov-Smirnov test (SciPy's ks_2samp,
 * method 'auto'). Drift when p ≤ alpha and D > 0.1 (River's condition).
 *
 * After an alarm River keeps only R, but its next update resets the detector first (empty window,
 * RNG re-seeded), so effectively everything resets; that is what happens here, and the next alarm
 * needs a full window again.
 *
 * Divergence from River: W is drawn with this package's seeded xoshiro128** (partial
 * Fisher-Yates), not Python's `random.sample`, so alarm indices can differ from River's for the
 * same seed; River's default seed is None (OS entropy), here it is 42 so that device and server
 * replays agree. River's `window` (pre-filled data) argument is not supported.
 */
import { ks2samp } from '../stats/index.ts';
import { checkNumber, resolveParams } from './params.ts';
import { Xoshiro128 } from '../../random/prng.ts';
import { checkEnvelope, dec, decArrayInto, encArray, restoreScalars, scalarState } from './serde.ts';
import type { DetectorResult, DetectorState, StreamDetector } from './types.ts';

export interface KswinParams {
  /** River `alpha`: p-value threshold of the KS test. */
  alpha: number;
  /** River `window_size`. */
  windowSize: number;
  /** River `stat_size`: size of R and W. */
  statSize: number;
  /** River `seed` (River's default is None). */
  seed: number;
}

export const KSWIN_DEFAULTS: Readonly<KswinParams> = { alpha: 0.005, windowSize: 100, statSize: 30, seed: 42 };

export const KSWIN_PARAM_DOCS: Readonly<Record<keyof KswinParams, string>> = {
  alpha: 'drift when the KS p-value is <= alpha (and D > 0.1) (River alpha)',
  windowSize: 'size of the sliding window (River window_size)',
  statSize: 'size of the recent and of the sampled reference sub-windows (River stat_size)',
  seed: 'seed of the reference subsampling; River defaults to an unseeded RNG',
};

/** The scalar fields that make up the serialised state (besides the window and the PRNG's words). */
const STATE_NUMBERS = ['n', 'lastStatistic', 'lastP'] as const;
const STATE_FLAGS = ['driftDetected'] as const;

export class Kswin implements StreamDetector<number> {
  readonly name = 'kswin' as const;
  readonly params: Readonly<KswinParams>;
  private readonly result: DetectorResult = { drift: false, warning: false, statistic: 0 };
  private readonly rng: Xoshiro128;
  private readonly ring: Float64Array;
  private readonly perm: Int32Array;
  private readonly sampled: Float64Array;
  private readonly recent: Float64Array;

  private start = 0; // ring index of the oldest sample
  private length = 0;
  private n = 0;
  private lastStatistic = 0;
  private lastP = 0;
  private driftDetected = false;

  constructor(params: Partial<KswinParams> = {}) {
    const p = resolveParams(this.name, KSWIN_DEFAULTS, params);
    checkNumber(this.name, 'alpha', p.alpha, { min: 0, max: 1 });
    checkNumber(this.name, 'windowSize', p.windowSize, { min: 2, integer: true });
    checkNumber(this.name, 'statSize', p.statSize, { min: 1, integer: true });
    checkNumber(this.name, 'seed', p.seed, { integer: true });
    if (p.windowSize - p.statSize < p.statSize) {
      // River would raise inside random.sample: W cannot have statSize distinct older samples.
      throw new Error(`Detector "kswin": windowSize (${p.windowSize}) must be at least 2 * statSize (${p.statSize})`);
    }
    this.params = Object.freeze(p);
    this.rng = new Xoshiro128(p.seed);
    this.ring = new Float64Array(p.windowSize);
    this.perm = new Int32Array(p.windowSize - p.statSize);
    this.sampled = new Float64Array(p.statSize);
    this.recent = new Float64Array(p.statSize);
  }

  /** p-value of the last KS test (River's `p_value`; 0 before the first test). */
  get pValue(): number {
    return this.lastP;
  }

  /** Returns the detector-owned result object (overwritten on the next call). */
  update(x: number): DetectorResult {
    if (this.driftDetected) this.reset();
    const { windowSize, statSize, alpha } = this.params;
    this.n += 1;

    if (this.length < windowSize) {
      this.ring[(this.start + this.length) % windowSize] = x;
      this.length += 1;
    } else {
      this.ring[this.start] = x;
      this.start = (this.start + 1) % windowSize;
    }

    this.driftDetected = false;
    if (this.length >= windowSize) {
      const older = windowSize - statSize;
      const perm = this.perm;
      for (let i = 0; i < older; i++) perm[i] = i;
      for (let j = 0; j < statSize; j++) {
        const pick = j + this.rng.nextInt(older - j);
        const chosen = perm[pick] as number;
        perm[pick] = perm[j] as number;
        perm[j] = chosen;
        this.sampled[j] = this.ring[(this.start + chosen) % windowSize] as number;
      }
      for (let j = 0; j < statSize; j++) this.recent[j] = this.ring[(this.start + older + j) % windowSize] as number;

      const ks = ks2samp(this.sampled, this.recent);
      this.lastStatistic = ks.statistic;
      this.lastP = ks.pValue;
      this.driftDetected = ks.pValue <= alpha && ks.statistic > 0.1;
    }

    const r = this.result;
    r.drift = this.driftDetected;
    r.warning = false;
    r.statistic = this.lastStatistic;
    return r;
  }

  reset(): void {
    this.start = 0;
    this.length = 0;
    this.n = 0;
    this.lastStatistic = 0;
    this.lastP = 0;
    this.driftDetected = false;
    this.rng.seed(this.params.seed);
  }

  toJSON(): DetectorState {
    const ordered: number[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) ordered[i] = this.ring[(this.start + i) % this.params.windowSize] as number;
    return scalarState(this, STATE_NUMBERS, STATE_FLAGS, { window: encArray(ordered), rng: this.rng.getState() });
  }

  static fromJSON(state: DetectorState): Kswin {
    checkEnvelope(state, 'kswin');
    const d = new Kswin(state.params as Partial<KswinParams>);
    const s = state.state;
    d.length = decArrayInto(s.window, d.ring, 'window');
    d.start = 0;
    const rng = s.rng;
    if (!Array.isArray(rng)) throw new Error('kswin state "rng" must be an array');
    d.rng.setState(rng.map((w, i) => dec(w, `rng[${i}]`)));
    return restoreScalars(d, state, STATE_NUMBERS, STATE_FLAGS);
  }
}
