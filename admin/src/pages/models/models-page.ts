import { html, LitElement } from 'lit';
import { PollController } from '../../../../shared/ui/poll-controller.ts';
import { api } from '../../api.ts';
import { when } from '../../components/format.ts';
import { view } from '../../components/load.ts';
import { pageStyles } from '../../components/styles.ts';
import { can } from '../../session.ts';
import './model-detail.ts';
import { ModelPageSchema } from './model-data.ts';
import './upload-form.ts';

const PAGE = 20;

/** `#/models`: registered models (paged by the server), upload; `#/models/<name>`: one model. */
export class ModelsPage extends LitElement {
  static override properties = { arg: {}, search: { state: true }, tokens: { state: true } };
  static override styles = pageStyles;
  declare arg: string | undefined;
  declare search: string;
  /** Page tokens of the pages before this one; the last is this page's. */
  declare tokens: (string | undefined)[];

  constructor() {
    super();
    this.arg = undefined;
    this.search = '';
    this.tokens = [undefined];
  }

  readonly #models = new PollController(
    this,
    (signal) =>
      api.v1(
        '/models',
        ModelPageSchema,
        { pageSize: PAGE, pageToken: this.tokens.at(-1), search: this.search || undefined },
        signal,
      ),
    30_000,
  );

  #go(tokens: (string | undefined)[]) {
    this.tokens = tokens;
    void this.#models.refresh();
  }

  override render() {
    if (this.arg) return html`<model-detail .name=${this.arg}></model-detail>`;
    return html`
      <h2>Models</h2>
      ${can('uploadModel') ? html`<h3>Upload a model version</h3><upload-form @uploaded=${() => this.#models.refresh()}></upload-form>` : ''}
      <h3>Registered models</h3>
      <div class="row"><input type="search" placeholder="Search name and description" @change=${(e: Event) => ((this.search = (e.target as HTMLInputElement).value), this.#go([undefined]))} /></div>
      ${view(
        this.#models.state,
        (p) => html`
        <div class="scroll"><table data-testid="models">
          <thead><tr><th>Name</th><th>Description</th><th>Versions</th><th>Latest</th><th>Aliases</th><th>Updated</th></tr></thead>
          <tbody>${p.items.map(
            (m) => html`<tr>
            <td><a href="#/models/${encodeURIComponent(m.name)}">${m.name}</a></td><td>${m.description}</td><td>${m.versionCount}</td><td>${m.latestVersion ?? '—'}</td>
            <td>${Object.entries(m.aliases).map(([a, v]) => html`<code>${a}→v${v}</code> `)}</td><td>${when(m.updatedAt)}</td></tr>`,
          )}</tbody>
        </table></div>
        <div class="row"><small>
          <button ?disabled=${this.tokens.length <= 1} @click=${() => this.#go(this.tokens.slice(0, -1))}>‹ Previous</button>
          page ${this.tokens.length}
          <button ?disabled=${!p.nextPageToken} @click=${() => this.#go([...this.tokens, p.nextPageToken ?? undefined])}>Next ›</button>
        </small></div>
      `,
        'models',
      )}
    `;
  }
}

customElements.define('models-page', ModelsPage);
