import { css, html, LitElement } from 'lit';
import type { Principal } from '../../shared/protocol/index.ts';
import { api } from './api.ts';
import './components/token-login.ts';
import './pages/health-page.ts';

/** The console's root: sign in with a token, then the pages. */
export class TinySphereAdmin extends LitElement {
  static override properties = { principal: { state: true }, checking: { state: true } };
  static override styles = css`
    :host { display: block; font: 15px/1.45 system-ui, sans-serif; color: #1b1f24; }
    header { display: flex; align-items: center; gap: 1rem; padding: .6rem 1rem; background: #0b3d2e; color: white; }
    header h1 { font-size: 1.1rem; margin: 0; flex: 1; }
    header button { font: inherit; }
    main { padding: 1rem; }
  `;
  declare principal: Principal | undefined;
  declare checking: boolean;

  constructor() {
    super();
    this.principal = undefined;
    this.checking = Boolean(api.token);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A stored token may have been revoked since: check it before showing anything behind it.
    if (api.token) {
      api.whoami().then(
        (p) => (this.principal = p),
        () => (api.token = undefined),
      ).finally(() => (this.checking = false));
    }
  }

  #signOut() {
    api.token = undefined;
    this.principal = undefined;
  }

  override render() {
    return html`
      <header>
        <h1>TinySphere</h1>
        ${this.principal
          ? html`<span data-testid="whoami">${this.principal.name} (${this.principal.role})</span>
              <button @click=${this.#signOut}>Sign out</button>`
          : ''}
      </header>
      <main>
        ${this.checking
          ? html`<p>Checking the stored token…</p>`
          : this.principal
            ? html`<health-page></health-page>`
            : html`<token-login @signed-in=${(e: CustomEvent<Principal>) => (this.principal = e.detail)}></token-login>`}
      </main>
    `;
  }
}

customElements.define('tinysphere-admin', TinySphereAdmin);
