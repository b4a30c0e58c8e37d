/**
 * KNN-distance monitor, the label-free detector of the original TinyLCM: the mean distance of a
 * sample's feature vector to its k nearest reference vectors is fed to a one-sided Page-Hinkley
 * test against a fixed reference level,
 *   PH_t = m_t − min_{i≤t} m_i,  m_t = Σ (d_i − μ_ref − δ),  drift when PH_t > λ,
 * with δ = deltaStd·σ_ref and λ = lambdaStd·σ_ref (TinyLCM's "adaptive thresholds"). PH_t is kept
 * as the equivalent CUSUM S_t = max(0, S_{t−1} + d_t − μ_ref − δ) so no sum grows without bound.
 *
 * Life cycle: the reference vectors come from `setReference` (e.g. training embeddings) or are the
 * first `referenceSize` samples; then μ_ref/σ_ref come from referenceMean/referenceStd or the next
 * `warmup` distances. No alarms before that.
 *
 * False alarms: for Gaussian distances with the true μ_ref/σ_ref, S is a reflected random walk
 * with drift −δ, so P(S_t > λ) ≤ exp(−2δλ/σ²) = exp(−2·deltaStd·lambdaStd) per sample:
 * at most 4.5 expected alarms per 100k samples with the defaults (0.5, 10). Real kNN distances are
 * right-skewed, so expect somewhat more.
 *
 * After an alarm S restarts at 0 and no alarm fires for `cooldown` samples (S keeps accumulating,
 * so a persisting shift alarms again right after the cooldown); the reference is kept.
 * Cost per sample: O(referenceSize·dim) distance evaluations, no allocation.
 */
import { checkChoice, checkNumber, resolveParams } from './params.ts';
import { checkEnvelope, decArrayInto, encArray, restoreScalars, scalarState, type StateField } from './serde.ts';
import type { DetectorResult, DetectorState, StreamDetector } from './types.ts';

export interface KnnDistanceParams {
  k: number;
  referenceSize: number;
  metric: string;
  warmup: number;
  referenceMean: number;
  referenceStd: number;
  deltaStd: number;
  lambdaStd: number;
  warningRatio: number;
  cooldown: number;
}

export const KNN_DISTANCE_DEFAULTS: Readonly<KnnDistanceParams> = {
  k: 5,
  referenceSize: 200,
  metric: 'euclidean',
  warmup: 500,
  referenceMean: -1,
  referenceStd: -1,
  deltaStd: 0.5,
  lambdaStd: 10,
  warningRatio: 0.5,
  cooldown: 500,
};

export const KNN_DISTANCE_PARAM_DOCS: Readonly<Record<keyof KnnDistanceParams, string>> = {
  k: 'number of nearest reference neighbours averaged',
  referenceSize: 'reference vectors taken from the start of the stream when setReference() is not used',
  metric: "'euclidean' or 'cosine' (1 - cosine similarity)",
  warmup: 'distances used to learn the reference mean/std when they are not given',
  referenceMean: 'mean kNN distance of in-distribution data; < 0 learns it during warmup',
  referenceStd: 'std of the kNN distance of in-distribution data; < 0 learns it during warmup',
  deltaStd: 'Page-Hinkley delta (tolerated increase) in units of the reference std',
  lambdaStd: 'Page-Hinkley threshold lambda in units of the reference std',
  warningRatio: 'warning when the statistic exceeds this fraction of lambda',
  cooldown: 'samples after an alarm during which no new alarm fires',
};

const METRICS = ['euclidean', 'cosine'] as const;
const MIN_STD = 1e-12;

/** The scalar fields that make up the serialised state (JSON name, or [JSON name, field]); then the reference vectors. */
const STATE_NUMBERS: readonly StateField[] = [
  'dim',
  'refCount',
  'refCapacity',
  'mu',
  'sigma',
  'wN',
  'wMean',
  'wM2',
  's',
  'cooldownLeft',
  ['lastDistance', 'lastDistanceValue'],
];
const STATE_FLAGS = ['referenceFixed', 'learned'] as const;

export class KnnDistance implements StreamDetector<ArrayLike<number>> {
  readonly name = 'knn-distance' as const;
  readonly params: Readonly<KnnDistanceParams>;
  private readonly result: DetectorResult = { drift: false, warning: false, statistic: 0 };
  private readonly best: Float64Array;

  private dim = 0;
  private reference = new Float64Array(0);
  private refNorms = new Float64Array(0);
  private refCount = 0;
  private refCapacity: number;
  private referenceFixed = false;

  private learned = false;
  private mu = 0;
  private sigma = 0;
  private wN = 0;
  private wMean = 0;
  private wM2 = 0;

  private s = 0;
  private cooldownLeft = 0;
  private lastDistanceValue = NaN;

  constructor(params: Partial<KnnDistanceParams> = {}) {
    const p = resolveParams(this.name, KNN_DISTANCE_DEFAULTS, params);
    checkNumber(this.name, 'k', p.k, { min: 1, integer: true });
    checkNumber(this.name, 'referenceSize', p.referenceSize, { min: 1, integer: true });
    checkChoice(this.name, 'metric', p.metric, METRICS);
    checkNumber(this.name, 'warmup', p.warmup, { min: 2, integer: true });
    checkNumber(this.name, 'deltaStd', p.deltaStd, { min: 0 });
    checkNumber(this.name, 'lambdaStd', p.lambdaStd, { min: 0, minExclusive: true });
    checkNumber(this.name, 'warningRatio', p.warningRatio, { min: 0, max: 1 });
    checkNumber(this.name, 'cooldown', p.cooldown, { min: 0, integer: true });
    if (p.referenceMean < 0 !== p.referenceStd < 0) {
      throw new Error('Detector "knn-distance": give both referenceMean and referenceStd, or neither');
    }
    this.params = Object.freeze(p);
    this.best = new Float64Array(p.k);
    this.refCapacity = p.referenceSize;
    this.resetStatistics();
  }

  /** Mean kNN distance of the last sample (NaN before the reference is complete). */
  get lastDistance(): number {
    return this.lastDistanceValue;
  }

  get referenceStats(): { mean: number; std: number } | null {
    return this.learned ? { mean: this.mu, std: this.sigma } : null;
  }

  /**
   * Installs reference vectors (row-major, `vectors.length / dim` rows), e.g. embeddings of the
   * training data; they survive reset(). Restarts the distance statistics unless given as params.
   */
  setReference(vectors: ArrayLike<number>, dim: number): void {
    checkNumber(this.name, 'dim', dim, { min: 1, integer: true });
    if (vectors.length === 0 || vectors.length % dim !== 0) {
      throw new RangeError(`knn-distance reference length ${vectors.length} is not a positive multiple of dim ${dim}`);
    }
    this.dim = dim;
    this.refCapacity = vectors.length / dim;
    this.reference = Float64Array.from(vectors);
    this.refNorms = new Float64Array(this.refCapacity);
    this.refCount = this.refCapacity;
    for (let i = 0; i < this.refCount; i++) this.refNorms[i] = this.norm(this.reference, i * dim);
    this.referenceFixed = true;
    this.resetStatistics();
  }

  /** `x`: feature vector. Returns the detector-owned result object. */
  update(x: ArrayLike<number>): DetectorResult {
    if (this.refCount < this.refCapacity) {
      this.addReference(x);
      this.lastDistanceValue = NaN;
      const r = this.result;
      r.drift = false;
      r.warning = false;
      r.statistic = 0;
      return r;
    }
    if (x.length !== this.dim)
      throw new RangeError(`knn-distance expects vectors of length ${this.dim}, got ${x.length}`);
    return this.updateDistance(this.meanKnnDistance(x));
  }

  /** Feeds an already computed mean kNN distance (e.g. from the KNN classifier itself). */
  updateDistance(d: number): DetectorResult {
    const r = this.result;
    r.drift = false;
    r.warning = false;
    this.lastDistanceValue = d;
    if (!this.learned) {
      this.wN += 1;
      const dd = d - this.wMean;
      this.wMean += dd / this.wN;
      this.wM2 += dd * (d - this.wMean);
      if (this.wN >= this.params.warmup) this.setStats(this.wMean, Math.sqrt(this.wM2 / (this.wN - 1)));
      r.statistic = 0;
      return r;
    }
    const lambda = this.params.lambdaStd * this.sigma;
    this.s = Math.max(0, this.s + d - this.mu - this.params.deltaStd * this.sigma);
    r.statistic = this.s;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft -= 1;
    } else if (this.s > lambda) {
      r.drift = true;
      this.s = 0;
      this.cooldownLeft = this.params.cooldown;
      return r;
    }
    r.warning = this.s > this.params.warningRatio * lambda;
    return r;
  }

  private addReference(x: ArrayLike<number>): void {
    if (this.refCount === 0) {
      if (x.length === 0) throw new RangeError('knn-distance feature vectors must not be empty');
      this.dim = x.length;
      this.reference = new Float64Array(this.refCapacity * this.dim);
      this.refNorms = new Float64Array(this.refCapacity);
    } else if (x.length !== this.dim) {
      throw new RangeError(`knn-distance expects vectors of length ${this.dim}, got ${x.length}`);
    }
    const off = this.refCount * this.dim;
    for (let j = 0; j < this.dim; j++) this.reference[off + j] = x[j] as number;
    this.refNorms[this.refCount] = this.norm(this.reference, off);
    this.refCount += 1;
  }

  private norm(a: ArrayLike<number>, off: number): number {
    let s = 0;
    for (let j = 0; j < this.dim; j++) {
      const v = a[off + j] as number;
      s += v * v;
    }
    return Math.sqrt(s);
  }

  private meanKnnDistance(x: ArrayLike<number>): number {
    const k = Math.min(this.params.k, this.refCount);
    const best = this.best;
    best.fill(Infinity, 0, k);
    const cosine = this.params.metric === 'cosine';
    const xNorm = cosine ? this.norm(x, 0) : 0;
    const ref = this.reference;
    const dim = this.dim;
    for (let i = 0; i < this.refCount; i++) {
      const off = i * dim;
      let d: number;
      if (cosine) {
        let dot = 0;
        for (let j = 0; j < dim; j++) dot += (x[j] as number) * (ref[off + j] as number);
        const denom = xNorm * (this.refNorms[i] as number);
        d = denom > 0 ? 1 - dot / denom : 1;
      } else {
        // Squared distance with early exit once it cannot enter the k best.
        const worst = best[k - 1] as number;
        d = 0;
        for (let j = 0; j < dim && d < worst; j++) {
          const diff = (x[j] as number) - (ref[off + j] as number);
          d += diff * diff;
        }
      }
      if (d < (best[k - 1] as number)) {
        let p = k - 1;
        while (p > 0 && (best[p - 1] as number) > d) {
          best[p] = best[p - 1] as number;
          p--;
        }
        best[p] = d;
      }
    }
    let sum = 0;
    for (let i = 0; i < k; i++) sum += cosine ? (best[i] as number) : Math.sqrt(best[i] as number);
    return sum / k;
  }

  private setStats(mean: number, std: number): void {
    this.mu = mean;
    this.sigma = Math.max(std, MIN_STD);
    this.learned = true;
  }

  private resetStatistics(): void {
    this.learned = false;
    this.wN = 0;
    this.wMean = 0;
    this.wM2 = 0;
    this.s = 0;
    this.cooldownLeft = 0;
    this.lastDistanceValue = NaN;
    const { referenceMean, referenceStd } = this.params;
    if (referenceMean >= 0) this.setStats(referenceMean, referenceStd);
  }

  /** Forgets the test state and learned statistics; a reference installed by setReference stays. */
  reset(): void {
    if (!this.referenceFixed) {
      this.refCount = 0;
      this.refCapacity = this.params.referenceSize;
    }
    this.resetStatistics();
  }

  toJSON(): DetectorState {
    return scalarState(this, STATE_NUMBERS, STATE_FLAGS, {
      reference: encArray(this.reference, this.refCount * this.dim),
    });
  }

  static fromJSON(state: DetectorState): KnnDistance {
    checkEnvelope(state, 'knn-distance');
    const d = new KnnDistance(state.params as Partial<KnnDistanceParams>);
    restoreScalars(d, state, STATE_NUMBERS, STATE_FLAGS);
    if (d.dim > 0) {
      d.reference = new Float64Array(d.refCapacity * d.dim);
      d.refNorms = new Float64Array(d.refCapacity);
      const n = decArrayInto(state.state.reference, d.reference, 'reference');
      if (n !== d.refCount * d.dim)
        throw new Error('knn-distance state: reference length does not match refCount * dim');
      for (let i = 0; i < d.refCount; i++) d.refNorms[i] = d.norm(d.reference, i * d.dim);
    }
    return d;
  }
}
