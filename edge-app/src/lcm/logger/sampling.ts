import { DRIFT_MASK } from '../../../../shared/drift/flags.ts';
import type { InferenceObservation } from '../types.ts';

/** Which inferences are logged: a record is kept when any enabled rule keeps it. */
export interface SamplingPolicy {
  /** Keep one inference in N (1 = all, the default; 0 = off). */
  everyNth?: number;
  /** Also keep inferences whose confidence is below this (0 = off, the default). */
  confidenceBelow?: number;
  /** Also keep the K inferences before and the K after each one that raised drift (0 = off). */
  aroundDrift?: number;
  /** Also keep failed inferences (default true). */
  errors?: boolean;
}

export type KeepFn = (obs: InferenceObservation, drift: number, inputRef: string | undefined) => void;

/**
 * Applies a SamplingPolicy. "Around drift" needs the K inferences *before* the drift, so the last
 * K are held in a small ring (references only) and handed out when a drift arrives.
 */
export class Sampler {
  private readonly everyNth: number;
  private readonly below: number;
  private readonly k: number;
  private readonly errors: boolean;
  private readonly ringObs: (InferenceObservation | undefined)[];
  private readonly ringDrift: Int32Array;
  private readonly ringRef: (string | undefined)[];
  private readonly ringKept: Uint8Array;
  private head = 0;
  private n = 0;
  private after = 0;

  constructor(policy: SamplingPolicy = {}) {
    this.everyNth = count('everyNth', policy.everyNth ?? 1);
    this.below = policy.confidenceBelow ?? 0;
    this.k = count('aroundDrift', policy.aroundDrift ?? 0);
    this.errors = policy.errors ?? true;
    this.ringObs = new Array(this.k).fill(undefined);
    this.ringDrift = new Int32Array(this.k);
    this.ringRef = new Array(this.k).fill(undefined);
    this.ringKept = new Uint8Array(this.k);
  }

  /** Decides for one inference; calls `keep` for it and for any earlier ones it now selects (oldest first). */
  offer(obs: InferenceObservation, drift: number, inputRef: string | undefined, keep: KeepFn): boolean {
    const i = this.n++;
    let take =
      (this.everyNth > 0 && i % this.everyNth === 0) ||
      (obs.confidence !== undefined && obs.confidence < this.below) ||
      (this.errors && obs.error !== undefined);
    if (this.after > 0) {
      this.after -= 1;
      take = true;
    }
    if (this.k > 0) {
      if ((drift & DRIFT_MASK) !== 0) {
        this.drainRing(keep);
        this.after = this.k;
        take = true;
      }
      const h = this.head;
      this.ringObs[h] = obs;
      this.ringDrift[h] = drift;
      this.ringRef[h] = inputRef;
      this.ringKept[h] = take ? 1 : 0;
      this.head = (h + 1) % this.k;
    }
    if (take) keep(obs, drift, inputRef);
    return take;
  }

  private drainRing(keep: KeepFn): void {
    for (let j = 0; j < this.k; j++) {
      const p = (this.head + j) % this.k;
      const o = this.ringObs[p];
      if (o && !this.ringKept[p]) {
        this.ringKept[p] = 1;
        keep(o, this.ringDrift[p] as number, this.ringRef[p]);
      }
    }
  }
}

function count(name: string, v: number): number {
  if (!(Number.isInteger(v) && v >= 0)) throw new RangeError(`sampling.${name} must be a whole number >= 0, got ${v}`);
  return v;
}
