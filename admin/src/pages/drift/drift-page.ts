import { html, LitElement } from 'lit';
import {
  FeatureHistogramSchema,
  FleetMetricsSchema,
  ModelVersionSchema,
  type DeviceGroup,
  type FleetMetrics,
  type ModelVersion,
} from '../../../../shared/protocol/index.ts';
import { PollController } from '../../../../shared/ui/poll-controller.ts';
import { api, errorText } from '../../api.ts';
import '../../charts/chart.ts';
import { heatmap } from '../../charts/heatmap.ts';
import '../../components/drift-events.ts';
import { view } from '../../components/load.ts';
import { pageStyles } from '../../components/styles.ts';
import { listGroups } from '../fleet/fleet-data.ts';
import { heatCells, loadDrift, MAX_ROWS, type DriftData } from './drift-data.ts';
import './drift-report.ts';
import './profile-view.ts';

const WINDOWS = { '24 h': 24, '7 days': 168, '30 days': 720 } as const;

/** The fleet's drift: a device × time heat map, reference vs current, events, an on-demand report. */
export class DriftPage extends LitElement {
  static override properties = {
    groupId: { state: true },
    window: { state: true },
    version: { state: true },
    profile: { state: true },
    groups: { state: true },
  };
  static override styles = pageStyles;
  declare groupId: string;
  declare window: keyof typeof WINDOWS;
  declare version: string;
  declare profile: { version: ModelVersion; fleet: FleetMetrics } | { error: string } | undefined;
  declare groups: DeviceGroup[];

  constructor() {
    super();
    this.groupId = '';
    this.window = '24 h';
    this.version = '';
    this.profile = undefined;
    this.groups = [];
  }

  /** The stored records' values of one feature, in the reference's bins, for this page's window and group. */
  #loader:
    | { key: string; load: (index: number, edges: readonly number[]) => Promise<{ counts: number[]; total: number }> }
    | undefined;
  #featureLoader(v: ModelVersion) {
    const hours = WINDOWS[this.window];
    const groupId = this.groupId;
    // The same function while version, window and group stay: a new one makes the view fetch again.
    const key = `${v.name}@${v.version}|${hours}|${groupId}`;
    if (this.#loader?.key === key) return this.#loader.load;
    const load = (index: number, edges: readonly number[]) => {
      const q = new URLSearchParams({
        modelVersion: `${v.name}@${v.version}`,
        feature: String(index),
        edges: edges.join(','),
        from: new Date(Date.now() - hours * 3_600_000).toISOString(),
        ...(groupId ? { groupId } : {}),
      });
      return api.get(`/api/v1/fleet/feature-histogram?${q}`, FeatureHistogramSchema);
    };
    this.#loader = { key, load };
    return load;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    listGroups().then(
      (g) => (this.groups = g),
      () => undefined,
    );
  }

  readonly #data = new PollController<DriftData>(
    this,
    (signal) => loadDrift(this.groupId, WINDOWS[this.window], signal),
    30_000,
  );

  /** Model versions that logged records in the window, most records first. */
  #versions(d: DriftData): string[] {
    const n: Record<string, number> = {};
    for (const dev of d.devices)
      for (const [k, c] of Object.entries(dev.metrics.totals.byModelVersion)) n[k] = (n[k] ?? 0) + c;
    return Object.keys(n).sort((a, b) => n[b]! - n[a]!);
  }

  async #loadProfile(key: string) {
    this.version = key;
    this.profile = undefined;
    if (!key) return;
    const at = key.lastIndexOf('@');
    try {
      const [version, fleet] = await Promise.all([
        api.v1(`/models/${encodeURIComponent(key.slice(0, at))}/versions/${key.slice(at + 1)}`, ModelVersionSchema),
        api.v1('/fleet/metrics', FleetMetricsSchema, {
          bucket: 'hour',
          from: new Date(Date.now() - WINDOWS[this.window] * 3_600_000).toISOString(),
          groupId: this.groupId || undefined,
          modelVersion: key,
        }),
      ]);
      this.profile = { version, fleet };
    } catch (err) {
      this.profile = { error: errorText(err) };
    }
  }

  protected override updated(): void {
    // The busiest version is shown first, once the window's data is in.
    const s = this.#data.state;
    if (s.status !== 'ok' || this.version) return;
    const first = this.#versions(s.value)[0];
    if (first) void this.#loadProfile(first);
  }

  #render(d: DriftData) {
    const { xs, ys, cells } = heatCells(d);
    const versions = this.#versions(d);
    return html`
      <h3>Drift alarms per device and ${d.devices[0]?.metrics.bucket ?? 'hour'}</h3>
      ${d.skipped ? html`<p class="muted">Showing the first ${MAX_ROWS} devices; ${d.skipped} more: pick a group.</p>` : ''}
      ${
        ys.length
          ? html`<ts-chart data-testid="heatmap" label="drift heat map" style="height:${Math.max(160, 28 * ys.length + 80)}px" .config=${heatmap(xs, ys, cells)}></ts-chart>
            <p class="muted">Colour: share of a bucket's records with a drift alarm, white to red; amber: warnings but no alarm; grey: no records. Warnings never count as alarms.</p>`
          : html`<p class="muted">No devices.</p>`
      }
      <h3>Reference vs current</h3>
      <div class="row">Model version
        <select data-testid="profile-version" @change=${(e: Event) => this.#loadProfile((e.target as HTMLSelectElement).value)}>
          ${versions.map((v) => html`<option ?selected=${v === this.version}>${v}</option>`)}
        </select></div>
      ${
        !this.profile
          ? html`<p class="muted">${versions.length ? 'Loading the reference profile…' : 'No records in this window.'}</p>`
          : 'error' in this.profile
            ? html`<p class="error" role="alert">${this.profile.error}</p>`
            : html`<profile-view .profile=${this.profile.version.metadata.referenceProfile} .currentClasses=${this.profile.fleet.totals.classes} .currentFeature=${this.#featureLoader(this.profile.version)}></profile-view>`
      }
      <h3>Drift events</h3>
      <drift-events .filter=${{ groupId: this.groupId || undefined }} .names=${Object.fromEntries(d.devices.map((x) => [x.id, x.name]))} @changed=${() => this.#data.refresh()}></drift-events>
      <h3>Drift report between two windows</h3>
      <drift-report-form .groupId=${this.groupId} .versions=${versions}></drift-report-form>
    `;
  }

  override render() {
    return html`
      <h2>Drift</h2>
      <div class="row">
        <select data-testid="drift-group" @change=${(e: Event) => ((this.groupId = (e.target as HTMLSelectElement).value), (this.version = ''), void this.#data.refresh())}>
          <option value="">all groups</option>${this.groups.map((g) => html`<option value=${g.id}>${g.name}</option>`)}
        </select>
        <select @change=${(e: Event) => ((this.window = (e.target as HTMLSelectElement).value as keyof typeof WINDOWS), (this.version = ''), void this.#data.refresh())}>
          ${Object.keys(WINDOWS).map((w) => html`<option ?selected=${w === this.window}>${w}</option>`)}
        </select>
      </div>
      ${view(this.#data.state, (d) => this.#render(d), 'drift data')}
    `;
  }
}

customElements.define('drift-page', DriftPage);
