// The drift report as a plain-text table for a terminal.

import { formatNumber, formatPercent, listSome, printable, TEST_LABELS, thresholdText } from './format.ts';
import type { DriftReport } from './schema.ts';

function table(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - [...cell].length);
        return rightAligned.has(i) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

export function renderDriftReportText(report: DriftReport): string {
  const lines = [
    `Dataset drift: ${report.drift ? 'YES' : 'no'} (${report.nDrifted} of ${report.nColumns} column${report.nColumns === 1 ? '' : 's'} drifted, ` +
      `${formatPercent(report.share)}; dataset drift at >= ${formatPercent(report.driftShare)})`,
    '',
  ];
  const rows = [['column', 'kind', 'n ref', 'n cur', 'test', 'score', 'drift if', 'JS', 'PSI', 'drift']];
  for (const [name, c] of Object.entries(report.columns)) {
    rows.push([
      printable(name),
      c.kind,
      String(c.nReference),
      String(c.nCurrent),
      TEST_LABELS[c.test.method],
      formatNumber(c.test.score),
      thresholdText(c.test),
      formatNumber(c.jensenShannon),
      formatNumber(c.psi),
      c.drift ? 'DRIFT' : '-',
    ]);
  }
  lines.push(...table(rows, new Set([2, 3, 5, 7, 8])));
  const unseen = Object.entries(report.columns).flatMap(([name, c]) =>
    c.kind === 'categorical' && c.unseen.length > 0
      ? [`${printable(name)}: ${listSome(c.unseen.map((u) => printable(u)))}`]
      : [],
  );
  if (unseen.length > 0)
    lines.push('', 'categories in current that reference never had:', ...unseen.map((u) => `  ${u}`));
  if (report.ignoredColumns.length > 0) {
    lines.push(
      '',
      `note: column${report.ignoredColumns.length === 1 ? '' : 's'} only in current, not compared: ${listSome(
        report.ignoredColumns.map((u) => printable(u)),
        50,
      )}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
