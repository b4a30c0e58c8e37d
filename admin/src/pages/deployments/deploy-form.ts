import { html, LitElement } from 'lit';
import { z } from 'zod';
import { DeploymentSchema, DeviceSchema, type DeviceGroup } from '../../../../shared/protocol/index.ts';
import { api, errorText } from '../../api.ts';
import { pageStyles } from '../../components/styles.ts';
import { ModelPageSchema, VersionPageSchema } from '../models/model-data.ts';
import type { RegisteredModel } from '../../../../shared/protocol/index.ts';

/**
 * Deploy a version or an alias to a group, at once or as a canary with rollout gates; announces
 * `deployed`. A canary needs at least one device in the group (the server refuses it otherwise:
 * services/deployments/policy.ts canaryProblem), so for a group with none the canary field is
 * disabled with a hint, and the deployment goes to the whole group, which later devices follow.
 */
export class DeployForm extends LitElement {
  static override properties = {
    groups: { attribute: false },
    models: { state: true },
    model: { state: true },
    versions: { state: true },
    error: { state: true },
    busy: { state: true },
    groupId: { state: true },
    devices: { state: true },
  };
  static override styles = pageStyles;
  declare groups: DeviceGroup[];
  declare models: RegisteredModel[];
  declare model: string;
  declare versions: number[];
  declare error: string | undefined;
  declare busy: boolean;
  /** The chosen group (the first one until a person picks another). */
  declare groupId: string;
  /** Its devices not revoked, by group id; absent while being counted. */
  declare devices: Record<string, number>;

  constructor() {
    super();
    this.groups = [];
    this.models = [];
    this.model = '';
    this.versions = [];
    this.error = undefined;
    this.busy = false;
    this.groupId = '';
    this.devices = {};
  }

  override willUpdate(): void {
    if (!this.groups.some((g) => g.id === this.groupId) && this.groups[0]) this.#chooseGroup(this.groups[0].id);
  }

  #chooseGroup(id: string) {
    this.groupId = id;
    api.v1('/devices', z.array(DeviceSchema), { groupId: id }).then(
      (list) => (this.devices = { ...this.devices, [id]: list.filter((d) => !d.revokedAt).length }),
      (err: unknown) => (this.error = errorText(err)),
    );
  }

  override connectedCallback(): void {
    super.connectedCallback();
    api.v1('/models', ModelPageSchema, { pageSize: 1000 }).then(
      (p) => {
        this.models = p.items;
        if (p.items[0]) void this.#pick(p.items[0].name);
      },
      (err: unknown) => (this.error = errorText(err)),
    );
  }

  async #pick(name: string) {
    this.model = name;
    try {
      this.versions = (
        await api.v1(`/models/${encodeURIComponent(name)}/versions`, VersionPageSchema, { pageSize: 1000 })
      ).items.map((v) => v.version);
    } catch (err) {
      this.error = errorText(err);
    }
  }

  async #submit(e: SubmitEvent) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const target = String(f.get('target'));
    const opt = (k: string) => {
      const v = String(f.get(k) ?? '').trim();
      return v === '' ? undefined : Number(v);
    };
    // A disabled field is not in the form data: no devices means the whole group.
    const canaryPercent = this.devices[this.groupId] === 0 ? 100 : Number(f.get('canary'));
    const gates = {
      maxDriftAlarms: opt('maxDriftAlarms'),
      maxErrorRate: opt('maxErrorRate'),
      maxP95Ms: opt('maxP95Ms'),
      minInferences: opt('minInferences'),
      onTrip: String(f.get('onTrip')),
    };
    const hasGates =
      gates.maxDriftAlarms !== undefined || gates.maxErrorRate !== undefined || gates.maxP95Ms !== undefined;
    const body = {
      groupId: String(f.get('groupId')),
      model: target.startsWith('alias:')
        ? { name: this.model, alias: target.slice(6) }
        : { name: this.model, version: Number(target) },
      canaryPercent,
      ...(hasGates ? { gates: Object.fromEntries(Object.entries(gates).filter(([, v]) => v !== undefined)) } : {}),
      ...(String(f.get('reason') ?? '').trim() ? { reason: String(f.get('reason')).trim() } : {}),
    };
    this.busy = true;
    this.error = undefined;
    try {
      const d = await api.send('POST', '/deployments', DeploymentSchema, body);
      this.dispatchEvent(new CustomEvent('deployed', { detail: d, bubbles: true, composed: true }));
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const aliases = Object.keys(this.models.find((m) => m.name === this.model)?.aliases ?? {});
    const empty = this.devices[this.groupId] === 0;
    return html`
      <form class="inline" data-testid="deploy-form" @submit=${this.#submit}>
        <label>Group<select name="groupId" required @change=${(e: Event) => this.#chooseGroup((e.target as HTMLSelectElement).value)}>${this.groups.map((g) => html`<option value=${g.id} ?selected=${g.id === this.groupId}>${g.name}</option>`)}</select></label>
        <label>Model<select name="model" @change=${(e: Event) => this.#pick((e.target as HTMLSelectElement).value)}>${this.models.map((m) => html`<option ?selected=${m.name === this.model}>${m.name}</option>`)}</select></label>
        <label>Version or alias<select name="target">
          ${this.versions.map((v) => html`<option value=${v}>v${v}</option>`)}
          ${aliases.map((a) => html`<option value="alias:${a}">alias ${a}</option>`)}
        </select></label>
        <label>Canary % (100 = all)<input name="canary" type="number" min="1" max="100" value="100" ?disabled=${empty} aria-describedby="canary-hint" /></label>
        <label>Gate: max drift alarms<input name="maxDriftAlarms" type="number" min="0" size="6" /></label>
        <label>max error rate<input name="maxErrorRate" type="number" min="0" max="1" step="0.01" size="6" /></label>
        <label>max p95 ms<input name="maxP95Ms" type="number" min="0" step="any" size="6" /></label>
        <label>judge after (inferences)<input name="minInferences" type="number" min="1" placeholder="20" size="6" /></label>
        <label>on trip<select name="onTrip"><option value="rollback">roll back</option><option value="pause">pause</option></select></label>
        <label>Reason<input name="reason" maxlength="2000" /></label>
        <button ?disabled=${this.busy || !this.versions.length}>${this.busy ? 'Deploying…' : 'Deploy'}</button>
      </form>
      ${
        empty
          ? html`<p class="muted" id="canary-hint" data-testid="canary-hint">This group has no devices yet, so no canary: a canary needs at least one device to try the version on. This deploys to the whole group, and every device that enrols later gets it.</p>`
          : ''
      }
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
    `;
  }
}

customElements.define('deploy-form', DeployForm);
