import { html, LitElement } from 'lit';
import { DeploymentSchema, type DeviceGroup } from '../../../../shared/protocol/index.ts';
import { api, errorText } from '../../api.ts';
import { pageStyles } from '../../components/styles.ts';
import { ModelPageSchema, VersionPageSchema } from '../models/model-data.ts';
import type { RegisteredModel } from '../../../../shared/protocol/index.ts';

/** Deploy a version or an alias to a group, at once or as a canary with rollout gates; announces `deployed`. */
export class DeployForm extends LitElement {
  static override properties = { groups: { attribute: false }, models: { state: true }, model: { state: true }, versions: { state: true }, error: { state: true }, busy: { state: true } };
  static override styles = pageStyles;
  declare groups: DeviceGroup[];
  declare models: RegisteredModel[];
  declare model: string;
  declare versions: number[];
  declare error: string | undefined;
  declare busy: boolean;

  constructor() {
    super();
    this.groups = [];
    this.models = [];
    this.model = '';
    this.versions = [];
    this.error = undefined;
    this.busy = false;
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
      this.versions = (await api.v1(`/models/${encodeURIComponent(name)}/versions`, VersionPageSchema, { pageSize: 1000 })).items.map((v) => v.version);
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
    const canaryPercent = Number(f.get('canary'));
    const gates = {
      maxDriftAlarms: opt('maxDriftAlarms'),
      maxErrorRate: opt('maxErrorRate'),
      maxP95Ms: opt('maxP95Ms'),
      minInferences: opt('minInferences'),
      onTrip: String(f.get('onTrip')),
    };
    const hasGates = gates.maxDriftAlarms !== undefined || gates.maxErrorRate !== undefined || gates.maxP95Ms !== undefined;
    const body = {
      groupId: String(f.get('groupId')),
      model: target.startsWith('alias:') ? { name: this.model, alias: target.slice(6) } : { name: this.model, version: Number(target) },
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
    return html`
      <form class="inline" data-testid="deploy-form" @submit=${this.#submit}>
        <label>Group<select name="groupId" required>${this.groups.map((g) => html`<option value=${g.id}>${g.name}</option>`)}</select></label>
        <label>Model<select name="model" @change=${(e: Event) => this.#pick((e.target as HTMLSelectElement).value)}>${this.models.map((m) => html`<option ?selected=${m.name === this.model}>${m.name}</option>`)}</select></label>
        <label>Version or alias<select name="target">
          ${this.versions.map((v) => html`<option value=${v}>v${v}</option>`)}
          ${aliases.map((a) => html`<option value="alias:${a}">alias ${a}</option>`)}
        </select></label>
        <label>Canary % (100 = all)<input name="canary" type="number" min="1" max="100" value="100" /></label>
        <label>Gate: max drift alarms<input name="maxDriftAlarms" type="number" min="0" size="6" /></label>
        <label>max error rate<input name="maxErrorRate" type="number" min="0" max="1" step="0.01" size="6" /></label>
        <label>max p95 ms<input name="maxP95Ms" type="number" min="0" step="any" size="6" /></label>
        <label>judge after (inferences)<input name="minInferences" type="number" min="1" placeholder="20" size="6" /></label>
        <label>on trip<select name="onTrip"><option value="rollback">roll back</option><option value="pause">pause</option></select></label>
        <label>Reason<input name="reason" maxlength="2000" /></label>
        <button ?disabled=${this.busy || !this.versions.length}>${this.busy ? 'Deploying…' : 'Deploy'}</button>
      </form>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
    `;
  }
}

customElements.define('deploy-form', DeployForm);
