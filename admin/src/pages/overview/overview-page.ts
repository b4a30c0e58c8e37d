import { html, LitElement } from 'lit';
import { z } from 'zod';
import {
  DeploymentSchema,
  DeviceSchema,
  FleetMetricsSchema,
  FleetSummarySchema,
  modelKey,
  type Deployment,
  type Device,
  type FleetMetrics,
  type FleetSummary,
} from '../../../../shared/protocol/index.ts';
import { PollController } from '../../../../shared/ui/poll-controller.ts';
import { api } from '../../api.ts';
import '../../charts/chart.ts';
import { bucketLabel, lineChart } from '../../charts/series.ts';
import { download, toCsv } from '../../components/csv.ts';
import { view } from '../../components/load.ts';
import { pageStyles } from '../../components/styles.ts';
import './attention.ts';

/** A device not heard from in this long counts as unhealthy. */
export const UNHEALTHY_AFTER_MS = 3_600_000;
const DAYS = 14;

interface Overview {
  summary: FleetSummary;
  devices: Device[];
  daily: FleetMetrics;
  production: Deployment[];
}

export function unhealthy(d: Device, now = Date.now()): boolean {
  return !d.revokedAt && (!d.lastSeenAt || now - Date.parse(d.lastSeenAt) > UNHEALTHY_AFTER_MS);
}

/** The business view: the fleet in numbers, a trend for each, and the daily series as CSV. */
export class OverviewPage extends LitElement {
  static override styles = pageStyles;
  readonly #data = new PollController<Overview>(
    this,
    async (signal) => {
      const [summary, devices, daily, deployments] = await Promise.all([
        api.v1('/fleet/summary', FleetSummarySchema, {}, signal),
        api.v1('/devices', z.array(DeviceSchema), {}, signal),
        api.v1(
          '/fleet/metrics',
          FleetMetricsSchema,
          { bucket: 'day', from: new Date(Date.now() - DAYS * 86_400_000).toISOString() },
          signal,
        ),
        api.v1('/deployments', z.object({ deployments: z.array(DeploymentSchema) }), {}, signal),
      ]);
      const production = deployments.deployments.filter(
        (d) => d.status === 'active' || d.status === 'canary' || d.status === 'paused',
      );
      return { summary, devices, daily, production };
    },
    30_000,
  );

  #csv(o: Overview) {
    const rows = [
      [
        'day',
        'inferences',
        'drift_alarms',
        'drift_warnings',
        'active_devices',
        'mean_latency_ms',
        'mean_confidence',
        'model_versions',
      ],
    ];
    for (const b of o.daily.buckets) {
      rows.push([
        b.start.slice(0, 10),
        String(b.count),
        String(b.driftAlarms),
        String(b.driftWarnings),
        String(b.activeDevices),
        b.meanLatencyMs === null ? '' : b.meanLatencyMs.toFixed(3),
        b.meanConfidence === null ? '' : b.meanConfidence.toFixed(4),
        String(Object.keys(b.byModelVersion).length),
      ]);
    }
    download(`tinysphere-overview-${new Date().toISOString().slice(0, 10)}.csv`, toCsv(rows));
  }

  #render(o: Overview) {
    const live = o.devices.filter((d) => !d.revokedAt);
    const bad = live.filter((d) => unhealthy(d)).length;
    const labels = o.daily.buckets.map((b) => bucketLabel(b.start, 'day'));
    const inProduction = [...new Set(o.production.map((d) => modelKey(d.model)))];
    const today = o.daily.buckets.at(-1);
    const series = (f: (b: FleetMetrics['buckets'][number]) => number | null) => o.daily.buckets.map(f);
    return html`
      <div class="cards" data-testid="kpis">
        <div class="card"><div class="n" data-testid="kpi-devices">${o.summary.devices}</div><div class="k">devices</div></div>
        <div class="card"><div class="n" data-testid="kpi-online">${o.summary.online}</div><div class="k">online now</div></div>
        <div class="card"><div class="n ${bad ? 'warn' : ''}" data-testid="kpi-unhealthy">${bad}</div><div class="k">unhealthy (not seen for 1 h)</div></div>
        <div class="card"><div class="n" data-testid="kpi-inferences">${today?.count ?? 0}</div><div class="k">inferences today (UTC) · ${o.summary.records} stored</div></div>
        <div class="card" title="stored records with a drift alarm (README: Drift alarms and warnings)"><div class="n" data-testid="kpi-drift">${o.summary.driftAlarms}</div><div class="k">records with a drift alarm</div></div>
        <div class="card" title="stored records with a drift warning: a detector nearing its threshold, no event"><div class="n" data-testid="kpi-drift-warnings">${o.summary.driftWarnings}</div><div class="k">records with a drift warning</div></div>
        <div class="card"><div class="n" data-testid="kpi-production">${inProduction.length}</div><div class="k">model versions in production${inProduction.length ? html`: <code>${inProduction.join(', ')}</code>` : ''}</div></div>
      </div>
      <h3>Devices needing attention</h3>
      <attention-list></attention-list>
      <div class="row"><button data-testid="export-csv" @click=${() => this.#csv(o)}>Export CSV (daily, ${DAYS} days)</button></div>
      <div class="grid2">
        <section><h3>Inferences per day</h3><ts-chart label="inferences per day" .config=${lineChart(labels, [{ label: 'inferences', data: series((b) => b.count) }], { type: 'bar' })}></ts-chart></section>
        <section><h3>Drift alarms and warnings per day (records)</h3><ts-chart label="drift alarms per day" .config=${lineChart(
          labels,
          [
            { label: 'alarm records', data: series((b) => b.driftAlarms) },
            { label: 'warning records', data: series((b) => b.driftWarnings) },
          ],
          { type: 'bar' },
        )}></ts-chart></section>
        <section><h3>Devices with inferences per day</h3><ts-chart label="active devices per day" .config=${lineChart(labels, [{ label: 'active devices', data: series((b) => b.activeDevices) }])}></ts-chart></section>
        <section><h3>Model versions running per day</h3><ts-chart label="model versions per day" .config=${lineChart(labels, [{ label: 'versions with inferences', data: series((b) => Object.keys(b.byModelVersion).length) }])}></ts-chart></section>
      </div>
    `;
  }

  override render() {
    return html`<h2>Overview</h2>${view(this.#data.state, (o) => this.#render(o), 'the fleet overview')}`;
  }
}

customElements.define('overview-page', OverviewPage);
