import { html, LitElement } from 'lit';
import '../../charts/chart.ts';
import { COLOURS } from '../../charts/series.ts';
import { errorText } from '../../api.ts';
import { when } from '../../components/format.ts';
import { pageStyles } from '../../components/styles.ts';
import { getRun, metricHistory, metricValue, versionsOfRun, type Metric, type Run } from './mlflow-data.ts';
import type { ChartConfiguration } from 'chart.js';

/** Metric histories of one or more runs, one line per run, x = step. */
export function historyChart(series: { label: string; points: Metric[] }[]): ChartConfiguration {
  return {
    type: 'line',
    data: {
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.points.map((p) => ({ x: p.step, y: metricValue(p.value) })),
        borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length],
        pointRadius: 2,
      })),
    },
    options: { scales: { x: { type: 'linear', title: { display: true, text: 'step' } } } },
  };
}

/** One run: params, latest metrics, each metric's history, and the versions registered from it. */
export class RunView extends LitElement {
  static override properties = {
    runId: {},
    run: { state: true },
    history: { state: true },
    versions: { state: true },
    error: { state: true },
  };
  static override styles = pageStyles;
  declare runId: string;
  declare run: Run | undefined;
  declare history: Record<string, Metric[]>;
  declare versions: { name: string; version: string }[];
  declare error: string | undefined;

  constructor() {
    super();
    this.runId = '';
    this.run = undefined;
    this.history = {};
    this.versions = [];
    this.error = undefined;
  }

  protected override async willUpdate(changed: Map<string, unknown>): Promise<void> {
    if (!changed.has('runId') || !this.runId) return;
    this.run = undefined;
    this.error = undefined;
    try {
      const run = await getRun(this.runId);
      const keys = [...new Set(run.data.metrics.map((m) => m.key))];
      const [hist, versions] = await Promise.all([
        Promise.all(keys.map((k) => metricHistory(run.info.run_id, k))),
        versionsOfRun(run.info.run_id),
      ]);
      this.history = Object.fromEntries(keys.map((k, i) => [k, hist[i]!]));
      this.versions = versions;
      this.run = run;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  override render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    const r = this.run;
    if (!r) return html`<p class="muted">Loading the run…</p>`;
    return html`
      <h3 data-testid="run-name">Run ${r.info.run_name} <span class="muted">(${r.info.status}, ${when(new Date(r.info.start_time).toISOString())} by ${r.info.user_id || '—'})</span></h3>
      <p>Registered versions: <span data-testid="run-versions">${
        this.versions.length
          ? this.versions.map(
              (v) => html`<a href="#/models/${encodeURIComponent(v.name)}">${v.name} v${v.version}</a> `,
            )
          : 'none'
      }</span></p>
      <div class="grid2">
        <table data-testid="run-params"><thead><tr><th>Param</th><th>Value</th></tr></thead>
          <tbody>${r.data.params.map((p) => html`<tr><td>${p.key}</td><td class="mono">${p.value}</td></tr>`)}</tbody></table>
        <table data-testid="run-metrics"><thead><tr><th>Metric</th><th>Latest</th><th>Step</th></tr></thead>
          <tbody>${r.data.metrics.map((m) => html`<tr><td>${m.key}</td><td>${m.value}</td><td>${m.step}</td></tr>`)}</tbody></table>
      </div>
      <div class="grid2">
        ${Object.entries(this.history).map(([k, points]) => html`<section><b>${k}</b><ts-chart label="history of ${k}" .config=${historyChart([{ label: k, points }])}></ts-chart></section>`)}
      </div>
    `;
  }
}

customElements.define('run-view', RunView);
