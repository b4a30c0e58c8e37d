import { html, LitElement } from 'lit';
import { computeDriftReport, type CsvTable, type DriftReport } from '../../../../shared/drift/report/index.ts';
import { FleetMetricsSchema, type FleetMetrics } from '../../../../shared/protocol/index.ts';
import { api, errorText } from '../../api.ts';
import '../../charts/chart.ts';
import { num } from '../../components/format.ts';
import { pageStyles } from '../../components/styles.ts';
import { featureReport, featureReportView, type FeatureReport } from './feature-report.ts';
import { sharesChart } from './profile-view.ts';

/** Longest window the report reads (the fleet series' limit of 31 days of hours). */
const MAX_WINDOW_MS = 31 * 86_400_000;
const COLUMN = 'predicted_class';

/**
 * The predicted classes of a window as a one-column table. The server keeps exact counts per class
 * and hour, so the column is the records' own, in no particular order (which the tests ignore).
 */
export function classTable(classes: Record<string, number>): CsvTable {
  const rows: string[][] = [];
  for (const [label, n] of Object.entries(classes)) for (let i = 0; i < n; i++) rows.push([label]);
  return { header: [COLUMN], rows, lines: rows.map((_, i) => i + 2) };
}

const local = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/**
 * The drift report (shared/drift/report, as `tinysphere drift-report` computes it) between two time
 * windows, optionally of two model versions, over the fleet or a group: prediction drift of the
 * class distribution, from the records' hourly class counts, and — when both windows name a model
 * version — drift of each input feature, from samples of the stored inputs (feature-report.ts).
 */
export class DriftReportForm extends LitElement {
  static override properties = {
    groupId: {},
    versions: { attribute: false },
    report: { state: true },
    features: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  static override styles = pageStyles;
  declare groupId: string;
  declare versions: string[];
  declare report: DriftReport | undefined;
  declare features: FeatureReport | undefined;
  declare error: string | undefined;
  declare busy: boolean;

  constructor() {
    super();
    this.groupId = '';
    this.versions = [];
    this.report = undefined;
    this.features = undefined;
    this.error = undefined;
    this.busy = false;
  }

  async #submit(e: SubmitEvent) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const window = (side: 'ref' | 'cur') => {
      const from = Date.parse(String(f.get(`${side}From`)));
      const to = Date.parse(String(f.get(`${side}To`)));
      if (!(to > from))
        throw new Error(`The ${side === 'ref' ? 'reference' : 'current'} window must end after it starts.`);
      if (to - from > MAX_WINDOW_MS) throw new Error('A window may span at most 31 days.');
      return {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        groupId: this.groupId || undefined,
        modelVersion: String(f.get(`${side}Version`) ?? '') || undefined,
      };
    };
    const metrics = (w: ReturnType<typeof window>): Promise<FleetMetrics> =>
      api.v1('/fleet/metrics', FleetMetricsSchema, { bucket: 'hour', ...w });
    this.busy = true;
    this.error = undefined;
    this.report = undefined;
    this.features = undefined;
    try {
      const [refWindow, curWindow] = [window('ref'), window('cur')];
      const [ref, cur] = await Promise.all([metrics(refWindow), metrics(curWindow)]);
      if (!ref.totals.count || !cur.totals.count)
        throw new Error(`No records in the ${!ref.totals.count ? 'reference' : 'current'} window.`);
      this.report = computeDriftReport(classTable(ref.totals.classes), classTable(cur.totals.classes), {
        referenceName: 'reference window',
        currentName: 'current window',
      });
      const [refVersion, curVersion] = [refWindow.modelVersion, curWindow.modelVersion];
      this.features =
        refVersion && curVersion
          ? await featureReport({ ...refWindow, modelVersion: refVersion }, { ...curWindow, modelVersion: curVersion })
          : { note: 'Choose a model version for both windows to compare their input features as well.' };
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  #result(r: DriftReport) {
    const c = r.columns[COLUMN];
    if (c?.kind !== 'categorical') return '';
    return html`
      <p data-testid="report-verdict" class=${r.drift ? 'error' : 'ok'}>${r.drift ? 'Drift detected' : 'No drift'} in the predicted classes
        (${r.nReferenceRows} reference records, ${r.nCurrentRows} current).</p>
      <table>
        <tr><th>Test</th><td>${c.test.method}: score ${num(c.test.score, 4)} (${c.test.rule.replace('threshold', num(c.test.threshold, 3))})</td></tr>
        <tr><th>χ²</th><td>${num(c.chiSquare.statistic, 3)}, p = ${num(c.chiSquare.pValue, 4)}, dof ${c.chiSquare.dof}</td></tr>
        <tr><th>Jensen–Shannon / PSI</th><td>${num(c.jensenShannon, 4)} / ${num(c.psi, 4)}</td></tr>
        <tr><th>Classes only in current</th><td>${c.unseen.join(', ') || '—'}</td></tr>
      </table>
      <ts-chart label="class distribution, reference vs current window" .config=${sharesChart(c.histogram.categories, c.histogram.reference, c.histogram.current)}></ts-chart>
    `;
  }

  override render() {
    const h = 3_600_000;
    // Whole hours: the server widens windows to whole buckets, so these defaults never overlap.
    const now = Math.floor(Date.now() / h) * h;
    const versions = html`<option value="">any version</option>${this.versions.map((v) => html`<option>${v}</option>`)}`;
    return html`
      <form class="inline" data-testid="drift-report-form" @submit=${this.#submit}>
        <label>Reference from<input type="datetime-local" name="refFrom" .value=${local(now - 24 * h)} /></label>
        <label>to<input type="datetime-local" name="refTo" .value=${local(now - 3 * h)} /></label>
        <label>version<select name="refVersion">${versions}</select></label>
        <label>Current from<input type="datetime-local" name="curFrom" .value=${local(now - 3 * h)} /></label>
        <label>to<input type="datetime-local" name="curTo" .value=${local(now + h)} /></label>
        <label>version<select name="curVersion">${versions}</select></label>
        <button ?disabled=${this.busy}>${this.busy ? 'Computing…' : 'Compute report'}</button>
      </form>
      ${this.busy ? html`<progress aria-label="computing"></progress>` : ''}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${this.report ? this.#result(this.report) : ''}
      ${this.features ? html`<h4>Input features</h4>${featureReportView(this.features)}` : ''}
    `;
  }
}

customElements.define('drift-report-form', DriftReportForm);
