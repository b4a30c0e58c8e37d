import type { ChartConfiguration } from 'chart.js';

export interface HeatCell {
  x: string;
  y: string;
  /** The share of the bucket's records that raised drift; null when the device logged nothing. */
  v: number | null;
  count: number;
  alarms: number;
}

/** Colour of a drift share: grey for no records, then white to red. */
function colour(v: number | null): string {
  if (v === null) return '#eaeef2';
  const t = Math.min(1, v / 0.5);
  return `rgba(207, 34, 46, ${0.08 + 0.92 * t})`;
}

/** A device × time heat map (chartjs-chart-matrix) of the share of records with a drift alarm. */
export function heatmap(xs: string[], ys: string[], cells: HeatCell[]): ChartConfiguration<'matrix', HeatCell[]> {
  return {
    type: 'matrix',
    data: {
      datasets: [
        {
          label: 'drift share',
          data: cells,
          backgroundColor: (ctx) => colour((ctx.raw as HeatCell | undefined)?.v ?? null),
          borderColor: '#ffffff',
          borderWidth: 1,
          width: ({ chart }) => (chart.chartArea?.width ?? 0) / Math.max(1, xs.length) - 1,
          height: ({ chart }) => (chart.chartArea?.height ?? 0) / Math.max(1, ys.length) - 1,
        },
      ],
    },
    options: {
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => {
              const c = items[0]?.raw as HeatCell | undefined;
              return c ? `${c.y} · ${c.x}` : '';
            },
            label: (item) => {
              const c = item.raw as HeatCell;
              return c.v === null ? 'no records' : `${c.alarms} of ${c.count} records with drift (${(100 * c.v).toFixed(0)}%)`;
            },
          },
        },
      },
      scales: {
        x: { type: 'category', labels: xs, offset: true, grid: { display: false } },
        y: { type: 'category', labels: ys, offset: true, grid: { display: false } },
      },
    },
  };
}
