import type { ChartConfiguration } from 'chart.js';

export interface HeatCell {
  x: string;
  y: string;
  /** The share of the bucket's records with a drift alarm; null when the device logged nothing. */
  v: number | null;
  count: number;
  /** Records with an alarm bit / with a warning bit (a record may have both). */
  alarms: number;
  warnings: number;
}

/** Colour of a cell: grey for no records, pale amber for warnings without alarms, else white to red by the alarm share. */
function colour(c: HeatCell | undefined): string {
  const v = c?.v ?? null;
  if (v === null) return '#eaeef2';
  if (c!.alarms === 0 && c!.warnings > 0) return 'rgba(191, 135, 0, 0.35)';
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
          backgroundColor: (ctx) => colour(ctx.raw as HeatCell | undefined),
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
              return c.v === null
                ? 'no records'
                : `${c.alarms} of ${c.count} records with a drift alarm (${(100 * c.v).toFixed(0)}%), ${c.warnings} with a warning`;
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
