import type { Chart } from 'chart.js';
import { css, html, LitElement, type PropertyValues } from 'lit';
import type { FeatureComparison } from './histogram.ts';
import { setupCharts } from './setup.ts';

/** Reference (training) vs current (recent inputs) distribution of one feature, as grouped bars. */
export class LcmHistogramChart extends LitElement {
  static override properties = { comparison: { attribute: false } };
  static override styles = css`
    :host { display: block; position: relative; height: 15em; }
  `;

  declare comparison: FeatureComparison | undefined;
  private chart: Chart<'bar', number[], string> | undefined;

  override render() {
    const c = this.comparison;
    const label = c ? `${c.feature}: reference vs the last ${c.currentCount} inputs` : 'no data';
    return html`<canvas role="img" aria-label=${label}></canvas>`;
  }

  protected override firstUpdated(): void {
    const ChartJs = setupCharts();
    this.chart = new ChartJs<'bar', number[], string>(this.renderRoot.querySelector('canvas') as HTMLCanvasElement, {
      type: 'bar',
      data: { labels: [], datasets: [] },
      options: {
        plugins: { legend: { display: true }, tooltip: { enabled: false } },
        scales: {
          y: { beginAtZero: true, title: { display: true, text: 'share of inputs' } },
          x: { ticks: { maxRotation: 60, autoSkip: true } },
        },
      },
    });
    this.sync();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.chart && changed.has('comparison')) this.sync();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated && !this.chart) this.firstUpdated();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.chart?.destroy();
    this.chart = undefined;
  }

  private sync(): void {
    const chart = this.chart!;
    const c = this.comparison;
    chart.data.labels = c?.labels ?? [];
    chart.data.datasets = [
      ...(c?.reference.length
        ? [{ label: 'reference (training)', data: c.reference, backgroundColor: '#8c959f' }]
        : []),
      { label: 'current (recent inputs)', data: c?.current ?? [], backgroundColor: '#0b6e4f' },
    ];
    chart.update('none');
  }
}

customElements.define('lcm-histogram-chart', LcmHistogramChart);

declare global {
  interface HTMLElementTagNameMap {
    'lcm-histogram-chart': LcmHistogramChart;
  }
}
