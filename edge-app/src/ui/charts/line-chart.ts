import type { Chart } from 'chart.js';
import { css, html, LitElement, type PropertyValues } from 'lit';
import type { Point } from './rolling.ts';
import { setupCharts } from './setup.ts';

export interface LineSeries {
  label: string;
  color: string;
  points: Point[];
}

/**
 * A live line chart over a rolling window: Chart.js with animation off, points pre-parsed and
 * decimated (LTTB) to what the canvas can show, so a window of hundreds of points redraws cheaply.
 */
export class LcmLineChart extends LitElement {
  static override properties = {
    series: { attribute: false },
    yLabel: { attribute: 'y-label' },
    yMin: { type: Number, attribute: 'y-min' },
    yMax: { type: Number, attribute: 'y-max' },
    summary: {},
  };
  static override styles = css`
    :host { display: block; position: relative; height: 14em; }
    canvas { width: 100%; height: 100%; }
  `;

  declare series: LineSeries[];
  declare yLabel: string;
  declare yMin: number | undefined;
  declare yMax: number | undefined;
  /** Read by screen readers in place of the picture. */
  declare summary: string;
  private chart: Chart<'line', Point[]> | undefined;

  constructor() {
    super();
    this.series = [];
    this.yLabel = '';
    this.summary = '';
  }

  override render() {
    return html`<canvas role="img" aria-label=${this.summary || this.yLabel}></canvas>`;
  }

  protected override firstUpdated(): void {
    const ChartJs = setupCharts();
    const canvas = this.renderRoot.querySelector('canvas') as HTMLCanvasElement;
    this.chart = new ChartJs<'line', Point[]>(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        parsing: false,
        normalized: true,
        spanGaps: true,
        elements: { point: { radius: 0 }, line: { borderWidth: 2 } },
        plugins: {
          decimation: { enabled: true, algorithm: 'lttb', samples: 200 },
          legend: { display: this.series.length > 1 },
          tooltip: { enabled: false },
        },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'inference #' }, ticks: { maxTicksLimit: 6 } },
          y: { title: { display: !!this.yLabel, text: this.yLabel }, beginAtZero: true },
        },
      },
    });
    this.sync();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.chart && (changed.has('series') || changed.has('yMin') || changed.has('yMax'))) this.sync();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.chart?.destroy();
    this.chart = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Re-attached after a disconnect (e.g. the shell switched screens and back): draw again.
    if (this.hasUpdated && !this.chart) this.firstUpdated();
  }

  private sync(): void {
    const chart = this.chart!;
    chart.data.datasets = this.series.map((s) => ({
      label: s.label,
      data: s.points,
      borderColor: s.color,
      backgroundColor: s.color,
      indexAxis: 'x' as const,
    }));
    const y = chart.options.scales!.y!;
    y.min = this.yMin;
    y.max = this.yMax;
    chart.options.plugins!.legend!.display = this.series.length > 1;
    chart.update('none');
  }
}

customElements.define('lcm-line-chart', LcmLineChart);

declare global {
  interface HTMLElementTagNameMap {
    'lcm-line-chart': LcmLineChart;
  }
}
