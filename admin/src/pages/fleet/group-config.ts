import { css, html, LitElement } from 'lit';
import {
  StoredConfigSchema,
  type DeviceConfig,
  type DeviceGroup,
  type StoredConfig,
} from '../../../../shared/protocol/index.ts';
import { api } from '../../api.ts';
import { attempt } from '../../components/load.ts';
import { when } from '../../components/format.ts';
import { pageStyles } from '../../components/styles.ts';
import { can } from '../../session.ts';

const DAY_MS = 86_400_000;
type Json = Record<string, unknown>;

/** A form number: undefined when empty, so the key is left out of the config. */
function num(form: FormData, name: string): number | undefined {
  const v = String(form.get(name) ?? '').trim();
  return v === '' ? undefined : Number(v);
}

/** A JSON object typed into a text area; empty is none. Bad JSON is the form's error, before any request. */
function jsonField(form: FormData, name: string, label: string): Json | undefined {
  const text = String(form.get(name) ?? '').trim();
  if (!text) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`${label} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${label} must be a JSON object ({…})`);
  return v as Json;
}

/** Sets or removes keys (undefined removes); an object left empty goes too. */
function withKeys(base: Json | undefined, keys: Json): Json | undefined {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(keys))
    if (v === undefined) delete out[k];
    else out[k] = v;
  return Object.keys(out).length ? out : undefined;
}

/**
 * A device group's remote configuration (README "Remote configuration"): sync interval, sampling,
 * retention, detectors and alerts (JSON), the false-alarm factor. Saving PUTs the whole config;
 * keys the form does not show (e.g. sampling.errors) are kept as loaded. The server's message on a
 * refusal (a 400 naming the key) is shown as it is.
 */
export class GroupConfig extends LitElement {
  static override properties = {
    groups: { attribute: false },
    groupId: { state: true },
    stored: { state: true },
    error: { state: true },
    saved: { state: true },
  };
  static override styles = [
    pageStyles,
    css`
      .fields { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; margin-bottom: .5rem; }
      label.field { display: flex; flex-direction: column; font-size: .85rem; color: #57606a; }
      textarea { width: 100%; box-sizing: border-box; font-family: ui-monospace, monospace; }
      fieldset { border: 0; padding: 0; margin: 0; }
    `,
  ];
  declare groups: DeviceGroup[];
  declare groupId: string;
  declare stored: StoredConfig | undefined;
  declare error: string | undefined;
  declare saved: boolean;

  constructor() {
    super();
    this.groups = [];
    this.groupId = '';
    this.stored = undefined;
    this.error = undefined;
    this.saved = false;
  }

  override willUpdate(): void {
    if (!this.groupId && this.groups[0]) {
      this.groupId = this.groups[0].id;
      void this.#load();
    }
  }

  #load = () =>
    attempt(this, async () => {
      this.saved = false;
      this.stored = this.groupId
        ? await api.v1(`/device-groups/${this.groupId}/config`, StoredConfigSchema)
        : undefined;
    });

  #save = (e: SubmitEvent) =>
    attempt(this, async () => {
      e.preventDefault();
      this.saved = false;
      const f = new FormData(e.target as HTMLFormElement);
      const c = (this.stored?.config ?? {}) as DeviceConfig & Json;
      const age = num(f, 'maxAgeDays');
      const config = withKeys(c, {
        syncIntervalSec: num(f, 'syncIntervalSec'),
        sampling: withKeys(c.sampling, {
          everyNth: num(f, 'everyNth'),
          confidenceBelow: num(f, 'confidenceBelow'),
          aroundDrift: num(f, 'aroundDrift'),
        }),
        retention: withKeys(c.retention, {
          maxRecords: num(f, 'maxRecords'),
          maxBytes: num(f, 'maxBytes'),
          maxAgeMs: age === undefined ? undefined : Math.round(age * DAY_MS),
        }),
        detectors: jsonField(f, 'detectors', 'Detectors'),
        alerts: jsonField(f, 'alerts', 'Alerts'),
        falseAlarmThresholdFactor: num(f, 'falseAlarmThresholdFactor'),
      });
      this.stored = await api.send('PUT', `/device-groups/${this.groupId}/config`, StoredConfigSchema, config ?? {});
      this.saved = true;
    });

  override render() {
    const c = this.stored?.config ?? {};
    const editable = can('manageDevices');
    const v = (x: number | undefined) => (x === undefined ? '' : String(x));
    const pretty = (x: unknown) => (x === undefined ? '' : JSON.stringify(x, null, 2));
    return html`
      <div class="row">
        <label>Group
          <select data-testid="config-group" @change=${(e: Event) => ((this.groupId = (e.target as HTMLSelectElement).value), void this.#load())}>
            ${this.groups.map((g) => html`<option value=${g.id} ?selected=${g.id === this.groupId}>${g.name}</option>`)}
          </select>
        </label>
        <span class="muted" data-testid="config-version">${this.stored ? `version ${this.stored.version}${this.stored.updatedAt ? ` · ${this.stored.updatedBy ?? '?'} ${when(this.stored.updatedAt)}` : ''}` : ''}</span>
      </div>
      ${this.error ? html`<p class="error" role="alert" data-testid="config-error">${this.error}</p>` : ''}
      ${this.saved ? html`<p class="ok" data-testid="config-saved">Saved: devices get it on their next sync.</p>` : ''}
      <form @submit=${this.#save} data-testid="group-config">
        <fieldset ?disabled=${!editable || !this.stored}>
          <div class="fields">
            <label class="field">Sync interval (s)<input name="syncIntervalSec" type="number" step="1" .value=${v(c.syncIntervalSec)} placeholder="device default" /></label>
            <label class="field">Log 1 in N<input name="everyNth" type="number" step="1" .value=${v(c.sampling?.everyNth)} /></label>
            <label class="field">Also log confidence below<input name="confidenceBelow" type="number" step="any" .value=${v(c.sampling?.confidenceBelow)} /></label>
            <label class="field">Also log K around drift<input name="aroundDrift" type="number" step="1" .value=${v(c.sampling?.aroundDrift)} /></label>
          </div>
          <div class="fields">
            <label class="field">Keep at most records<input name="maxRecords" type="number" step="1" .value=${v(c.retention?.maxRecords)} /></label>
            <label class="field">Keep at most bytes<input name="maxBytes" type="number" step="1" .value=${v(c.retention?.maxBytes)} /></label>
            <label class="field">Keep at most days<input name="maxAgeDays" type="number" step="any" .value=${c.retention?.maxAgeMs === undefined ? '' : String(c.retention.maxAgeMs / DAY_MS)} /></label>
            <label class="field">False-alarm threshold factor<input name="falseAlarmThresholdFactor" type="number" step="any" .value=${v(c.falseAlarmThresholdFactor)} placeholder="1" /></label>
          </div>
          <div class="grid2">
            <label class="field">Detectors (JSON, e.g. {"features": {"detector": "page-hinkley", "params": {"threshold": 30}}})
              <textarea name="detectors" rows="6" data-testid="config-detectors" .value=${pretty(c.detectors)}></textarea></label>
            <label class="field">Alerts (JSON, e.g. {"p95LatencyMs": 50, "lowConfidence": {"below": 0.5, "rate": 0.3}})
              <textarea name="alerts" rows="6" data-testid="config-alerts" .value=${pretty(c.alerts)}></textarea></label>
          </div>
          ${editable ? html`<button data-testid="save-config">Save config</button>` : html`<p class="muted">Operators change the config.</p>`}
        </fieldset>
      </form>
    `;
  }
}

customElements.define('group-config', GroupConfig);
