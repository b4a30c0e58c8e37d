import type { MonitorAlertKind } from '../types.ts';

/** Threshold alerts of the monitor; each one is optional. */
export interface AlertThresholds {
  /** Raise when the recent p95 latency (ms) is above this. */
  p95LatencyMs?: number;
  /** Raise when more than `rate` of the last `window` inferences had confidence below `below`. */
  lowConfidence?: { below: number; rate: number; window?: number };
  /** Raise when more than `rate` of the last `window` inferences failed. */
  errorRate?: { rate: number; window?: number };
  /**
   * A raised alert clears only once the value is below threshold · (1 − hysteresis), so a value
   * hovering at the threshold does not flap. Default 0.1.
   */
  hysteresis?: number;
  /** Samples needed in a window before its alert may be raised. Default: the full window (p95: 50). */
  minSamples?: number;
}

export const DEFAULT_ALERT_WINDOW = 200;
export const DEFAULT_HYSTERESIS = 0.1;

/**
 * One alert's state machine: reports a transition only when the value crosses the threshold
 * upwards (raised) or falls below the hysteresis band (cleared) — once per crossing.
 */
export class AlertTrip {
  raised = false;

  constructor(
    readonly kind: MonitorAlertKind,
    readonly threshold: number,
    private readonly hysteresis: number,
  ) {
    if (!Number.isFinite(threshold)) throw new RangeError(`${kind} alert threshold must be a number, got ${threshold}`);
    if (!(hysteresis >= 0 && hysteresis < 1)) throw new RangeError(`hysteresis must be in [0, 1), got ${hysteresis}`);
  }

  /** 'raised' / 'cleared' on a transition, else null. */
  check(value: number): 'raised' | 'cleared' | null {
    if (!this.raised) {
      if (value > this.threshold) {
        this.raised = true;
        return 'raised';
      }
    } else if (value < this.threshold * (1 - this.hysteresis)) {
      this.raised = false;
      return 'cleared';
    }
    return null;
  }
}
