import { html, LitElement } from 'lit';
import { DriftEventPageSchema, DriftEventRecordSchema, type DriftEventRecord } from '../../../shared/protocol/index.ts';
import { api, errorText } from '../api.ts';
import { can } from '../session.ts';
import { when } from './format.ts';
import { PAGE_SIZE } from './pager.ts';
import { pageStyles } from './styles.ts';

/** Filters of GET /api/v1/drift-events this list passes on (groupId, deviceId, model, feature, status, from, to). */
export type DriftEventFilter = Partial<
  Record<'groupId' | 'deviceId' | 'model' | 'feature' | 'status' | 'from' | 'to', string>
>;

const STATUS_TEXT: Record<DriftEventRecord['status'], string> = {
  open: 'open',
  acknowledged: 'acknowledged',
  false_alarm: 'false alarm',
};

/**
 * Drift events from the server's API (GET /drift-events, newest first, keyset-paged), with
 * acknowledge / false alarm / label. Each action goes through the API, which writes it into the
 * device's document (the device sees it with its next sync) and the server's table; the list
 * then reloads its page and announces `changed`.
 */
export class DriftEvents extends LitElement {
  static override properties = {
    filter: { attribute: false },
    names: { attribute: false },
    rows: { state: true },
    next: { state: true },
    busy: { state: true },
    error: { state: true },
    status: { state: true },
  };
  static override styles = pageStyles;
  declare filter: DriftEventFilter;
  /** Device names by id, for the Device column (the id is shown for devices not in it). */
  declare names: Record<string, string>;
  declare rows: DriftEventRecord[] | undefined;
  declare next: string | null;
  declare busy: string | undefined;
  declare error: string | undefined;
  /** The person's status filter ('' = all), on top of `filter`. */
  declare status: string;
  /** Tokens of the pages before this one (keyset paging goes forward only). */
  #back: (string | undefined)[] = [];
  #token: string | undefined;
  #loading: AbortController | undefined;

  constructor() {
    super();
    this.filter = {};
    this.names = {};
    this.rows = undefined;
    this.next = null;
    this.busy = undefined;
    this.error = undefined;
    this.status = '';
  }

  override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('filter') && JSON.stringify(changed.get('filter') ?? null) !== JSON.stringify(this.filter)) {
      this.#back = [];
      void this.#load(undefined);
    }
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.#loading?.abort();
  }

  async #load(token: string | undefined) {
    this.#loading?.abort();
    const ctl = (this.#loading = new AbortController());
    try {
      const page = await api.v1(
        '/drift-events',
        DriftEventPageSchema,
        { ...this.filter, status: this.status || this.filter.status, pageSize: PAGE_SIZE, pageToken: token },
        ctl.signal,
      );
      if (ctl.signal.aborted) return;
      this.#token = token;
      this.rows = page.events;
      this.next = page.nextPageToken;
    } catch (err) {
      if (!ctl.signal.aborted) this.error = errorText(err);
    }
  }

  #filterStatus(status: string) {
    this.status = status;
    this.#back = [];
    void this.#load(undefined);
  }

  #older() {
    this.#back.push(this.#token);
    void this.#load(this.next ?? undefined);
  }

  #newer() {
    void this.#load(this.#back.pop());
  }

  async #act(e: DriftEventRecord, what: 'acknowledge' | 'false-alarm' | 'label') {
    let body: unknown = {};
    if (what === 'label') {
      const input = this.renderRoot.querySelector<HTMLInputElement>(
        `input[data-event="${CSS.escape(`${e.deviceId}/${e.id}`)}"]`,
      );
      const label = input?.value.trim();
      if (!label) {
        this.error = 'Type a label first.';
        return;
      }
      body = { label };
    }
    this.busy = `${e.deviceId}/${e.id}`;
    this.error = undefined;
    try {
      await api.send(
        'POST',
        `/drift-events/${e.deviceId}/${encodeURIComponent(e.id)}/${what}`,
        DriftEventRecordSchema,
        body,
      );
      await this.#load(this.#token);
      this.dispatchEvent(new CustomEvent('changed', { bubbles: true, composed: true }));
    } catch (err) {
      this.error = `${this.names[e.deviceId] ?? e.deviceId}: ${errorText(err)}`;
    } finally {
      this.busy = undefined;
    }
  }

  override render() {
    const editable = can('editEvents');
    const rows = this.rows;
    if (rows === undefined)
      return this.error
        ? html`<p class="error" role="alert">${this.error}</p>`
        : html`<progress aria-label="loading drift events"></progress>`;
    const statusFilter = html`<label class="row">Status
        <select data-testid="event-status-filter" @change=${(ev: Event) => this.#filterStatus((ev.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${!this.status}>all</option>
          ${Object.entries(STATUS_TEXT).map(([v, text]) => html`<option value=${v} ?selected=${this.status === v}>${text}</option>`)}
        </select></label>`;
    if (!rows.length && !this.#back.length && !this.status) return html`<p class="muted">No drift events.</p>`;
    return html`
      ${statusFilter}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${editable ? '' : html`<p class="muted">Your role may read events; acknowledging and labelling needs operator or scientist.</p>`}
      <table data-testid="drift-events">
        <thead><tr><th>When</th><th>Device</th><th>Kind</th><th>Feature</th><th>Statistic</th><th>Status</th><th>Acknowledged</th><th>Label</th>${editable ? html`<th>Actions</th>` : ''}</tr></thead>
        <tbody>
          ${rows.map((e) => {
            const key = `${e.deviceId}/${e.id}`;
            return html`
            <tr data-event-id=${e.id} data-status=${e.status}>
              <td>${when(e.ts)}</td>
              <td><a href="#/fleet/${e.deviceId}">${this.names[e.deviceId] ?? e.deviceId.slice(0, 8)}</a></td>
              <td>${e.kind}${e.detector ? html` <span class="muted">(${e.detector})</span>` : ''}</td>
              <td>${e.feature ?? '—'}</td>
              <td>${e.statistic.toFixed(3)}</td>
              <td class="status"><span class=${e.status === 'open' ? 'warn' : 'ok'}>${STATUS_TEXT[e.status]}</span></td>
              <td class="ack">${e.acknowledged ? html`<span class="ok">✓ ${e.acknowledged.by}</span>, ${when(e.acknowledged.at)}` : html`<span class="muted">—</span>`}</td>
              <td class="label">${e.label ?? '—'}</td>
              ${
                editable
                  ? html`<td>
                    <div class="row">
                      <button class="ack-btn" ?disabled=${Boolean(e.acknowledged) || this.busy !== undefined} @click=${() => this.#act(e, 'acknowledge')}>Acknowledge</button>
                      <button class="false-btn" ?disabled=${e.status === 'false_alarm' || this.busy !== undefined} @click=${() => this.#act(e, 'false-alarm')}>False alarm</button>
                    </div>
                    <div class="row">
                      <input data-event=${key} placeholder="label" size="10" />
                      <button class="label-btn" ?disabled=${this.busy !== undefined} @click=${() => this.#act(e, 'label')}>Label</button>
                    </div>
                    ${this.busy === key ? html`<progress aria-label="writing to the device document"></progress>` : ''}
                  </td>`
                  : ''
              }
            </tr>`;
          })}
        </tbody>
      </table>
      <small data-testid="drift-events-pager">
        <button ?disabled=${!this.#back.length} @click=${() => this.#newer()}>‹ Newer</button>
        ${rows.length} event${rows.length === 1 ? '' : 's'} on this page
        <button ?disabled=${!this.next} @click=${() => this.#older()}>Older ›</button>
      </small>
    `;
  }
}

customElements.define('drift-events', DriftEvents);
