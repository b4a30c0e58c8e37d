import { html, LitElement } from 'lit';
import { acknowledgeEvent, labelEvent, type DriftEvent } from '../../../shared/documents/index.ts';
import { errorText } from '../api.ts';
import { editDeviceDoc } from '../docs/device-doc.ts';
import { FALSE_ALARM } from '../docs/labels.ts';
import { can, session } from '../session.ts';
import { when } from './format.ts';
import { pageOf } from './pager.ts';
import './pager.ts';
import { pageStyles } from './styles.ts';

export interface FleetEvent {
  deviceId: string;
  deviceName: string;
  event: DriftEvent;
}


/**
 * Drift events, newest first, with acknowledge / label / false alarm. Each action is written into
 * the device's document, so it reaches the device with its next sync; `changed` asks for a reload.
 */
export class DriftEvents extends LitElement {
  static override properties = { events: { attribute: false }, busy: { state: true }, error: { state: true }, page: { state: true } };
  static override styles = pageStyles;
  declare events: FleetEvent[];
  declare busy: string | undefined;
  declare error: string | undefined;
  declare page: number;

  constructor() {
    super();
    this.events = [];
    this.busy = undefined;
    this.error = undefined;
    this.page = 0;
  }

  async #act(e: FleetEvent, what: 'ack' | 'label' | 'false') {
    let label: string | undefined;
    if (what === 'label') {
      const input = this.renderRoot.querySelector<HTMLInputElement>(`input[data-event="${CSS.escape(e.event.id)}"]`);
      label = input?.value.trim();
      if (!label) {
        this.error = 'Type a label first.';
        return;
      }
    }
    this.busy = e.event.id;
    this.error = undefined;
    const by = session.principal?.name ?? 'console';
    try {
      await editDeviceDoc(e.deviceId, (doc) => {
        if (what === 'label') return labelEvent(doc, e.event.id, label!);
        if (what === 'false') return acknowledgeEvent(labelEvent(doc, e.event.id, FALSE_ALARM), e.event.id, by);
        return acknowledgeEvent(doc, e.event.id, by);
      });
      this.dispatchEvent(new CustomEvent('changed', { bubbles: true, composed: true }));
    } catch (err) {
      this.error = `${e.deviceName}: ${errorText(err)}`;
    } finally {
      this.busy = undefined;
    }
  }

  override render() {
    const editable = can('editEvents');
    const sorted = [...this.events].sort((a, b) => b.event.ts.localeCompare(a.event.ts));
    if (!sorted.length) return html`<p class="muted">No drift events.</p>`;
    return html`
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${editable ? '' : html`<p class="muted">Your role may read events; acknowledging and labelling needs operator or scientist.</p>`}
      <table data-testid="drift-events">
        <thead><tr><th>When</th><th>Device</th><th>Kind</th><th>Feature</th><th>Statistic</th><th>Acknowledged</th><th>Label</th>${editable ? html`<th>Actions</th>` : ''}</tr></thead>
        <tbody>
          ${pageOf(sorted, this.page).map((e) => html`
            <tr data-event-id=${e.event.id}>
              <td>${when(e.event.ts)}</td>
              <td><a href="#/fleet/${e.deviceId}">${e.deviceName}</a></td>
              <td>${e.event.kind}${e.event.detector ? html` <span class="muted">(${e.event.detector})</span>` : ''}</td>
              <td>${e.event.feature ?? '—'}</td>
              <td>${e.event.statistic.toFixed(3)}</td>
              <td class="ack">${e.event.acknowledged ? html`<span class="ok">✓ ${e.event.acknowledged.by}</span>, ${when(e.event.acknowledged.at)}` : html`<span class="warn">open</span>`}</td>
              <td class="label">${e.event.label ?? '—'}</td>
              ${editable
                ? html`<td>
                    <div class="row">
                      <button class="ack-btn" ?disabled=${Boolean(e.event.acknowledged) || this.busy !== undefined} @click=${() => this.#act(e, 'ack')}>Acknowledge</button>
                      <button class="false-btn" ?disabled=${this.busy !== undefined} @click=${() => this.#act(e, 'false')}>False alarm</button>
                    </div>
                    <div class="row">
                      <input data-event=${e.event.id} placeholder="label" size="10" />
                      <button class="label-btn" ?disabled=${this.busy !== undefined} @click=${() => this.#act(e, 'label')}>Label</button>
                    </div>
                    ${this.busy === e.event.id ? html`<progress aria-label="writing to the device document"></progress>` : ''}
                  </td>`
                : ''}
            </tr>`)}
        </tbody>
      </table>
      <ts-pager .page=${this.page} .total=${sorted.length} @page=${(ev: CustomEvent<number>) => (this.page = ev.detail)}></ts-pager>
    `;
  }
}

customElements.define('drift-events', DriftEvents);
