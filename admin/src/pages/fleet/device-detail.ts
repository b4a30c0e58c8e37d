import { html, LitElement } from 'lit';
import {
  DeviceDetailSchema,
  DeviceMetricsSchema,
  DeviceSchema,
  type DeviceDetail,
  type DeviceMetrics,
} from '../../../../shared/protocol/index.ts';
import { PollController } from '../../../../shared/ui/poll-controller.ts';
import { api, errorText } from '../../api.ts';
import '../../charts/chart.ts';
import { bucketLabel, lineChart } from '../../charts/series.ts';
import '../../components/drift-events.ts';
import './device-health.ts';
import { formatBytes } from '../../../../shared/format/bytes.ts';
import { hoursAgo, when } from '../../components/format.ts';
import { view } from '../../components/load.ts';
import { pageStyles } from '../../components/styles.ts';
import { can } from '../../session.ts';

const WINDOWS = { '24 h': 24, '7 days': 168, '30 days': 720 } as const;

/** Flattens a document part into dotted keys, so desired and reported line up field by field. */
function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out[prefix] = typeof value === 'string' ? value : JSON.stringify(value);
  return out;
}

/** Desired vs applied config version, and why the device refused one (README "Remote configuration"). */
function configStatus(detail: DeviceDetail) {
  const want = detail.desired.configVersion;
  const have = detail.reported.configVersion;
  if (want === undefined && have === undefined) return html`<span class="muted">no remote config</span>`;
  const inLine = want === have && !detail.reported.configError;
  return html`desired version <b data-testid="config-desired">${want ?? '—'}</b> · applied <b data-testid="config-applied">${have ?? '—'}</b>
    ${inLine ? html` · <span class="ok">in line</span>` : want !== have && !detail.reported.configError ? html` · <span class="muted">waiting for the device's next sync</span>` : ''}
    ${detail.reported.configError ? html`<br /><span class="error" data-testid="config-refused">${detail.reported.configError}</span>` : ''}`;
}

/** One device: its document (desired vs reported), charts over time, events, uploads; revoke. */
export class DeviceDetailPage extends LitElement {
  static override properties = {
    deviceId: {},
    window: { state: true },
    error: { state: true },
    revoking: { state: true },
  };
  static override styles = pageStyles;
  declare deviceId: string;
  declare window: keyof typeof WINDOWS;
  declare error: string | undefined;
  declare revoking: boolean;

  constructor() {
    super();
    this.deviceId = '';
    this.window = '24 h';
    this.error = undefined;
    this.revoking = false;
  }

  readonly #data = new PollController<{ detail: DeviceDetail; metrics: DeviceMetrics }>(
    this,
    async (signal) => {
      const hours = WINDOWS[this.window];
      const [detail, metrics] = await Promise.all([
        api.v1(`/devices/${this.deviceId}/detail`, DeviceDetailSchema, {}, signal),
        api.v1(
          `/devices/${this.deviceId}/metrics`,
          DeviceMetricsSchema,
          { bucket: hours > 48 ? 'day' : 'hour', from: hoursAgo(hours) },
          signal,
        ),
      ]);
      return { detail, metrics };
    },
    15_000,
  );

  protected override willUpdate(changed: Map<string, unknown>): void {
    // The same element shows another device when the route changes.
    if (changed.has('deviceId') && changed.get('deviceId')) void this.#data.refresh();
  }

  async #revoke(name: string) {
    if (!confirm(`Revoke ${name}? Its token stops working at once.`)) return;
    this.revoking = true;
    this.error = undefined;
    try {
      await api.send('DELETE', `/devices/${this.deviceId}`, DeviceSchema);
      await this.#data.refresh();
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.revoking = false;
    }
  }

  #render({ detail, metrics }: { detail: DeviceDetail; metrics: DeviceMetrics }) {
    const d = detail.device;
    const desired = flatten(detail.desired);
    const reported = flatten(detail.reported);
    const keys = [...new Set([...Object.keys(desired), ...Object.keys(reported)])].sort();
    const labels = metrics.buckets.map((b) => bucketLabel(b.start, metrics.bucket));
    return html`
      <h2 data-testid="device-name">${d.name}</h2>
      <p class="muted"><code>${d.id}</code> · enrolled ${when(d.enrolledAt)} · last seen ${when(d.lastSeenAt)}
        ${d.revokedAt ? html` · <span class="error">revoked ${when(d.revokedAt)}</span>` : ''}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${can('manageDevices') && !d.revokedAt ? html`<button data-testid="revoke-device" ?disabled=${this.revoking} @click=${() => this.#revoke(d.name)}>${this.revoking ? 'Revoking…' : 'Revoke device'}</button>` : ''}
      <h3>Remote configuration</h3>
      <p data-testid="config-status">${configStatus(detail)}</p>
      <h3>Document: desired vs reported</h3>
      <table data-testid="desired-reported">
        <thead><tr><th>Field</th><th>Desired (server)</th><th>Reported (device)</th></tr></thead>
        <tbody>${keys.map((k) => html`<tr><td><code>${k}</code></td><td class="mono">${desired[k] ?? ''}</td><td class="mono">${reported[k] ?? ''}</td></tr>`)}</tbody>
      </table>
      <div class="row">
        <h3>Over time</h3>
        <select data-testid="window" @change=${(e: Event) => ((this.window = (e.target as HTMLSelectElement).value as keyof typeof WINDOWS), void this.#data.refresh())}>
          ${Object.keys(WINDOWS).map((w) => html`<option ?selected=${w === this.window}>${w}</option>`)}
        </select>
        <span class="muted">${metrics.totals.count} inferences in the window</span>
      </div>
      <div class="grid2">
        <section><h3>Latency (ms)</h3><ts-chart label="latency" .config=${lineChart(labels, [
          { label: 'p50', data: metrics.buckets.map((b) => b.latencyMs.p50) },
          { label: 'p95', data: metrics.buckets.map((b) => b.latencyMs.p95) },
          { label: 'p99', data: metrics.buckets.map((b) => b.latencyMs.p99) },
        ])}></ts-chart></section>
        <section><h3>Mean confidence</h3><ts-chart label="confidence" .config=${lineChart(labels, [{ label: 'mean confidence', data: metrics.buckets.map((b) => b.meanConfidence) }])}></ts-chart></section>
        <section><h3>Inferences, drift alarm and warning records</h3><ts-chart label="inferences" .config=${lineChart(
          labels,
          [
            { label: 'inferences', data: metrics.buckets.map((b) => b.count) },
            { label: 'drift alarms', data: metrics.buckets.map((b) => b.driftAlarms) },
            { label: 'drift warnings', data: metrics.buckets.map((b) => b.driftWarnings) },
          ],
          { type: 'bar' },
        )}></ts-chart></section>
      </div>
      <h3>Health</h3>
      <device-health-panel .deviceId=${d.id}></device-health-panel>
      <h3>Drift events (${detail.eventCount} in the document, ${detail.unacknowledgedEvents} open${detail.eventSummary.count ? `, ${detail.eventSummary.count} compacted` : ''})</h3>
      <drift-events .filter=${{ deviceId: d.id }} .names=${{ [d.id]: d.name }} @changed=${() => this.#data.refresh()}></drift-events>
      <h3>Recent logs</h3>
      <p data-testid="uploads">${detail.uploads.batches} batches, ${detail.uploads.records} records (${formatBytes(detail.uploads.bytes)}); last batch
        <code>${detail.uploads.lastBatchId ?? '—'}</code> received ${when(detail.uploads.lastReceivedAt)}, newest record ${when(detail.uploads.lastRecordAt)}.
        <span class="muted">The server keeps per-record metrics, not inputs; the charts above are built from them.</span></p>
    `;
  }

  override render() {
    return html`<p><a href="#/fleet">← Fleet</a></p>${view(this.#data.state, (v) => this.#render(v), 'the device')}`;
  }
}

customElements.define('device-detail', DeviceDetailPage);
