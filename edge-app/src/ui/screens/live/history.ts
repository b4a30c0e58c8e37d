import type { DriftEvent, InferenceObservation, MonitorAlert } from '../../../lcm/index.ts';
import { RollingWindow } from '../../charts/rolling.ts';

const WINDOW = 300; // points per live chart
const RECENT_INPUTS = 200; // inputs behind the "current" histogram

/** What the live screen has seen of the active model since it was shown or the model changed. */
export class LiveHistory {
  readonly latency = new RollingWindow(WINDOW);
  readonly confidence = new RollingWindow(WINDOW);
  /** The latest inputs, oldest first (mutated in place: redraw on the playback tick). */
  readonly recent: number[][] = [];
  /** Newest first; replaced, not mutated, on each event. */
  events: DriftEvent[] = [];
  alerts: MonitorAlert[] = [];
  count = 0;
  last: InferenceObservation | undefined;

  observe(obs: InferenceObservation): void {
    this.count++;
    this.last = obs;
    if (obs.error) return;
    this.latency.push(this.count, obs.latencyMs);
    if (obs.confidence !== undefined) this.confidence.push(this.count, obs.confidence);
    if (obs.features) {
      this.recent.push(obs.features);
      if (this.recent.length > RECENT_INPUTS) this.recent.splice(0, this.recent.length - RECENT_INPUTS);
    }
  }

  drift(e: DriftEvent): void {
    this.events = [e, ...this.events].slice(0, 20);
  }

  alert(a: MonitorAlert): void {
    this.alerts = [a, ...this.alerts].slice(0, 5);
  }

  clear(): void {
    this.latency.clear();
    this.confidence.clear();
    this.recent.length = 0;
    this.events = [];
    this.alerts = [];
    this.count = 0;
    this.last = undefined;
  }
}
