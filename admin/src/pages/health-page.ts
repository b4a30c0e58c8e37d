import { css, html, LitElement } from 'lit';
import type { Health } from '../../../shared/protocol/index.ts';
import { PollController } from '../../../shared/ui/poll-controller.ts';
import { api } from '../api.ts';

/** Server health: which database and blob store TinySphere runs on, refreshed every 5 s. */
export class HealthPage extends LitElement {
  static override styles = css`
    dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; }
    dt { color: #57606a; } .ok { color: #1a7f37; } .bad { color: #cf222e; }
  `;
  readonly #health = new PollController<Health>(this, (signal) => api.health(signal), 5000);

  override render() {
    const s = this.#health.state;
    if (s.status === 'loading') return html`<p>Checking the server…</p>`;
    if (s.status === 'error')
      return html`<p class="bad" data-testid="health">Server unreachable: ${s.error.message}</p>`;
    return html`
      <dl data-testid="health">
        <dt>Status</dt><dd class="ok">${s.value.status}</dd>
        <dt>Database</dt><dd>${s.value.db}</dd>
        <dt>Blob store</dt><dd>${s.value.blobs}</dd>
      </dl>
    `;
  }
}

customElements.define('health-page', HealthPage);
