import {
  restoreDetector,
  type DetectorResult,
  type DetectorState,
  type StreamDetector,
} from '../../../../shared/drift/detectors/index.ts';
import type { DriftKind } from '../types.ts';

export interface ChannelState {
  key: string;
  kind: DriftKind;
  feature?: string;
  detector: DetectorState;
  updates: number;
  drifts: number;
  lastDriftTs: number | null;
  warning: boolean;
  /** Window ring, oldest first. */
  statistics: number[];
  ids: string[];
}

/** Status of one monitor, for the UI and the device's `reported` state. */
export interface ChannelStatus {
  key: string;
  kind: DriftKind;
  detector: string;
  feature?: string;
  updates: number;
  drifts: number;
  lastDriftTs: number | null;
  warning: boolean;
  statistic: number | null;
}

/**
 * One monitored signal: a detector plus the recent statistics and observation ids that an event
 * carries as its window. The rings are preallocated; recording a sample stores two values.
 */
export class Channel<X = number> {
  updates = 0;
  drifts = 0;
  lastDriftTs: number | null = null;
  warning = false;
  private readonly stats: Float64Array;
  private readonly ids: string[];
  private head = 0;
  private filled = 0;

  constructor(
    readonly key: string,
    readonly kind: DriftKind,
    readonly detector: StreamDetector<X>,
    windowSize: number,
    readonly feature?: string,
  ) {
    this.stats = new Float64Array(windowSize);
    this.ids = new Array<string>(windowSize).fill('');
  }

  update(x: X, id: string): DetectorResult {
    const r = this.detector.update(x);
    this.updates += 1;
    this.warning = r.warning;
    this.stats[this.head] = r.statistic;
    this.ids[this.head] = id;
    this.head = (this.head + 1) % this.stats.length;
    if (this.filled < this.stats.length) this.filled += 1;
    return r;
  }

  /** Window of the last `filled` updates, oldest first. */
  window(): { size: number; firstId: string; lastId: string; statistics: number[] } {
    const n = this.stats.length;
    const start = (this.head - this.filled + n) % n;
    const statistics: number[] = new Array(this.filled);
    for (let k = 0; k < this.filled; k++) statistics[k] = this.stats[(start + k) % n] as number;
    return {
      size: this.filled,
      firstId: this.ids[start] ?? '',
      lastId: this.ids[(this.head - 1 + n) % n] ?? '',
      statistics,
    };
  }

  status(): ChannelStatus {
    const n = this.stats.length;
    return {
      key: this.key,
      kind: this.kind,
      detector: this.detector.name,
      ...(this.feature !== undefined ? { feature: this.feature } : {}),
      updates: this.updates,
      drifts: this.drifts,
      lastDriftTs: this.lastDriftTs,
      warning: this.warning,
      statistic: this.filled ? (this.stats[(this.head - 1 + n) % n] as number) : null,
    };
  }

  toJSON(): ChannelState {
    const w = this.window();
    const n = this.stats.length;
    const start = (this.head - this.filled + n) % n;
    return {
      key: this.key,
      kind: this.kind,
      ...(this.feature !== undefined ? { feature: this.feature } : {}),
      detector: this.detector.toJSON(),
      updates: this.updates,
      drifts: this.drifts,
      lastDriftTs: this.lastDriftTs,
      warning: this.warning,
      statistics: w.statistics,
      ids: Array.from({ length: this.filled }, (_, k) => this.ids[(start + k) % n] ?? ''),
    };
  }

  /** A channel like this one (same key, detector and window size) resumed from `s`. */
  restored(s: ChannelState): Channel<X> {
    if (s.key !== this.key) throw new Error(`drift state: channel ${s.key} where ${this.key} was expected`);
    if (s.detector.name !== this.detector.name) {
      throw new Error(
        `drift state: ${s.key} was saved with detector ${s.detector.name}, the configuration uses ${this.detector.name}`,
      );
    }
    return Channel.fromState<X>(s, this.stats.length);
  }

  static fromState<X>(s: ChannelState, windowSize: number): Channel<X> {
    const c = new Channel<X>(
      s.key,
      s.kind,
      restoreDetector(s.detector) as unknown as StreamDetector<X>,
      windowSize,
      s.feature,
    );
    c.updates = s.updates;
    c.drifts = s.drifts;
    c.lastDriftTs = s.lastDriftTs;
    c.warning = s.warning;
    const k = Math.min(s.statistics.length, windowSize);
    const from = s.statistics.length - k;
    for (let i = 0; i < k; i++) {
      c.stats[i] = s.statistics[from + i] as number;
      c.ids[i] = s.ids[from + i] ?? '';
    }
    c.filled = k;
    c.head = k % windowSize;
    return c;
  }
}
