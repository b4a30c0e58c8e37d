import { html, type TemplateResult } from 'lit';
import type { ChartConfiguration } from 'chart.js';
import {
  computeDriftReport,
  type DriftReport,
  type NumericColumnReport,
} from '../../../../shared/drift/report/index.ts';
import { RecordSampleSchema, type RecordSample } from '../../../../shared/protocol/index.ts';
import { api } from '../../api.ts';
import { COLOURS } from '../../charts/series.ts';
import { num } from '../../components/format.ts';

/** Records read per window: enough for the tests' power, small enough to compute in the page. */
export const SAMPLE_LIMIT = 2000;

export interface FeatureWindow {
  from: string;
  to: string;
  modelVersion: string;
  groupId?: string | undefined;
}

export type FeatureReport =
  | { report: DriftReport; reference: RecordSample; current: RecordSample }
  /** Why there is no feature report (said to the person, not an error). */
  | { note: string };

const names = (s: RecordSample, width: number) =>
  s.featureNames?.length === width ? s.featureNames : Array.from({ length: width }, (_, i) => `input[${i}]`);

/**
 * The drift report's feature part: both windows' stored inputs (a reproducible sample of each, from
 * GET /fleet/record-sample) compared column by column with the same tests as `tinysphere drift-report`.
 */
export async function featureReport(ref: FeatureWindow, cur: FeatureWindow): Promise<FeatureReport> {
  const sample = (w: FeatureWindow) =>
    api.v1('/fleet/record-sample', RecordSampleSchema, { ...w, limit: SAMPLE_LIMIT });
  const [reference, current] = await Promise.all([sample(ref), sample(cur)]);
  if (!reference.total || !current.total)
    return {
      note: `No stored inputs in the ${!reference.total ? 'reference' : 'current'} window (devices log inputs of tabular models only).`,
    };
  const width = reference.features[0]!.length;
  if (current.features[0]!.length !== width)
    return {
      note: `The two versions take different inputs (${width} and ${current.features[0]!.length} features): only the predicted classes are compared.`,
    };
  const header = names(reference, width);
  const table = (s: RecordSample) => {
    const rows = s.features.filter((f) => f.length === width).map((f) => f.map(String));
    return { header, rows, lines: rows.map((_, i) => i + 2) };
  };
  const report = computeDriftReport(table(reference), table(current), {
    referenceName: 'reference window',
    currentName: 'current window',
  });
  return { report, reference, current };
}

/** The reference and current distributions of one feature over their joint range, as shares. */
function distributionChart(c: NumericColumnReport): ChartConfiguration {
  const { edges, reference, current } = c.distribution;
  const share = (xs: number[]) => {
    const total = xs.reduce((a, b) => a + b, 0) || 1;
    return xs.map((x) => x / total);
  };
  return {
    type: 'bar',
    data: {
      labels: reference.map((_, i) => num(edges[i]!, 2)),
      datasets: [
        { label: 'reference window', data: share(reference), backgroundColor: COLOURS[4] },
        { label: 'current window', data: share(current), backgroundColor: COLOURS[1] },
      ],
    },
    options: {
      scales: {
        x: { title: { display: true, text: 'bin start' } },
        y: { beginAtZero: true, title: { display: true, text: 'share' } },
      },
    },
  };
}

export function featureReportView(f: FeatureReport): TemplateResult {
  if ('note' in f) return html`<p class="muted" data-testid="feature-note">${f.note}</p>`;
  const { report, reference, current } = f;
  const columns = Object.entries(report.columns).filter(
    (e): e is [string, NumericColumnReport] => e[1].kind === 'numeric',
  );
  // The feature furthest from its reference is drawn: the smallest p-value, or the largest distance.
  const strongest = [...columns].sort(
    ([, a], [, b]) =>
      (b.drift ? 1 : 0) - (a.drift ? 1 : 0) ||
      (a.test.method === 'ks' ? a.test.score - b.test.score : b.test.score - a.test.score),
  )[0];
  const sampled = (s: RecordSample) =>
    s.features.length < s.total ? `a sample of ${s.features.length} of ${s.total}` : `${s.total}`;
  return html`
    <p data-testid="feature-verdict" class=${report.nDrifted ? 'error' : 'ok'}>
      ${report.nDrifted ? `Drift in ${report.nDrifted} of ${report.nColumns} features` : `No drift in the ${report.nColumns} features`}
      (${sampled(reference)} reference records, ${sampled(current)} current).</p>
    <table data-testid="feature-table">
      <thead><tr><th>Feature</th><th>Test</th><th>Score</th><th>Wasserstein (σ)</th><th>PSI</th><th>Drift</th></tr></thead>
      <tbody>
        ${columns.map(
          ([name, c]) => html`<tr class=${c.drift ? 'error' : ''}>
          <td>${name}</td><td>${c.test.method}</td><td>${num(c.test.score, 4)}</td><td>${num(c.wassersteinNormed, 3)}</td><td>${num(c.psi, 3)}</td><td>${c.drift ? 'yes' : 'no'}</td>
        </tr>`,
        )}
      </tbody>
    </table>
    ${strongest ? html`<ts-chart data-testid="feature-distribution" label=${`${strongest[0]}: reference vs current window`} .config=${distributionChart(strongest[1])}></ts-chart>` : ''}
  `;
}
