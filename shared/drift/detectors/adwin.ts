/**
 * ADWIN (Bifet & Gavaldà 2007, the ADWIN2 exponential-histogram variant), following River's
 * current `drift.ADWIN` + `adwin_c.pyx` (AdaptiveWindowing) operation for operation:
 *
 * - Buckets live in rows; row i holds up to `maxBuckets` buckets of 2^i samples, oldest first.
 *   A row that reaches maxBuckets + 1 merges its two oldest buckets into the next row.
 * - Cuts are only evaluated every `clock` samples and once the window holds more than
 *   `gracePeriod` samples; both sub-windows must hold at least `minWindowLength` samples.
 * - Cut test: |μ0 − μ1| > sqrt(2·m·σ²_W·δ') + (2/3)·δ'·m with δ' = ln(2·ln|W| / δ) and
 *   m = 1/(n0 − mwl + 1) + 1/(n1 − mwl + 1). On a cut the oldest bucket is dropped and the
 *   scan restarts, until no cut holds.
 * - On the update after an alarm the whole detector resets (River replaces its helper), so the
 *   clock restarts too.
 *
 * Every candidate cut (including the newest bucket of each row) is visited, as in River's
 * current source; River releases up to 0.21.x skipped the newest bucket of every row.
 *
 * Rows are Float64Arrays allocated the first time a row index is reached and reused afterwards,
 * so steady-state updates do not allocate. Cost: O(log n) per sample, O(maxBuckets·log n) on
 * clock ticks.
 */
import { checkNumber, resolveParams } from './params.ts';
import { checkEnvelope, decArrayInto, restoreScalars, scalarState, type StateField } from './serde.ts';
import type { DetectorResult, DetectorState, JsonValue, StreamDetector } from './types.ts';

export interface AdwinParams {
  /** River `delta`: significance of the cut test. */
  delta: number;
  /** River `clock`: check for cuts every `clock` samples. */
  clock: number;
  /** River `max_buckets`: buckets kept per row before merging. */
  maxBuckets: number;
  /** River `min_window_length`: minimum size of each sub-window. */
  minWindowLength: number;
  /** River `grace_period`: no checks until the window holds more samples than this. */
  gracePeriod: number;
}

export const ADWIN_DEFAULTS: Readonly<AdwinParams> = {
  delta: 0.002,
  clock: 32,
  maxBuckets: 5,
  minWindowLength: 5,
  gracePeriod: 10,
};

export const ADWIN_PARAM_DOCS: Readonly<Record<keyof AdwinParams, string>> = {
  delta: 'significance of the cut test; false-cut probability per check is bounded by delta (River delta)',
  clock: 'evaluate cuts every clock samples (River clock)',
  maxBuckets: 'buckets of each size kept before merging (River max_buckets)',
  minWindowLength: 'minimum length of each sub-window (River min_window_length)',
  gracePeriod: 'no detection until the window holds more samples than this (River grace_period)',
};

/** The scalar fields that make up the serialised state (JSON name, or [JSON name, field]). */
const STATE_NUMBERS: readonly StateField[] = [
  'tick',
  ['width', 'widthValue'],
  ['total', 'totalValue'],
  ['variance', 'varianceValue'],
  'nDetections',
];
const STATE_FLAGS = ['driftDetected'] as const;

export class Adwin implements StreamDetector<number> {
  readonly name = 'adwin' as const;
  readonly params: Readonly<AdwinParams>;
  private readonly result: DetectorResult = { drift: false, warning: false, statistic: 0 };

  // Bucket rows: rowTotals[i][k] / rowVars[i][k] for k < rowCount[i]; index 0 is the oldest.
  private readonly rowTotals: Float64Array[] = [];
  private readonly rowVars: Float64Array[] = [];
  private readonly rowCount = new Int32Array(64);
  private nRows = 1;

  private tick = 0;
  private widthValue = 0;
  private totalValue = 0;
  private varianceValue = 0; // sum of squared deviations, as River stores it
  private nDetections = 0;
  private driftDetected = false;

  constructor(params: Partial<AdwinParams> = {}) {
    const p = resolveParams(this.name, ADWIN_DEFAULTS, params);
    checkNumber(this.name, 'delta', p.delta, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
    checkNumber(this.name, 'clock', p.clock, { min: 1, integer: true });
    checkNumber(this.name, 'maxBuckets', p.maxBuckets, { min: 2, integer: true });
    checkNumber(this.name, 'minWindowLength', p.minWindowLength, { min: 1, integer: true });
    checkNumber(this.name, 'gracePeriod', p.gracePeriod, { min: 0, integer: true });
    this.params = Object.freeze(p);
    this.ensureRow(0);
  }

  get width(): number {
    return this.widthValue;
  }

  get total(): number {
    return this.totalValue;
  }

  /** Sum of squared deviations from the window mean (River's `variance`). */
  get variance(): number {
    return this.varianceValue;
  }

  get estimation(): number {
    return this.widthValue === 0 ? 0 : this.totalValue / this.widthValue;
  }

  get detections(): number {
    return this.nDetections;
  }

  /** Snapshot of the bucket rows (for inspection and tests; allocates). */
  buckets(): { size: number; totals: number[]; variances: number[] }[] {
    const out = [];
    for (let i = 0; i < this.nRows; i++) {
      const c = this.rowCount[i] as number;
      out.push({
        size: 2 ** i,
        totals: Array.from((this.rowTotals[i] as Float64Array).subarray(0, c)),
        variances: Array.from((this.rowVars[i] as Float64Array).subarray(0, c)),
      });
    }
    return out;
  }

  /** Returns the detector-owned result object (overwritten on the next call). */
  update(x: number): DetectorResult {
    if (this.driftDetected) this.reset();
    this.insert(x);
    const drift = this.detectChange();
    if (drift) this.nDetections += 1;
    this.driftDetected = drift;
    const r = this.result;
    r.drift = drift;
    r.warning = false;
    r.statistic = this.widthValue === 0 ? 0 : this.totalValue / this.widthValue;
    return r;
  }

  reset(): void {
    // n_detections lives in River's helper, which is replaced on reset, so it restarts too.
    this.rowCount.fill(0);
    this.nRows = 1;
    this.tick = 0;
    this.widthValue = 0;
    this.totalValue = 0;
    this.varianceValue = 0;
    this.nDetections = 0;
    this.driftDetected = false;
  }

  private ensureRow(i: number): void {
    if (i >= this.rowCount.length) throw new Error('ADWIN row capacity exceeded');
    while (this.rowTotals.length <= i) {
      this.rowTotals.push(new Float64Array(this.params.maxBuckets + 1));
      this.rowVars.push(new Float64Array(this.params.maxBuckets + 1));
    }
  }

  private insert(value: number): void {
    const c0 = this.rowCount[0] as number;
    (this.rowTotals[0] as Float64Array)[c0] = value;
    (this.rowVars[0] as Float64Array)[c0] = 0;
    this.rowCount[0] = c0 + 1;

    this.widthValue += 1;
    const w = this.widthValue;
    if (w > 1) {
      const d = value - this.totalValue / (w - 1);
      this.varianceValue += ((w - 1) * d * d) / w;
    }
    this.totalValue += value;
    this.compress();
  }

  private compress(): void {
    const max = this.params.maxBuckets;
    for (let idx = 0; idx < this.nRows; idx++) {
      if (this.rowCount[idx] !== max + 1) break;
      if (idx + 1 === this.nRows) {
        this.ensureRow(idx + 1);
        this.rowCount[idx + 1] = 0;
        this.nRows += 1;
      }
      const t = this.rowTotals[idx] as Float64Array;
      const v = this.rowVars[idx] as Float64Array;
      const n1 = 2 ** idx;
      const t0 = t[0] as number;
      const t1 = t[1] as number;
      const mu1 = t0 / n1;
      const mu2 = t1 / n1;
      const temp = n1 * 0.5 * (mu1 - mu2) * (mu1 - mu2);
      const v12 = (v[0] as number) + (v[1] as number) + temp;
      const next = idx + 1;
      const cn = this.rowCount[next] as number;
      (this.rowTotals[next] as Float64Array)[cn] = t0 + t1;
      (this.rowVars[next] as Float64Array)[cn] = v12;
      this.rowCount[next] = cn + 1;
      this.shiftRow(idx, 2);
      if (cn + 1 <= max) break;
    }
  }

  private shiftRow(idx: number, n: number): void {
    const c = this.rowCount[idx] as number;
    const t = this.rowTotals[idx] as Float64Array;
    const v = this.rowVars[idx] as Float64Array;
    t.copyWithin(0, n, c);
    v.copyWithin(0, n, c);
    t.fill(0, c - n, c);
    v.fill(0, c - n, c);
    this.rowCount[idx] = c - n;
  }

  private detectChange(): boolean {
    const { clock, gracePeriod, minWindowLength: mwl, delta } = this.params;
    let changeDetected = false;
    this.tick += 1;
    if (this.tick % clock !== 0 || !(this.widthValue > gracePeriod)) return false;

    let reduceWidth = true;
    while (reduceWidth) {
      reduceWidth = false;
      let exit = false;
      let n0 = 0;
      let n1 = this.widthValue;
      let u0 = 0;
      let u1 = this.totalValue;
      for (let idx = this.nRows - 1; idx >= 0 && !exit; idx--) {
        const t = this.rowTotals[idx] as Float64Array;
        const count = this.rowCount[idx] as number;
        const size = 2 ** idx;
        for (let k = 0; k < count; k++) {
          const tk = t[k] as number;
          n0 += size;
          n1 -= size;
          u0 += tk;
          u1 -= tk;
          if (idx === 0 && k === count - 1) {
            exit = true;
            break;
          }
          if (n1 < mwl || n0 < mwl) continue;
          // River's _evaluate_cut, inlined: a call would box these doubles on every candidate cut.
          const deltaMean = u0 / n0 - u1 / n1;
          const deltaPrime = Math.log((2 * Math.log(this.widthValue)) / delta);
          const mRecip = 1 / (n0 - mwl + 1) + 1 / (n1 - mwl + 1);
          const epsilon =
            Math.sqrt(2 * mRecip * (this.varianceValue / this.widthValue) * deltaPrime) + (2 / 3) * deltaPrime * mRecip;
          if (Math.abs(deltaMean) > epsilon) {
            reduceWidth = true;
            changeDetected = true;
            if (this.widthValue > 0) {
              n0 -= this.deleteOldest();
              exit = true;
              break;
            }
          }
        }
      }
    }
    return changeDetected;
  }

  private deleteOldest(): number {
    const last = this.nRows - 1;
    const n = 2 ** last;
    const u = (this.rowTotals[last] as Float64Array)[0] as number;
    const v = (this.rowVars[last] as Float64Array)[0] as number;
    const mu = u / n;
    this.widthValue -= n;
    this.totalValue -= u;
    const muWindow = this.totalValue / this.widthValue;
    this.varianceValue -= v + (n * this.widthValue * (mu - muWindow) * (mu - muWindow)) / (n + this.widthValue);
    this.shiftRow(last, 1);
    if (this.rowCount[last] === 0 && this.nRows > 1) this.nRows -= 1;
    return n;
  }

  toJSON(): DetectorState {
    const totals: JsonValue[] = [];
    const variances: JsonValue[] = [];
    for (let i = 0; i < this.nRows; i++) {
      const c = this.rowCount[i] as number;
      totals.push(Array.from((this.rowTotals[i] as Float64Array).subarray(0, c)));
      variances.push(Array.from((this.rowVars[i] as Float64Array).subarray(0, c)));
    }
    return scalarState(this, STATE_NUMBERS, STATE_FLAGS, { totals, variances });
  }

  static fromJSON(state: DetectorState): Adwin {
    checkEnvelope(state, 'adwin');
    const d = new Adwin(state.params as Partial<AdwinParams>);
    const s = state.state;
    restoreScalars(d, state, STATE_NUMBERS, STATE_FLAGS);
    const totals = s.totals;
    const variances = s.variances;
    if (!Array.isArray(totals) || !Array.isArray(variances) || totals.length !== variances.length) {
      throw new Error('adwin state needs "totals" and "variances" arrays of equal length');
    }
    if (totals.length < 1) throw new Error('adwin state needs at least one bucket row');
    d.nRows = totals.length;
    for (let i = 0; i < totals.length; i++) {
      d.ensureRow(i);
      const c = decArrayInto(totals[i], d.rowTotals[i] as Float64Array, `totals[${i}]`);
      const cv = decArrayInto(variances[i], d.rowVars[i] as Float64Array, `variances[${i}]`);
      if (c !== cv) throw new Error(`adwin state row ${i}: totals and variances differ in length`);
      d.rowCount[i] = c;
    }
    return d;
  }
}
