import { css, html, LitElement } from 'lit';
import { HealthSchema, requestJson, type Health } from '../../../shared/protocol/index.ts';
import { PollController } from '../../../shared/ui/poll-controller.ts';
import { OnlineController } from './controllers/online.ts';

/** The TinyLCM PWA's root: for now, whether the device is online and how the server is. */
export class TinyLcmApp extends LitElement {
  static override styles = css`
    :host { display: block; font: 16px/1.4 system-ui, sans-serif; color: #1b1f24; padding: 1rem; }
    h1 { font-size: 1.4rem; margin: 0 0 1rem; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; margin: 0; }
    dt { color: #57606a; }
    .ok { color: #1a7f37; } .bad { color: #cf222e; }
  `;

  readonly #online = new OnlineController(this);
  readonly #health = new PollController<Health>(this, (signal) => requestJson('/healthz', HealthSchema, { signal }), 10_000);

  override render() {
    const h = this.#health.state;
    return html`
      <h1>TinyLCM</h1>
      <dl>
        <dt>Network</dt>
        <dd data-testid="online" class=${this.#online.online ? 'ok' : 'bad'}>${this.#online.online ? 'online' : 'offline'}</dd>
        <dt>Server</dt>
        <dd data-testid="health" class=${h.status === 'ok' ? 'ok' : h.status === 'error' ? 'bad' : ''}>
          ${h.status === 'loading' ? 'checking…' : h.status === 'ok' ? `ok (db ${h.value.db}, blobs ${h.value.blobs})` : `unreachable: ${h.error.message}`}
        </dd>
      </dl>
    `;
  }
}

customElements.define('tinylcm-app', TinyLcmApp);

declare global {
  interface HTMLElementTagNameMap {
    'tinylcm-app': TinyLcmApp;
  }
}
