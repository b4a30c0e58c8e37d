import { html, LitElement } from 'lit';
import { ReferenceProfileSchema, type NumericFeatureProfile } from '../../../../shared/drift/profile/schema.ts';
import '../../charts/chart.ts';
import { COLOURS } from '../../charts/series.ts';
import { num } from '../../components/format.ts';
import { pageStyles } from '../../components/styles.ts';
import type { ChartConfiguration } from 'chart.js';

/** Bin labels of a profile histogram: inner edges, with open first and last bins. */
function binLabels(edges: readonly number[]): string[] {
  const f = (x: number) => num(x, 2);
  return [`< ${f(edges[0]!)}`, ...edges.slice(1).map((e, i) => `${f(edges[i]!)}–${f(e)}`), `≥ ${f(edges.at(-1)!)}`];
}

const share = (counts: readonly number[]) => {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total ? c / total : 0));
};

/** Grouped bars of shares: the reference, and the current data where there is any. */
export function sharesChart(labels: string[], reference: number[], current?: number[]): ChartConfiguration {
  return {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: 'reference', data: share(reference), backgroundColor: COLOURS[4] },
        ...(current ? [{ label: 'current', data: share(current), backgroundColor: COLOURS[1] }] : []),
      ],
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'share' } } } },
  };
}

/**
 * A version's reference profile: per-feature summary and histogram, class and confidence
 * distributions. `currentClasses` (records per class from the fleet) is drawn beside the
 * reference's classes, and `currentFeature` (when given) counts the chosen feature of the stored
 * records into the reference's bins, drawn beside them.
 */
export class ProfileView extends LitElement {
  static override properties = {
    profile: { attribute: false },
    currentClasses: { attribute: false },
    currentFeature: { attribute: false },
    feature: { state: true },
    current: { state: true },
  };
  static override styles = pageStyles;
  declare profile: unknown;
  declare currentClasses: Record<string, number> | undefined;
  declare feature: string | undefined;
  /** Counts of the stored records' values of feature `index` in the bins of `edges`; undefined when there are none. */
  declare currentFeature:
    | ((index: number, edges: readonly number[]) => Promise<{ counts: number[]; total: number }>)
    | undefined;
  declare current: { key: string; counts?: number[]; total?: number; error?: string } | undefined;

  constructor() {
    super();
    this.profile = undefined;
    this.currentClasses = undefined;
    this.currentFeature = undefined;
    this.feature = undefined;
    this.current = undefined;
  }

  /** Fetches the current histogram of the chosen feature once per feature (and per loader). */
  #loadCurrent(index: number, name: string, edges: readonly number[]) {
    const load = this.currentFeature;
    const key = `${name}:${edges.join(',')}`;
    if (!load || this.current?.key === key) return;
    this.current = { key };
    load(index, edges).then(
      (h) => this.current?.key === key && (this.current = { key, counts: h.counts, total: h.total }),
      (err: unknown) => this.current?.key === key && (this.current = { key, error: (err as Error).message }),
    );
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('currentFeature')) this.current = undefined;
  }

  /** Reference and current over every class either side has (a class the reference never predicted shows as 0 there). */
  #classChart(labels: string[], counts: number[]) {
    const current = this.currentClasses;
    if (!current) return sharesChart(labels, counts);
    const all = [
      ...labels,
      ...Object.keys(current)
        .filter((k) => !labels.includes(k))
        .sort(),
    ];
    return sharesChart(
      all,
      all.map((l) => counts[labels.indexOf(l)] ?? 0),
      all.map((l) => current[l] ?? 0),
    );
  }

  #currentNote() {
    const c = this.current;
    if (!this.currentFeature) return html`<span class="muted">reference only</span>`;
    if (!c || (c.counts === undefined && c.error === undefined))
      return html`<span class="muted">loading the devices' values…</span>`;
    if (c.error) return html`<span class="error" role="alert">${c.error}</span>`;
    return html`<span class="muted" data-testid="feature-current">${c.total ? `current: ${c.total} records in the window` : 'no records with this feature in the window (devices that do not log inputs send none)'}</span>`;
  }

  override render() {
    if (this.profile === undefined) return html`<p class="muted">This version has no reference profile.</p>`;
    const parsed = ReferenceProfileSchema.safeParse(this.profile);
    if (!parsed.success)
      return html`<p class="warn">The reference profile does not follow the profile schema; shown as stored:</p><pre>${JSON.stringify(this.profile, null, 1).slice(0, 4000)}</pre>`;
    const p = parsed.data;
    const numeric = p.features.filter((f): f is NumericFeatureProfile => f.kind === 'numeric');
    const chosen = numeric.find((f) => f.name === this.feature) ?? numeric[0];
    if (chosen) this.#loadCurrent(p.features.indexOf(chosen), chosen.name, chosen.histogram.edges);
    const classes = p.classes;
    return html`
      <p class="muted">${p.rows} training rows, ${p.features.length} features.</p>
      <table data-testid="profile-features">
        <thead><tr><th>Feature</th><th>Kind</th><th>Mean</th><th>Std</th><th>Min</th><th>Max</th><th>Missing</th></tr></thead>
        <tbody>${p.features.map((f) =>
          f.kind === 'numeric'
            ? html`<tr><td>${f.name}</td><td>numeric</td><td>${num(f.mean, 3)}</td><td>${num(f.variance === null ? null : Math.sqrt(f.variance), 3)}</td><td>${num(f.min, 3)}</td><td>${num(f.max, 3)}</td><td>${f.missing}</td></tr>`
            : html`<tr><td>${f.name}</td><td>categorical (${f.categories.length})</td><td colspan="4">${f.categories.slice(0, 8).join(', ')}</td><td>${f.missing}</td></tr>`,
        )}</tbody>
      </table>
      <div class="grid2">
        ${
          chosen
            ? html`<section>
              <div class="row"><b>Feature histogram</b>
                <select data-testid="profile-feature" @change=${(e: Event) => (this.feature = (e.target as HTMLSelectElement).value)}>
                  ${numeric.map((f) => html`<option ?selected=${f === chosen}>${f.name}</option>`)}
                </select>
                ${this.#currentNote()}</div>
              <ts-chart label="feature histogram" .config=${sharesChart(binLabels(chosen.histogram.edges), chosen.histogram.counts, this.current?.total ? this.current.counts : undefined)}></ts-chart>
            </section>`
            : ''
        }
        ${
          classes
            ? html`<section><b>Class distribution${this.currentClasses ? ': reference vs fleet records' : ''}</b>
              <ts-chart label="class distribution" data-testid="class-chart" .config=${this.#classChart(classes.labels, classes.counts)}></ts-chart></section>`
            : ''
        }
        ${
          p.confidence
            ? html`<section><b>Confidence (reference)</b>
              <ts-chart label="confidence histogram" .config=${sharesChart(
                p.confidence.counts.map((_, i) => `${(i / p.confidence!.counts.length).toFixed(2)}`),
                p.confidence.counts,
              )}></ts-chart></section>`
            : ''
        }
      </div>
    `;
  }
}

customElements.define('profile-view', ProfileView);
