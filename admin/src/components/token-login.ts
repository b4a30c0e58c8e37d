import { css, html, LitElement } from 'lit';
import { ApiError, type Principal } from '../../../shared/protocol/index.ts';
import { api } from '../api.ts';

/** Asks for an API token, checks it with the server, and announces `signed-in` with the principal. */
export class TokenLogin extends LitElement {
  static override properties = { error: { state: true }, busy: { state: true } };
  static override styles = css`
    form { display: flex; flex-direction: column; gap: .6rem; max-width: 28rem; }
    input { font: inherit; padding: .5rem; }
    button { font: inherit; padding: .5rem 1rem; align-self: start; }
    .error { color: #cf222e; }
  `;
  declare error: string | undefined;
  declare busy: boolean;

  constructor() {
    super();
    this.error = undefined;
    this.busy = false;
  }

  async #submit(e: SubmitEvent) {
    e.preventDefault();
    const token = (new FormData(e.target as HTMLFormElement).get('token') ?? '').toString().trim();
    if (!token) {
      this.error = 'Enter a token.';
      return;
    }
    this.busy = true;
    this.error = undefined;
    try {
      const principal: Principal = await api.whoami(token);
      api.token = token;
      this.dispatchEvent(new CustomEvent('signed-in', { detail: principal, bubbles: true, composed: true }));
    } catch (err) {
      this.error = err instanceof ApiError && err.status === 401 ? 'That token is not valid.' : (err as Error).message;
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`
      <form @submit=${this.#submit}>
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" placeholder="tsk_…" />
        <button type="submit" ?disabled=${this.busy}>${this.busy ? 'Checking…' : 'Sign in'}</button>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      </form>
    `;
  }
}

customElements.define('token-login', TokenLogin);
