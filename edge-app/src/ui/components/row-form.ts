import { html, LitElement } from 'lit';
import { screenStyles } from '../styles.ts';

/** One tabular row, a number field per feature of the active model; dispatches `row` on submit. */
export class LcmRowForm extends LitElement {
  static override properties = {
    features: { attribute: false },
    values: { attribute: false },
    busy: { type: Boolean },
  };
  static override styles = [screenStyles];

  declare features: string[];
  /** Prefills (e.g. the last demo row), by feature name. */
  declare values: Record<string, number>;
  declare busy: boolean;

  constructor() {
    super();
    this.features = [];
    this.values = {};
    this.busy = false;
  }

  override render() {
    return html`<form @submit=${this.submit} data-testid="row-form">
      <div class="grid">
        ${this.features.map(
          (f, i) => html`<label>
            ${f}<br />
            <input name=${f} id=${`f${i}`} type="number" step="any" required inputmode="decimal" .value=${this.values[f] === undefined ? '' : String(this.values[f])} />
          </label>`,
        )}
      </div>
      <p><button class="primary" type="submit" ?disabled=${this.busy}>Predict</button></p>
    </form>`;
  }

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const row = Object.fromEntries(this.features.map((f) => [f, Number(data.get(f))]));
    this.dispatchEvent(new CustomEvent('row', { detail: row }));
  }
}

customElements.define('lcm-row-form', LcmRowForm);

declare global {
  interface HTMLElementTagNameMap {
    'lcm-row-form': LcmRowForm;
  }
}
