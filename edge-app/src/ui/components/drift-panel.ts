import { html, LitElement, nothing } from 'lit';
import type { DeviceDriftState, DriftEvent } from '../../lcm/index.ts';
import '../charts/histogram-chart.ts';
import type { FeatureComparison } from '../charts/histogram.ts';
import { formatTime } from '../format.ts';
import { screenStyles } from '../styles.ts';

/** A monitor counts as drifting this long after its last alarm (detectors reset once they fire). */
export const DRIFT_HOLD_MS = 60_000;

export type ChannelView = {
  key: string;
  label: string;
  detector: string;
  state: 'drift' | 'warning' | 'stable';
  drifts: number;
  lastDriftTs: number | null;
  statistic: number | null;
};

export function channelViews(state: DeviceDriftState | undefined, now = Date.now()): ChannelView[] {
  return (state?.channels ?? []).map((c) => ({
    key: c.key,
    label: c.feature ? `feature ${c.feature}` : c.kind,
    detector: c.detector.name,
    state: c.lastDriftTs !== null && now - c.lastDriftTs < DRIFT_HOLD_MS ? 'drift' : c.warning ? 'warning' : 'stable',
    drifts: c.drifts,
    lastDriftTs: c.lastDriftTs,
    statistic: c.statistics.length ? c.statistics[c.statistics.length - 1]! : null,
  }));
}

const STATUS_TEXT: Record<string, string> = {
  open: 'open',
  acknowledged: 'acknowledged',
  false_alarm: 'false alarm (detector reset)',
};

/**
 * Per-detector drift state of the active model, the latest drift events, and for one feature (the
 * one that drifted last, or the person's choice) the reference distribution against the current one.
 */
export class LcmDriftPanel extends LitElement {
  static override properties = {
    state: { attribute: false },
    events: { attribute: false },
    statuses: { attribute: false },
    comparison: { attribute: false },
    features: { attribute: false },
    selected: {},
    note: {},
  };
  static override styles = [screenStyles];

  declare state: DeviceDriftState | undefined;
  declare events: DriftEvent[];
  /** Each event's status in the device document (acknowledged / false alarm by a person), by id; none before enrolment. */
  declare statuses: ReadonlyMap<string, string> | undefined;
  declare comparison: FeatureComparison | undefined;
  declare features: string[];
  declare selected: string;
  /** Why there is no reference (e.g. the model's metadata carries no profile). */
  declare note: string;

  constructor() {
    super();
    this.events = [];
    this.features = [];
    this.selected = '';
    this.note = '';
  }

  override render() {
    const views = channelViews(this.state);
    const drifting = views.filter((v) => v.state === 'drift');
    return html`
      <h3>Drift</h3>
      <p role="status" data-testid="drift-summary" class=${drifting.length ? 'error' : 'ok'}>
        ${drifting.length ? `Drift detected: ${drifting.map((v) => v.label).join(', ')}` : views.length ? 'No drift detected' : 'No drift monitors yet'}
        ${this.state ? html`<span class="muted"> · ${this.state.observations} inputs seen</span>` : nothing}
      </p>
      <div class="scroll">
        <table data-testid="detectors">
          <thead><tr><th>Monitor</th><th>Detector</th><th>State</th><th>Alarms</th><th>Statistic</th></tr></thead>
          <tbody>
            ${views.map(
              (v) => html`<tr data-testid="detector" data-key=${v.key} data-state=${v.state}>
                <td>${v.label}</td>
                <td class="muted">${v.detector}</td>
                <td class=${v.state === 'drift' ? 'error' : v.state === 'warning' ? 'warn' : 'ok'}>${v.state}${v.lastDriftTs ? html`<br /><small class="muted">last ${formatTime(v.lastDriftTs)}</small>` : nothing}</td>
                <td>${v.drifts}</td>
                <td>${v.statistic === null ? '–' : v.statistic.toFixed(3)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${
        this.features.length
          ? html`<div class="row" style="margin-top:.8em">
            <label for="feature">Distribution of</label>
            <select id="feature" .value=${this.selected} @change=${(e: Event) => this.dispatchEvent(new CustomEvent('feature-change', { detail: (e.target as HTMLSelectElement).value }))}>
              ${this.features.map((f) => html`<option value=${f} ?selected=${f === this.selected}>${f}</option>`)}
            </select>
          </div>
          ${this.note ? html`<p class="muted">${this.note}</p>` : nothing}
          <lcm-histogram-chart .comparison=${this.comparison}></lcm-histogram-chart>`
          : nothing
      }
      ${
        this.events.length
          ? html`<h3 style="margin-top:.8em">Latest drift events</h3>
            <ul data-testid="drift-events">
              ${this.events.slice(0, 5).map((e) => {
                const status = this.statuses?.get(e.id.slice(0, 100));
                return html`<li data-event-id=${e.id}>${formatTime(e.ts)} — <strong>${e.feature ? `feature ${e.feature}` : e.kind}</strong> (${e.detector}, statistic ${e.statistic.toFixed(3)})${
                  status
                    ? html` · <span data-testid="event-status" class=${status === 'open' ? 'warn' : 'ok'}>${STATUS_TEXT[status] ?? status}</span>`
                    : nothing
                }</li>`;
              })}
            </ul>`
          : nothing
      }
    `;
  }
}

customElements.define('lcm-drift-panel', LcmDriftPanel);

declare global {
  interface HTMLElementTagNameMap {
    'lcm-drift-panel': LcmDriftPanel;
  }
}
