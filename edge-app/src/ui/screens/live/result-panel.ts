import { html, nothing } from 'lit';
import type { InferenceObservation } from '../../../lcm/index.ts';
import { ScreenPart } from '../../components/screen-part.ts';
import { formatMs, formatPercent } from '../../format.ts';

/** The latest prediction: label, confidence, latency, and what input it was made from. */
export class LcmLiveResult extends ScreenPart {
  static override properties = {
    observation: { attribute: false },
    input: { attribute: false },
    count: { attribute: false },
  };

  declare observation: InferenceObservation | undefined;
  /** The input in words, as the source described it. */
  declare input: string;
  /** Inferences shown since the model was activated. */
  declare count: number;

  constructor() {
    super();
    this.input = '';
    this.count = 0;
  }

  override render() {
    const o = this.observation;
    if (!o) return html`<p class="muted">No prediction yet: pick an input and run it.</p>`;
    if (o.error) return html`<p class="error">${o.error}</p>`;
    return html`<p style="font-size:2.2em;margin:.1em 0;font-weight:700" data-testid="prediction-label">${o.label ?? (o.classIndex !== undefined ? `class ${o.classIndex}` : 'done')}</p>
      <p style="font-size:1.3em;margin:.1em 0">confidence <strong data-testid="prediction-confidence">${o.confidence === undefined ? '–' : formatPercent(o.confidence)}</strong>
        <span class="muted"> · ${formatMs(o.latencyMs)}</span></p>
      ${this.input ? html`<p class="muted" data-testid="prediction-input">${this.input}</p>` : nothing}
      <p class="muted">${this.count} inferences shown</p>`;
  }
}

customElements.define('lcm-live-result', LcmLiveResult);

declare global {
  interface HTMLElementTagNameMap {
    'lcm-live-result': LcmLiveResult;
  }
}
