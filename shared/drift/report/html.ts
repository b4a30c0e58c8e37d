// The drift report as one self-contained HTML page: inline CSS and SVG, no
// scripts, fonts or links to fetch, so it opens offline and can be mailed or
// archived as is. Every string from the data is escaped.

import { renderChart } from './chart.ts';
import {
  columnNumbers,
  escapeHtml,
  formatNumber,
  formatPercent,
  listSome,
  TEST_LABELS,
  thresholdText,
} from './format.ts';
import { DISTANCE_THRESHOLD, P_VALUE_THRESHOLD, SMALL_REFERENCE_MAX, WASSERSTEIN_MIN_NORM } from './rules.ts';
import type { ColumnReport, DriftReport } from './schema.ts';

export interface HtmlReportOptions {
  /** Shown as the sources of the comparison, e.g. the CSV paths. */
  referenceName?: string;
  currentName?: string;
  /** Shown in the header; passed in so rendering stays a pure function. */
  generatedAt?: string;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:0;background:#f6f7f9}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0 0 8px;word-break:break-word}
.meta{color:#555;margin:0 0 16px}code{background:#eef0f3;padding:1px 4px;border-radius:3px;word-break:break-all}
.summary{padding:14px 16px;border-radius:6px;margin-bottom:18px;font-size:16px}
.summary.drift{background:#fde8e6;border:1px solid #e9a59d}.summary.ok{background:#e7f5ea;border:1px solid #9fd0aa}
table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e3e5e8}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;vertical-align:middle}
.badge.drift{background:#c0392b;color:#fff}.badge.ok{background:#2e8b57;color:#fff}
section.column{background:#fff;border:1px solid #e3e5e8;border-radius:6px;padding:16px;margin:18px 0}
.cols{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}.cols table{width:auto;min-width:300px}
.chart{max-width:100%;height:auto}.note{color:#555}footer{color:#555;font-size:13px;margin-top:28px}
`;

function badge(drift: boolean): string {
  return drift ? '<span class="badge drift">drift</span>' : '<span class="badge ok">no drift</span>';
}

function verdictLine(c: ColumnReport): string {
  const cmp = c.test.rule === 'score < threshold' ? '&lt;' : '&ge;';
  return `${escapeHtml(TEST_LABELS[c.test.method])} = ${escapeHtml(formatNumber(c.test.score))}; drift when ${cmp} ${escapeHtml(formatNumber(c.test.threshold))}`;
}

function columnSection(name: string, c: ColumnReport, index: number): string {
  const rows = [['kind', c.kind], ...columnNumbers(c)];
  const table = rows
    .map(([k, v]) => `<tr><th>${escapeHtml(k!)}</th><td class="num">${escapeHtml(v!)}</td></tr>`)
    .join('');
  const unseen =
    c.kind === 'categorical' && c.unseen.length > 0
      ? `<p class="note">Categories in current that reference never had: ${escapeHtml(
          listSome(
            c.unseen.map((u) => JSON.stringify(u)),
            20,
          ),
        )}</p>`
      : '';
  return (
    `<section class="column" id="col-${index}"><h2>${escapeHtml(name)} ${badge(c.drift)}</h2>` +
    `<p>${verdictLine(c)}</p><div class="cols"><table>${table}</table>` +
    `${renderChart(c, `${name}: share of values per ${c.kind === 'numeric' ? 'equal-width bin over both samples' : 'category'}`)}</div>${unseen}</section>`
  );
}

function overview(entries: [string, ColumnReport][]): string {
  const head = '<tr><th>column</th><th>kind</th><th>test</th><th>score</th><th>drift if</th><th>verdict</th></tr>';
  const body = entries
    .map(
      ([name, c], i) =>
        `<tr><td><a href="#col-${i}">${escapeHtml(name)}</a></td><td>${c.kind}</td><td>${escapeHtml(TEST_LABELS[c.test.method])}</td>` +
        `<td class="num">${escapeHtml(formatNumber(c.test.score))}</td><td>${escapeHtml(thresholdText(c.test))}</td><td>${badge(c.drift)}</td></tr>`,
    )
    .join('');
  return `<table>${head}${body}</table>`;
}

const RULES =
  `Verdicts follow Evidently's defaults. With at most ${SMALL_REFERENCE_MAX} reference values in a column: numeric columns drift when the ` +
  `two-sample Kolmogorov–Smirnov p-value is below ${P_VALUE_THRESHOLD}, categorical ones when the chi-square homogeneity p-value is below ` +
  `${P_VALUE_THRESHOLD}. With more: numeric columns drift when the Wasserstein distance divided by the reference standard deviation ` +
  `(at least ${WASSERSTEIN_MIN_NORM}) is at least ${DISTANCE_THRESHOLD}, categorical ones when the Jensen–Shannon distance (base 2) is at ` +
  `least ${DISTANCE_THRESHOLD}. The dataset drifts when at least half of the columns drift. Empty fields are missing values and are left out.`;

export function renderDriftReportHtml(report: DriftReport, options: HtmlReportOptions = {}): string {
  const entries = Object.entries(report.columns);
  const sources =
    `reference <code>${escapeHtml(options.referenceName ?? 'reference')}</code> (${report.nReferenceRows} rows) · ` +
    `current <code>${escapeHtml(options.currentName ?? 'current')}</code> (${report.nCurrentRows} rows)` +
    (options.generatedAt ? ` · ${escapeHtml(options.generatedAt)}` : '');
  const summary =
    `<div class="summary ${report.drift ? 'drift' : 'ok'}"><strong>Dataset drift: ${report.drift ? 'detected' : 'not detected'}</strong> — ` +
    `${report.nDrifted} of ${report.nColumns} column${report.nColumns === 1 ? '' : 's'} drifted ` +
    `(${escapeHtml(formatPercent(report.share))}; the dataset drifts at ${escapeHtml(formatPercent(report.driftShare))} or more)</div>`;
  const ignored =
    report.ignoredColumns.length > 0
      ? `<p class="note">Only in current, not compared: ${escapeHtml(
          listSome(
            report.ignoredColumns.map((c) => JSON.stringify(c)),
            50,
          ),
        )}</p>`
      : '';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Drift report${report.drift ? ' — drift detected' : ''}</title><style>${STYLE}</style></head>`,
    '<body><main>',
    `<h1>Drift report</h1><p class="meta">${sources}</p>`,
    summary,
    overview(entries),
    ignored,
    ...entries.map(([name, c], i) => columnSection(name, c, i)),
    `<footer>${escapeHtml(RULES)}</footer>`,
    '</main></body></html>',
    '',
  ].join('\n');
}
