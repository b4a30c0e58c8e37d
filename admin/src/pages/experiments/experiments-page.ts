import { html, LitElement } from 'lit';
import { PollController } from '../../../../shared/ui/poll-controller.ts';
import { errorText } from '../../api.ts';
import { when } from '../../components/format.ts';
import { view } from '../../components/load.ts';
import { pageStyles } from '../../components/styles.ts';
import { metricHistory, searchExperiments, searchRuns, type Metric, type Run } from './mlflow-data.ts';
import { historyChart } from './run-view.ts';
import './run-view.ts';

/** `#/experiments`: MLflow experiments and their runs, compare runs; `#/experiments/run/<id>`: one run. */
export class ExperimentsPage extends LitElement {
  static override properties = {
    arg: {},
    experimentId: { state: true },
    expTokens: { state: true },
    runs: { state: true },
    runTokens: { state: true },
    nextRuns: { state: true },
    picked: { state: true },
    compareKey: { state: true },
    compared: { state: true },
    error: { state: true },
  };
  static override styles = pageStyles;
  declare arg: string | undefined;
  declare experimentId: string | undefined;
  declare expTokens: (string | undefined)[];
  declare runs: Run[];
  declare runTokens: (string | undefined)[];
  declare nextRuns: string | undefined;
  declare picked: string[];
  declare compareKey: string;
  declare compared: { label: string; points: Metric[] }[];
  declare error: string | undefined;

  constructor() {
    super();
    this.arg = undefined;
    this.experimentId = undefined;
    this.expTokens = [undefined];
    this.runs = [];
    this.runTokens = [undefined];
    this.nextRuns = undefined;
    this.picked = [];
    this.compareKey = '';
    this.compared = [];
    this.error = undefined;
  }

  readonly #experiments = new PollController(
    this,
    (signal) => searchExperiments(this.expTokens.at(-1), signal),
    60_000,
  );

  async #openExperiment(id: string, tokens: (string | undefined)[] = [undefined]) {
    this.experimentId = id;
    this.runTokens = tokens;
    this.error = undefined;
    try {
      const page = await searchRuns(id, tokens.at(-1));
      this.runs = page.runs;
      this.nextRuns = page.next_page_token;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  #toggle(runId: string, on: boolean) {
    this.picked = on ? [...this.picked, runId] : this.picked.filter((r) => r !== runId);
  }

  async #compare(key: string) {
    this.compareKey = key;
    try {
      const runs = this.runs.filter((r) => this.picked.includes(r.info.run_id));
      const hist = await Promise.all(runs.map((r) => metricHistory(r.info.run_id, key)));
      this.compared = runs.map((r, i) => ({ label: r.info.run_name, points: hist[i]! }));
    } catch (err) {
      this.error = errorText(err);
    }
  }

  #runsTable() {
    const params = [...new Set(this.runs.flatMap((r) => r.data.params.map((p) => p.key)))].sort();
    const metrics = [...new Set(this.runs.flatMap((r) => r.data.metrics.map((m) => m.key)))].sort();
    const picked = this.runs.filter((r) => this.picked.includes(r.info.run_id));
    return html`
      <table data-testid="runs">
        <thead><tr><th>Compare</th><th>Run</th><th>Status</th><th>Started</th>${params.map((p) => html`<th>${p}</th>`)}${metrics.map((m) => html`<th>${m}</th>`)}</tr></thead>
        <tbody>${this.runs.map(
          (r) => html`<tr>
          <td><input type="checkbox" aria-label="compare ${r.info.run_name}" .checked=${this.picked.includes(r.info.run_id)} @change=${(e: Event) => this.#toggle(r.info.run_id, (e.target as HTMLInputElement).checked)} /></td>
          <td><a href="#/experiments/run/${r.info.run_id}">${r.info.run_name}</a></td><td>${r.info.status}</td><td>${when(new Date(r.info.start_time).toISOString())}</td>
          ${params.map((p) => html`<td>${r.data.params.find((x) => x.key === p)?.value ?? ''}</td>`)}
          ${metrics.map((m) => html`<td>${r.data.metrics.find((x) => x.key === m)?.value ?? ''}</td>`)}
        </tr>`,
        )}</tbody>
      </table>
      <div class="row"><small>
        <button ?disabled=${this.runTokens.length <= 1} @click=${() => this.#openExperiment(this.experimentId!, this.runTokens.slice(0, -1))}>‹ Previous</button>
        page ${this.runTokens.length}
        <button ?disabled=${!this.nextRuns} @click=${() => this.#openExperiment(this.experimentId!, [...this.runTokens, this.nextRuns])}>Next ›</button>
      </small></div>
      ${
        picked.length >= 2
          ? html`<h3>Compare ${picked.length} runs</h3>
            <table data-testid="compare-runs">
              <thead><tr><th></th>${picked.map((r) => html`<th>${r.info.run_name}</th>`)}</tr></thead>
              <tbody>
                ${params.map((p) => html`<tr><td>param ${p}</td>${picked.map((r) => html`<td>${r.data.params.find((x) => x.key === p)?.value ?? ''}</td>`)}</tr>`)}
                ${metrics.map((m) => html`<tr><td><button @click=${() => this.#compare(m)}>${m}</button></td>${picked.map((r) => html`<td>${r.data.metrics.find((x) => x.key === m)?.value ?? ''}</td>`)}</tr>`)}
              </tbody>
            </table>
            ${this.compareKey ? html`<b>${this.compareKey} by step</b><ts-chart label="compare ${this.compareKey}" .config=${historyChart(this.compared)}></ts-chart>` : html`<p class="muted">Click a metric to chart its history for each run.</p>`}`
          : html`<p class="muted">Tick two or more runs to compare them.</p>`
      }
    `;
  }

  override render() {
    if (this.arg?.startsWith('run/'))
      return html`<p><a href="#/experiments">← Experiments</a></p><run-view .runId=${this.arg.slice(4)}></run-view>`;
    return html`
      <h2>Experiments</h2>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${view(
        this.#experiments.state,
        (p) => html`
        <table data-testid="experiments">
          <thead><tr><th>Experiment</th><th>Created</th><th>Updated</th><th>Tags</th></tr></thead>
          <tbody>${p.experiments.map(
            (x) => html`<tr class=${x.experiment_id === this.experimentId ? 'selected' : ''}>
            <td><button @click=${() => this.#openExperiment(x.experiment_id)}>${x.name}</button></td>
            <td>${when(new Date(x.creation_time).toISOString())}</td><td>${when(new Date(x.last_update_time).toISOString())}</td>
            <td>${x.tags.map((t) => html`<code>${t.key}=${t.value}</code> `)}</td></tr>`,
          )}</tbody>
        </table>
        <div class="row"><small>
          <button ?disabled=${this.expTokens.length <= 1} @click=${() => ((this.expTokens = this.expTokens.slice(0, -1)), void this.#experiments.refresh())}>‹ Previous</button>
          page ${this.expTokens.length}
          <button ?disabled=${!p.next_page_token} @click=${() => ((this.expTokens = [...this.expTokens, p.next_page_token]), void this.#experiments.refresh())}>Next ›</button>
        </small></div>
      `,
        'experiments',
      )}
      ${this.experimentId ? html`<h3>Runs</h3>${this.#runsTable()}` : ''}
    `;
  }
}

customElements.define('experiments-page', ExperimentsPage);
