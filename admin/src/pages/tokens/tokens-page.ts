import { css, html, LitElement } from 'lit';
import { TokenListSchema, TokenSchema, tokenStatus, type Token } from '../../../../shared/protocol/index.ts';
import { PollController } from '../../../../shared/ui/poll-controller.ts';
import { api } from '../../api.ts';
import { attempt, view } from '../../components/load.ts';
import { when } from '../../components/format.ts';
import { pageOf } from '../../components/pager.ts';
import { pageStyles } from '../../components/styles.ts';
import { session } from '../../session.ts';
import './token-create.ts';

const isAdmin = () => session.principal?.role === 'admin';
const STATUS_CLASS = { active: 'ok', expired: 'warn', revoked: 'error' } as const;

/** `#/tokens` (admins): the tokens of people and programs, with last use and expiry; create and revoke. */
export class TokensPage extends LitElement {
  static override properties = { error: { state: true }, page: { state: true } };
  static override styles = [
    pageStyles,
    css`
      .secret { margin: .6rem 0; max-width: 60rem; }
      td.actions { white-space: nowrap; }
      /* A phone shows each token as a block of labelled lines rather than a table scrolled sideways. */
      @media (max-width: 40rem) {
        thead { display: none; }
        tr { display: block; border-bottom: 1px solid #d8dee4; padding: .3rem 0; }
        td { display: flex; gap: .5rem; border: none; padding: .15rem .3rem; }
        td[data-label]::before { content: attr(data-label); flex: 0 0 6rem; color: #57606a; }
      }
    `,
  ];
  declare error: string | undefined;
  declare page: number;
  // Last use changes while the page is open; once a minute is as fine as the server records it.
  readonly #tokens = new PollController(
    this,
    (signal) => (isAdmin() ? api.v1('/tokens', TokenListSchema, {}, signal) : Promise.resolve({ tokens: [] })),
    60_000,
  );

  constructor() {
    super();
    this.error = undefined;
    this.page = 0;
  }

  #revoke(t: Token) {
    const own = t.id === session.principal?.tokenId;
    const warning = own ? '\n\nThis is the token you are signed in with: the console signs you out.' : '';
    if (!confirm(`Revoke the ${t.role} token "${t.name}"? Whoever uses it is refused from now on.${warning}`)) return;
    return attempt(this, async () => {
      await api.send('DELETE', `/tokens/${t.id}`, TokenSchema);
      if (own) {
        api.token = undefined;
        location.reload();
        return;
      }
      await this.#tokens.refresh();
    });
  }

  #table(tokens: Token[]) {
    const me = session.principal?.tokenId;
    return html`
      <div class="scroll">
        <table data-testid="tokens">
          <thead><tr><th>Name</th><th>Role</th><th>Status</th><th>Last used</th><th>Expires</th><th>Created</th><th></th></tr></thead>
          <tbody>
            ${pageOf(tokens, this.page).map((t) => {
              const status = tokenStatus(t);
              return html`<tr data-token=${t.id}>
                <td data-label="Name"><span>${t.name}${t.bootstrap ? html` <span class="muted" title="made by ADMIN_TOKEN or the first start; a new ADMIN_TOKEN revokes it">(bootstrap)</span>` : ''}${t.id === me ? html` <strong>(you)</strong>` : ''}</span></td>
                <td data-label="Role">${t.role}</td>
                <td data-label="Status" class=${STATUS_CLASS[status]}><span>${status}${t.revokedAt ? html` <small class="muted">${when(t.revokedAt)}</small>` : ''}</span></td>
                <td data-label="Last used">${t.lastUsedAt ? when(t.lastUsedAt) : html`<span class="muted">never</span>`}</td>
                <td data-label="Expires">${t.expiresAt ? when(t.expiresAt) : html`<span class="muted">never</span>`}</td>
                <td data-label="Created">${when(t.createdAt)}</td>
                <td class="actions">${status === 'revoked' ? '' : html`<button @click=${() => this.#revoke(t)}>Revoke</button>`}</td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      <ts-pager .page=${this.page} .total=${tokens.length} @page=${(e: CustomEvent<number>) => (this.page = e.detail)}></ts-pager>
    `;
  }

  override render() {
    if (!isAdmin()) return html`<h2>Tokens</h2><p class="muted">Tokens are managed by admins.</p>`;
    return html`
      <h2>Tokens</h2>
      <p class="muted">Tokens of people and programs. A device's token belongs to the device: revoke the device on its page.</p>
      <h3>New token</h3>
      <token-create @created=${() => this.#tokens.refresh()}></token-create>
      <h3>All tokens</h3>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${view(this.#tokens.state, (list) => this.#table(list.tokens), 'the tokens')}
    `;
  }
}

customElements.define('tokens-page', TokensPage);
