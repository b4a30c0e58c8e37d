import { Chart, registerables, type ChartConfiguration } from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import { css, html, LitElement, type PropertyValues } from 'lit';

Chart.register(...registerables, MatrixController, MatrixElement);
// Every chart shows data as it is now: no animation (it also keeps screenshots and tests steady).
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;

/** One Chart.js chart; set `config` and it draws, replacing the data when the config changes. */
export class TsChart extends LitElement {
  static override properties = { config: { attribute: false }, label: {} };
  static override styles = css`
    :host { display: block; position: relative; height: 220px; }
    canvas { width: 100%; height: 100%; }
  `;
  declare config: ChartConfiguration | undefined;
  declare label: string;
  #chart: Chart | undefined;

  constructor() {
    super();
    this.config = undefined;
    this.label = 'chart';
  }

  override render() {
    return html`<canvas role="img" aria-label=${this.label}></canvas>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('config') || !this.config) return;
    const canvas = this.renderRoot.querySelector('canvas')!;
    if (this.#chart && (this.#chart.config as { type?: string }).type === this.config.type) {
      this.#chart.data = this.config.data;
      if (this.config.options) this.#chart.options = this.config.options;
      this.#chart.update('none');
    } else {
      this.#chart?.destroy();
      this.#chart = new Chart(canvas, this.config);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#chart?.destroy();
    this.#chart = undefined;
  }
}

customElements.define('ts-chart', TsChart);
