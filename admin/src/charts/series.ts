import type { ChartConfiguration } from 'chart.js';

export const COLOURS = ['#0b6e4f', '#e07b28', '#3465a4', '#a40e4c', '#6c7a96', '#c49a00', '#2e9c9c', '#7b3fa0'];

/** Short labels for bucket starts, in UTC like the server's buckets: hours as `MM-DD HH:00Z`, days as `YYYY-MM-DD`. */
export function bucketLabel(iso: string, bucket: 'hour' | 'day'): string {
  return bucket === 'day' ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}Z`;
}

export interface Line {
  label: string;
  data: (number | null)[];
}

/** A line (or bar) chart over bucket labels; nulls leave gaps, never invented values. */
export function lineChart(
  labels: string[],
  lines: Line[],
  opts: { type?: 'line' | 'bar'; yTitle?: string; stacked?: boolean } = {},
): ChartConfiguration {
  return {
    type: opts.type ?? 'line',
    data: {
      labels,
      datasets: lines.map((l, i) => ({
        label: l.label,
        data: l.data,
        borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length],
        spanGaps: false,
        pointRadius: 2,
      })),
    },
    options: {
      scales: {
        x: { stacked: opts.stacked ?? false },
        y: {
          beginAtZero: true,
          stacked: opts.stacked ?? false,
          ...(opts.yTitle ? { title: { display: true, text: opts.yTitle } } : {}),
        },
      },
      plugins: { legend: { display: lines.length > 1 } },
    },
  } as ChartConfiguration;
}
