import { html, LitElement } from 'lit';
import { CreatedTokenSchema, MAX_TOKEN_DAYS, ROLES, type CreatedToken } from '../../../../shared/protocol/index.ts';
import { api, errorText } from '../../api.ts';
import { attempt } from '../../components/load.ts';
import { when } from '../../components/format.ts';
import { pageStyles } from '../../components/styles.ts';

/** The form that makes a token; its secret is shown here once, with a copy button. Announces `created`. */
export class TokenCreate extends LitElement {
  static override properties = {
    created: { state: true },
    error: { state: true },
    copied: { state: true },
    busy: { state: true },
  };
  static override styles = pageStyles;
  declare created: CreatedToken | undefined;
  declare error: string | undefined;
  declare copied: boolean;
  declare busy: boolean;

  constructor() {
    super();
    this.created = undefined;
    this.error = undefined;
    this.copied = false;
    this.busy = false;
  }

  #create = (e: SubmitEvent) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const days = String(data.get('days') ?? '').trim();
    this.busy = true;
    return attempt(this, async () => {
      this.created = await api.send('POST', '/tokens', CreatedTokenSchema, {
        name: String(data.get('name') ?? '').trim(),
        role: data.get('role'),
        ...(days ? { expiresInDays: Number(days) } : {}),
      });
      this.copied = false;
      form.reset();
      this.dispatchEvent(new CustomEvent('created', { bubbles: true, composed: true }));
    }).finally(() => (this.busy = false));
  };

  async #copy() {
    if (!this.created) return;
    await navigator.clipboard.writeText(this.created.token).then(
      () => (this.copied = true),
      (err: unknown) => (this.error = `Copy failed (${errorText(err)}); select the token and copy it by hand.`),
    );
  }

  override render() {
    return html`
      <form class="inline" @submit=${this.#create} data-testid="create-token">
        <label>Name<input name="name" required maxlength="100" placeholder="e.g. grafana, ci, alice" /></label>
        <label>Role
          <select name="role">${ROLES.map((r) => html`<option value=${r} ?selected=${r === 'viewer'}>${r}</option>`)}</select>
        </label>
        <label>Expires in (days)<input name="days" type="number" min="1" max=${MAX_TOKEN_DAYS} step="1" placeholder="never" /></label>
        <button ?disabled=${this.busy}>Create token</button>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${
        this.created
          ? html`<div class="card secret" data-testid="new-token">
            <p>New ${this.created.role} token <strong>${this.created.name}</strong>${this.created.expiresAt ? ` (expires ${when(this.created.expiresAt)})` : ' (does not expire)'}.
              Copy it now: it is shown only this once.</p>
            <p class="row"><code>${this.created.token}</code>
              <button @click=${this.#copy}>${this.copied ? 'Copied' : 'Copy'}</button>
              <button @click=${() => (this.created = undefined)}>Done</button></p>
          </div>`
          : ''
      }
    `;
  }
}

customElements.define('token-create', TokenCreate);
