// Formatting shared by the text table and the HTML report.

import type { ColumnReport, DriftTest } from './schema.ts';

/** Short human name of a test's score. */
export const TEST_LABELS: Readonly<Record<DriftTest['method'], string>> = {
  ks: 'KS p-value',
  chisquare: 'chi-square p-value',
  wasserstein_normed: 'Wasserstein (normed)',
  jensenshannon: 'Jensen-Shannon distance',
};

/** Four significant digits, exponent form for very small or large magnitudes. */
export function formatNumber(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e7) return x.toExponential(2);
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}

export function formatPercent(share: number): string {
  return `${String(Number((share * 100).toFixed(1)))} %`;
}

/** "< 0.05" or "≥ 0.1": the condition under which the score means drift. */
export function thresholdText(test: DriftTest): string {
  return `${test.rule === 'score < threshold' ? '<' : '>='} ${formatNumber(test.threshold)}`;
}

/** The whole HTML-special set, so the result is safe in text and in quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

/** A name safe to print on a terminal: control characters (newlines, escape sequences) shown as JSON escapes. */
export function printable(s: string): string {
  return /[\u0000-\u001f\u007f-\u009f]/.test(s) ? JSON.stringify(s) : s;
}

/** At most `max` items joined with ", ", then "… and N more". */
export function listSome(items: readonly string[], max = 10): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown}, … and ${items.length - max} more` : shown;
}

/** The score's headline numbers of a column, as label/value pairs. */
export function columnNumbers(c: ColumnReport): [string, string][] {
  const rows: [string, string][] = [
    ['values (reference / current)', `${c.nReference} / ${c.nCurrent}`],
    ['missing (reference / current)', `${c.nMissingReference} / ${c.nMissingCurrent}`],
  ];
  if (c.kind === 'numeric') {
    rows.push(
      ['KS statistic', formatNumber(c.ks.statistic)],
      ['KS p-value', `${formatNumber(c.ks.pValue)} (${c.ks.method})`],
      ['Wasserstein distance', formatNumber(c.wasserstein)],
      ['Wasserstein / std(reference)', formatNumber(c.wassersteinNormed)],
    );
  } else {
    rows.push(
      ['chi-square statistic', `${formatNumber(c.chiSquare.statistic)} (dof ${c.chiSquare.dof})`],
      ['chi-square p-value', formatNumber(c.chiSquare.pValue)],
    );
  }
  rows.push(['Jensen-Shannon distance', formatNumber(c.jensenShannon)], ['PSI', formatNumber(c.psi)]);
  return rows;
}
