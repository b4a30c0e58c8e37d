// First: no schema may be made before zod is told not to compile with eval (the CSP forbids it).
import '../../shared/ui/zod-jitless.ts';
import { css, html, LitElement } from 'lit';
import type { Principal } from '../../shared/protocol/index.ts';
import { api } from './api.ts';
import './components/token-login.ts';
import './pages/deployments/deployments-page.ts';
import './pages/drift/drift-page.ts';
import './pages/experiments/experiments-page.ts';
import './pages/fleet/fleet-page.ts';
import './pages/health-page.ts';
import './pages/models/models-page.ts';
import './pages/overview/overview-page.ts';
import './pages/tokens/tokens-page.ts';
import { session } from './session.ts';

const PAGES = ['overview', 'fleet', 'models', 'deployments', 'drift', 'experiments', 'health', 'tokens'] as const;
type Page = (typeof PAGES)[number];
/** Pages only some roles see in the navigation (the server refuses the others anyway). */
const ADMIN_ONLY: readonly Page[] = ['tokens'];

/** `#/<page>/<rest>`: the page and what it opens (a device, a model, a deployment, a run). */
function parseHash(hash: string): { page: Page; arg: string | undefined } {
  const [first = '', ...rest] = hash.replace(/^#\/?/, '').split('/');
  const page = (PAGES as readonly string[]).includes(first) ? (first as Page) : 'overview';
  return { page, arg: rest.length ? decodeURIComponent(rest.join('/')) : undefined };
}

/** The console's root: sign in with a token, then the pages. */
export class TinySphereAdmin extends LitElement {
  static override properties = { principal: { state: true }, checking: { state: true }, route: { state: true } };
  static override styles = css`
    :host { display: block; font: 15px/1.45 system-ui, sans-serif; color: #1b1f24; }
    header { display: flex; align-items: center; gap: 1rem; padding: .6rem 1rem; background: #0b3d2e; color: white; flex-wrap: wrap; }
    header h1 { font-size: 1.1rem; margin: 0; }
    header nav { display: flex; gap: .2rem; flex: 1; flex-wrap: wrap; }
    header nav a { color: #d6f5e6; text-decoration: none; padding: .25rem .6rem; border-radius: 4px; }
    header nav a[aria-current='page'] { background: #1f6f52; color: white; }
    header button { font: inherit; }
    main { padding: 1rem; max-width: 1400px; }
  `;
  declare principal: Principal | undefined;
  declare checking: boolean;
  declare route: { page: Page; arg: string | undefined };

  constructor() {
    super();
    this.principal = undefined;
    this.checking = Boolean(api.token);
    this.route = parseHash(location.hash);
  }

  readonly #onHash = () => (this.route = parseHash(location.hash));

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('hashchange', this.#onHash);
    // A stored token may have been revoked since: check it before showing anything behind it.
    if (api.token) {
      api
        .whoami()
        .then(
          (p) => this.#signedIn(p),
          () => (api.token = undefined),
        )
        .finally(() => (this.checking = false));
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.#onHash);
  }

  #signedIn(p: Principal) {
    session.principal = p;
    this.principal = p;
  }

  #signOut() {
    api.token = undefined;
    session.principal = undefined;
    this.principal = undefined;
  }

  #page() {
    const { page, arg } = this.route;
    switch (page) {
      case 'fleet':
        return html`<fleet-page .arg=${arg}></fleet-page>`;
      case 'models':
        return html`<models-page .arg=${arg}></models-page>`;
      case 'deployments':
        return html`<deployments-page .arg=${arg}></deployments-page>`;
      case 'drift':
        return html`<drift-page></drift-page>`;
      case 'experiments':
        return html`<experiments-page .arg=${arg}></experiments-page>`;
      case 'health':
        return html`<health-page></health-page>`;
      case 'tokens':
        return html`<tokens-page></tokens-page>`;
      default:
        return html`<overview-page></overview-page>`;
    }
  }

  override render() {
    return html`
      <header>
        <h1>TinySphere</h1>
        ${
          this.principal
            ? html`<nav>${PAGES.filter((p) => this.principal!.role === 'admin' || !ADMIN_ONLY.includes(p)).map((p) => html`<a href="#/${p}" aria-current=${p === this.route.page ? 'page' : 'false'}>${p[0]!.toUpperCase() + p.slice(1)}</a>`)}</nav>
              <span data-testid="whoami">${this.principal.name} (${this.principal.role})</span>
              <button @click=${this.#signOut}>Sign out</button>`
            : ''
        }
      </header>
      <main>
        ${
          this.checking
            ? html`<p>Checking the stored token…</p>`
            : this.principal
              ? this.#page()
              : html`<token-login @signed-in=${(e: CustomEvent<Principal>) => this.#signedIn(e.detail)}></token-login>`
        }
      </main>
    `;
  }
}

customElements.define('tinysphere-admin', TinySphereAdmin);
