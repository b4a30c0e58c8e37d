import { html, LitElement } from 'lit';
import { storageShare, type DeviceHealth } from '../../../../shared/documents/health.ts';
import { HealthSeriesSchema, type HealthSeries } from '../../../../shared/protocol/device-health.ts';
import { PollController } from '../../../../shared/ui/poll-controller.ts';
import { api } from '../../api.ts';
import '../../charts/chart.ts';
import { bucketLabel, lineChart } from '../../charts/series.ts';
import { hoursAgo, when } from '../../components/format.ts';
import {
  batteryAlarm,
  batteryText,
  heapText,
  networkText,
  storageAlarm,
  storageText,
} from '../../components/health-format.ts';
import { view } from '../../components/load.ts';
import { pageStyles } from '../../components/styles.ts';

/** Windows and the points asked for: one a minute at most, so 24 h fit in 1440. */
const WINDOWS = { '24 h': [24, 1440], '7 days': [168, 10_000] } as const;
const MIB = 1024 ** 2;

function uptime(sec: number | undefined): string {
  if (sec === undefined) return '—';
  const d = Math.floor(sec / 86_400);
  const h = Math.floor((sec % 86_400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min`;
}

/** A device's health: the latest report in words, and storage, heap, battery and rtt over time. */
export class DeviceHealthPanel extends LitElement {
  static override properties = { deviceId: {}, window: { state: true } };
  static override styles = pageStyles;
  declare deviceId: string;
  declare window: keyof typeof WINDOWS;

  constructor() {
    super();
    this.deviceId = '';
    this.window = '24 h';
  }

  readonly #data = new PollController<HealthSeries>(
    this,
    (signal) => {
      const [hours, limit] = WINDOWS[this.window];
      return api.v1(
        `/devices/${this.deviceId}/health`,
        HealthSeriesSchema,
        { from: hoursAgo(hours), limit: String(limit) },
        signal,
      );
    },
    30_000,
  );

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('deviceId') && changed.get('deviceId')) void this.#data.refresh();
  }

  #render(s: HealthSeries) {
    const latest = s.points.at(-1);
    const h = latest?.health;
    return html`
      <div class="row">
        <select data-testid="health-window" @change=${(e: Event) => ((this.window = (e.target as HTMLSelectElement).value as keyof typeof WINDOWS), void this.#data.refresh())}>
          ${Object.keys(WINDOWS).map((w) => html`<option ?selected=${w === this.window}>${w}</option>`)}
        </select>
        <span class="muted" data-testid="health-points">${s.points.length} reports in the window${s.truncated ? ' (the newest shown)' : ''}</span>
      </div>
      ${
        !h
          ? html`<p class="muted" data-testid="health-latest">No health reported in this window.</p>`
          : html`${this.#latest(latest.ts, h)}${this.#charts(s)}`
      }
    `;
  }

  #latest(ts: string, h: DeviceHealth) {
    return html`<table data-testid="health-latest">
            <tbody>
              <tr><th>Storage</th><td class=${storageAlarm(h) ? 'error' : ''}>${storageText(h)}</td><th>Battery</th><td class=${batteryAlarm(h) ? 'error' : ''}>${batteryText(h)}</td></tr>
              <tr><th>JS heap</th><td>${heapText(h)}</td><th>Network</th><td>${networkText(h)}${h.downlinkMbps === undefined ? '' : ` · ${h.downlinkMbps} Mbit/s`}</td></tr>
              <tr><th>CPU pressure</th><td>${h.cpuPressure ?? '—'}</td><th>Uptime</th><td>${uptime(h.uptimeSec)}</td></tr>
              <tr><th>App</th><td>${h.appVersion ?? '—'}</td><th>Browser</th><td>${h.browser ?? '—'}</td></tr>
              ${h.setAsideBatches ? html`<tr><th>Refused log batches</th><td colspan="3" class="error" data-testid="health-set-aside">${h.setAsideBatches} set aside on the device: the server refused them (400/413/422); their records stay in the device's log export</td></tr>` : ''}
              <tr><th>Received</th><td colspan="3">${when(ts)}${h.measuredAt ? html` <span class="muted">(measured ${when(h.measuredAt)} on the device's clock)</span>` : ''}</td></tr>
            </tbody>
          </table>`;
  }

  #charts(s: HealthSeries) {
    // Minutes and the day for a normal series; seconds too when its points are closer than that.
    const span = s.points.length > 1 ? Date.parse(s.points.at(-1)!.ts) - Date.parse(s.points[0]!.ts) : 0;
    const labels = s.points.map((p) =>
      span < s.points.length * 60_000 ? `${p.ts.slice(11, 19)}Z` : bucketLabel(p.ts, 'hour'),
    );
    const line = (f: (p: HealthSeries['points'][number]) => number | null | undefined) =>
      s.points.map((p) => f(p) ?? null);
    return html`
      <div class="grid2">
        <section><h3>Storage used (% of quota)</h3><ts-chart label="storage" .config=${lineChart(labels, [
          {
            label: 'storage %',
            data: line((p) => {
              const x = storageShare(p.health);
              return x === null ? null : x * 100;
            }),
          },
        ])}></ts-chart></section>
        <section><h3>JS heap used (MiB)</h3><ts-chart label="heap" .config=${lineChart(labels, [
          // The limit (in the table above) is usually 30× the use: on the same axis the use would be a flat line.
          {
            label: 'heap MiB',
            data: line((p) => (p.health.heapUsedBytes === undefined ? null : p.health.heapUsedBytes / MIB)),
          },
        ])}></ts-chart></section>
        <section><h3>Battery (%)</h3><ts-chart label="battery" .config=${lineChart(labels, [{ label: 'battery %', data: line((p) => (p.health.batteryLevel === undefined ? null : p.health.batteryLevel * 100)) }])}></ts-chart></section>
        <section><h3>Network round trip (ms)</h3><ts-chart label="rtt" .config=${lineChart(labels, [{ label: 'rtt ms', data: line((p) => p.health.rttMs) }])}></ts-chart></section>
      </div>
    `;
  }

  override render() {
    return view(this.#data.state, (s) => this.#render(s), 'the device health');
  }
}

customElements.define('device-health-panel', DeviceHealthPanel);
