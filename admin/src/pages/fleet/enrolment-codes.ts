import { html, LitElement } from 'lit';
import { z } from 'zod';
import {
  CreatedEnrolmentCodeSchema,
  DeviceGroupSchema,
  EnrolmentCodeSchema,
  type CreatedEnrolmentCode,
  type DeviceGroup,
  type EnrolmentCode,
} from '../../../../shared/protocol/index.ts';
import { api, errorText } from '../../api.ts';
import { attempt } from '../../components/load.ts';
import { when } from '../../components/format.ts';
import { pageOf } from '../../components/pager.ts';
import { pageStyles } from '../../components/styles.ts';
import { can } from '../../session.ts';

/** Groups and their enrolment codes: create a group, create a code (shown once, copyable), revoke one. */
export class EnrolmentCodes extends LitElement {
  static override properties = {
    groups: { attribute: false },
    groupId: { state: true },
    codes: { state: true },
    created: { state: true },
    error: { state: true },
    copied: { state: true },
    page: { state: true },
  };
  static override styles = pageStyles;
  declare groups: DeviceGroup[];
  declare groupId: string;
  declare codes: EnrolmentCode[];
  declare created: CreatedEnrolmentCode | undefined;
  declare error: string | undefined;
  declare copied: boolean;
  declare page: number;

  constructor() {
    super();
    this.groups = [];
    this.groupId = '';
    this.codes = [];
    this.created = undefined;
    this.error = undefined;
    this.copied = false;
    this.page = 0;
  }

  override willUpdate(): void {
    if (!this.groupId && this.groups[0] && can('manageDevices')) {
      this.groupId = this.groups[0].id;
      void this.#loadCodes();
    }
  }

  #run(fn: () => Promise<void>) {
    return attempt(this, fn);
  }

  #loadCodes = () =>
    this.#run(async () => {
      this.codes = this.groupId
        ? await api.v1(`/device-groups/${this.groupId}/enrolment-codes`, z.array(EnrolmentCodeSchema))
        : [];
    });

  #createGroup = (e: SubmitEvent) =>
    this.#run(async () => {
      e.preventDefault();
      const form = e.target as HTMLFormElement;
      const name = String(new FormData(form).get('name') ?? '').trim();
      const g = await api.send('POST', '/device-groups', DeviceGroupSchema, { name });
      form.reset();
      this.groupId = g.id;
      this.dispatchEvent(new CustomEvent('changed', { bubbles: true, composed: true }));
      await this.#loadCodes();
    });

  #createCode = (e: SubmitEvent) =>
    this.#run(async () => {
      e.preventDefault();
      const data = new FormData(e.target as HTMLFormElement);
      const created = await api.send(
        'POST',
        `/device-groups/${this.groupId}/enrolment-codes`,
        CreatedEnrolmentCodeSchema,
        {
          uses: Number(data.get('uses')),
          expiresInSeconds: Number(data.get('hours')) * 3600,
        },
      );
      // The list is reloaded before the new code shows, so the two never disagree on screen.
      await this.#loadCodes();
      this.created = created;
      this.copied = false;
    });

  #revoke = (id: string) =>
    this.#run(async () => {
      await api.send('DELETE', `/enrolment-codes/${id}`, EnrolmentCodeSchema);
      await this.#loadCodes();
    });

  async #copy() {
    if (!this.created) return;
    await navigator.clipboard.writeText(this.created.code).then(
      () => (this.copied = true),
      (err: unknown) => (this.error = `Copy failed (${errorText(err)}); select the code and copy it by hand.`),
    );
  }

  override render() {
    if (!can('manageDevices')) return html`<p class="muted">Enrolment codes are managed by operators.</p>`;
    return html`
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      <form class="inline" @submit=${this.#createGroup} data-testid="create-group">
        <label>New group<input name="name" required maxlength="100" /></label><button>Create group</button>
      </form>
      <div class="row">
        <label>Group
          <select data-testid="code-group" @change=${(e: Event) => ((this.groupId = (e.target as HTMLSelectElement).value), (this.created = undefined), void this.#loadCodes())}>
            ${this.groups.map((g) => html`<option value=${g.id} ?selected=${g.id === this.groupId}>${g.name}</option>`)}
          </select>
        </label>
      </div>
      <form class="inline" @submit=${this.#createCode} data-testid="create-code">
        <label>Uses<input name="uses" type="number" min="1" max="100000" value="1" /></label>
        <label>Expires in (hours)<input name="hours" type="number" min="1" max="8760" value="24" /></label>
        <button ?disabled=${!this.groupId}>Create enrolment code</button>
      </form>
      ${
        this.created
          ? html`<p data-testid="new-code">New code (shown once): <code>${this.created.code}</code>
            <button @click=${this.#copy}>${this.copied ? 'Copied' : 'Copy'}</button></p>`
          : ''
      }
      <table data-testid="codes">
        <thead><tr><th>Created</th><th>Uses left</th><th>Expires</th><th>By</th><th>State</th><th></th></tr></thead>
        <tbody>
          ${pageOf(this.codes, this.page).map(
            (c) => html`<tr>
            <td>${when(c.createdAt)}</td><td>${c.usesLeft} / ${c.uses}</td><td>${when(c.expiresAt)}</td><td>${c.createdBy ?? '—'}</td>
            <td>${c.revokedAt ? html`<span class="error">revoked</span>` : Date.parse(c.expiresAt) < Date.now() ? 'expired' : c.usesLeft ? html`<span class="ok">active</span>` : 'used up'}</td>
            <td>${c.revokedAt ? '' : html`<button @click=${() => this.#revoke(c.id)}>Revoke</button>`}</td>
          </tr>`,
          )}
        </tbody>
      </table>
      <ts-pager .page=${this.page} .total=${this.codes.length} @page=${(e: CustomEvent<number>) => (this.page = e.detail)}></ts-pager>
    `;
  }
}

customElements.define('enrolment-codes', EnrolmentCodes);
