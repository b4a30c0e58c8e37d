// Reference-vs-current bar chart as inline SVG. Generated here rather than by
// a charting library so the HTML report is one self-contained file that
// renders offline, with nothing fetched at view time.

import { escapeHtml, formatNumber, formatPercent } from './format.ts';
import type { ColumnReport } from './schema.ts';

/** Categories drawn one by one; the rest are summed into one bar. */
export const MAX_CHART_CATEGORIES = 30;

export const REFERENCE_COLOUR = '#6c7a96';
export const CURRENT_COLOUR = '#e07b28';

interface Bars {
  /** Short axis labels. */
  labels: string[];
  /** Full names for the tooltips. */
  titles: string[];
  reference: number[];
  current: number[];
}

function bars(c: ColumnReport): Bars {
  if (c.kind === 'numeric') {
    const d = c.distribution;
    const single = d.reference.length === 1;
    const last = d.reference.length - 1;
    return {
      labels: d.reference.map((_, i) => formatNumber(d.edges[i]!)),
      titles: d.reference.map((_, i) =>
        single
          ? formatNumber(d.edges[0]!)
          : `[${formatNumber(d.edges[i]!)}, ${formatNumber(d.edges[i + 1]!)}${i === last ? ']' : ')'}`,
      ),
      reference: d.reference,
      current: d.current,
    };
  }
  const h = c.histogram;
  // Most frequent first, so the bars that matter are the ones shown.
  const order = h.categories
    .map((_, i) => i)
    .sort((a, b) => h.reference[b]! + h.current[b]! - (h.reference[a]! + h.current[a]!) || a - b);
  const shown = order.slice(0, MAX_CHART_CATEGORIES);
  const rest = order.slice(MAX_CHART_CATEGORIES);
  const out: Bars = {
    labels: shown.map((i) => h.categories[i]!),
    titles: shown.map((i) => h.categories[i]!),
    reference: shown.map((i) => h.reference[i]!),
    current: shown.map((i) => h.current[i]!),
  };
  if (rest.length > 0) {
    out.labels.push(`(${rest.length} other categories)`);
    out.titles.push(`(${rest.length} other categories)`);
    out.reference.push(rest.reduce((s, i) => s + h.reference[i]!, 0));
    out.current.push(rest.reduce((s, i) => s + h.current[i]!, 0));
  }
  return out;
}

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((s, x) => s + x, 0);
  return counts.map((x) => (total > 0 ? x / total : 0));
}

function truncate(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** Grouped bars of each side's share per bin or category; counts in each bar's tooltip. */
export function renderChart(c: ColumnReport, title: string): string {
  const b = bars(c);
  const ref = shares(b.reference);
  const cur = shares(b.current);
  const n = b.labels.length;
  const rotate = n > 8;
  const left = 44;
  const top = 24;
  const plotH = 160;
  const group = Math.max(22, Math.min(64, 560 / n));
  const width = left + n * group + 12;
  const bottom = rotate ? 96 : 36;
  const height = top + plotH + bottom;
  const ymax = Math.max(...ref, ...cur, 1e-9);
  const y = (v: number) => top + plotH - (v / ymax) * plotH;
  const barW = Math.max(4, (group - 6) / 2);
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" role="img" width="${r1(width)}" height="${height}" viewBox="0 0 ${r1(width)} ${height}" font-size="11" font-family="system-ui, sans-serif">`,
    `<title>${escapeHtml(title)}</title>`,
  );
  for (const t of [0, 0.5, 1]) {
    const yy = r1(y(ymax * t));
    parts.push(
      `<line x1="${left}" x2="${r1(width - 8)}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`,
      `<text x="${left - 4}" y="${yy + 4}" text-anchor="end" fill="#555">${escapeHtml(formatPercent(ymax * t))}</text>`,
    );
  }
  for (let i = 0; i < n; i++) {
    const x0 = left + i * group + 3;
    const label = b.labels[i]!;
    const full = b.titles[i]!;
    for (const [k, side, shareList, counts, colour] of [
      [0, 'reference', ref, b.reference, REFERENCE_COLOUR],
      [1, 'current', cur, b.current, CURRENT_COLOUR],
    ] as const) {
      const v = shareList[i]!;
      const yy = y(v);
      parts.push(
        `<rect x="${r1(x0 + k * barW)}" y="${r1(yy)}" width="${r1(barW)}" height="${r1(top + plotH - yy)}" fill="${colour}">` +
          `<title>${escapeHtml(`${full} — ${side}: ${counts[i]} (${formatPercent(v)})`)}</title></rect>`,
      );
    }
    const cx = r1(x0 + barW);
    const ly = top + plotH + 14;
    const text = escapeHtml(truncate(label, rotate ? 16 : 12));
    parts.push(
      rotate
        ? `<text x="${cx}" y="${ly}" text-anchor="end" transform="rotate(-40 ${cx} ${ly})" fill="#333">${text}</text>`
        : `<text x="${cx}" y="${ly}" text-anchor="middle" fill="#333">${text}</text>`,
    );
  }
  parts.push(
    `<rect x="${left}" y="4" width="10" height="10" fill="${REFERENCE_COLOUR}"/><text x="${left + 14}" y="13">reference</text>`,
    `<rect x="${left + 84}" y="4" width="10" height="10" fill="${CURRENT_COLOUR}"/><text x="${left + 98}" y="13">current</text>`,
    `<line x1="${left}" x2="${r1(width - 8)}" y1="${top + plotH}" y2="${top + plotH}" stroke="#888"/>`,
    '</svg>',
  );
  return parts.join('');
}
