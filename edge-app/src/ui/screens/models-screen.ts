import { html, LitElement, nothing } from 'lit';
import type { DeviceApp } from '../../app/device-app.ts';
import type { ActiveModelRecord, PullProgress, StoredModel } from '../../lcm/index.ts';
import { AppController } from '../controllers/app-controller.ts';
import { errorText, formatBytes, formatPercent, formatTime } from '../format.ts';
import { screenStyles } from '../styles.ts';

interface Download extends PullProgress {
  /** Bytes already on the device when this page first saw the download: > 0 means it resumed. */
  resumedAt: number;
}

type Role = 'active' | 'previous' | 'stored';

/**
 * The model versions on the device (active, previous, others), a download in progress with its
 * bytes and percentage (noting when it resumed), and the actions: activate a version, roll back one
 * step, import a model file.
 */
export class LcmModelsScreen extends LitElement {
  static override properties = {
    app: { attribute: false },
    _models: { state: true },
    _active: { state: true },
    _download: { state: true },
    _busy: { state: true },
    _message: { state: true },
    _error: { state: true },
  };
  static override styles = [screenStyles];

  declare app: DeviceApp | undefined;
  declare private _models: StoredModel[];
  declare private _active: ActiveModelRecord[];
  declare private _download: Download | undefined;
  declare private _busy: boolean;
  declare private _message: string;
  declare private _error: string;
  private loading = 0;

  constructor() {
    super();
    this._models = [];
    this._active = [];
    this._busy = false;
    this._message = '';
    this._error = '';
    const c = new AppController(this, {
      change: () => {
        this.track(this.app?.status().download);
        void this.load();
      },
      'download-progress': (e) => this.track(e.detail as PullProgress),
      'model-activated': () => void this.load(),
    });
    c.onLcmChanged = () => void this.load();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.track(this.app?.status().download);
    void this.load();
  }

  /** Re-reads the store; overlapping reloads keep only the latest answer. */
  async load(): Promise<void> {
    const lcm = this.app?.lcm;
    if (!lcm) return;
    const n = ++this.loading;
    try {
      const [models, active] = await Promise.all([lcm.models.list(), lcm.models.activeRecords()]);
      if (n !== this.loading) return;
      this._models = models.sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version);
      this._active = active;
    } catch (err) {
      if (n === this.loading) this._error = `Could not read the models stored on this device: ${errorText(err)}`;
    }
  }

  private track(p: PullProgress | undefined): void {
    if (!p) {
      this._download = undefined;
      return;
    }
    const same = this._download?.sha256 === p.sha256;
    this._download = { ...p, resumedAt: same ? this._download!.resumedAt : p.received };
  }

  override render() {
    const lcm = this.app?.lcm;
    return html`
      <h2>Models</h2>
      ${this._error ? html`<p class="card error" role="alert" data-testid="error">${this._error}</p>` : nothing}
      ${this._message ? html`<p class="card ok" role="status" data-testid="message">${this._message}</p>` : nothing}
      ${this.renderDownload()}
      <section class="card">
        <h3>On this device</h3>
        ${
          !lcm
            ? html`<p class="muted">Starting TinyLCM…</p>`
            : this._models.length
              ? html`<div class="scroll"><table data-testid="models">
                <thead><tr><th>Model</th><th>Version</th><th>State</th><th>Size</th><th>sha256</th><th>Stored</th><th>Actions</th></tr></thead>
                <tbody>${this._models.map((m) => this.renderRow(m))}</tbody>
              </table></div>`
              : html`<p data-testid="no-models">No model is stored on this device yet. Import an ONNX file below, or enrol the device so it pulls its deployed model.</p>`
        }
      </section>
      <section class="card">
        <h3>Import a model file</h3>
        <p class="muted">An ONNX file; class labels and feature names are read from its metadata. It becomes the active version.</p>
        <div class="row">
          <label>Model file <input type="file" accept=".onnx,application/octet-stream" data-testid="import-file" ?disabled=${this._busy || !this.app} @change=${this.importFile} /></label>
        </div>
      </section>
    `;
  }

  private renderDownload() {
    const d = this._download;
    if (!d) return nothing;
    const pct = d.total ? d.received / d.total : null;
    return html`<section class="card" data-testid="download" aria-live="polite">
      <h3>Downloading a model</h3>
      <p class="mono">${d.sha256}</p>
      <p data-testid="download-progress">${formatBytes(d.received)}${d.total ? html` of ${formatBytes(d.total)} (${formatPercent(pct!)})` : ' (size not known yet)'}</p>
      ${d.total ? html`<progress max=${d.total} value=${d.received} aria-label="Download progress"></progress>` : html`<progress aria-label="Download progress"></progress>`}
      ${d.resumedAt > 0 ? html`<p class="muted" data-testid="download-resumed">Resumed: ${formatBytes(d.resumedAt)} were already on the device.</p>` : nothing}
    </section>`;
  }

  private roleOf(m: StoredModel): Role {
    const r = this._active.find((a) => a.name === m.name);
    return r?.version === m.version ? 'active' : r?.previous === m.version ? 'previous' : 'stored';
  }

  private renderRow(m: StoredModel) {
    const role = this.roleOf(m);
    const record = this._active.find((a) => a.name === m.name);
    return html`<tr data-testid="model" data-name=${m.name} data-version=${m.version} data-role=${role}>
      <td>${m.name}<br /><small class="muted">${m.origin === 'file' ? 'imported file' : 'from the registry'}</small></td>
      <td>v${m.version}</td>
      <td class=${role === 'active' ? 'ok' : ''}><strong>${role}</strong></td>
      <td>${formatBytes(m.size)}</td>
      <td class="mono" title=${m.sha256}>${m.sha256.slice(0, 16)}…</td>
      <td>${formatTime(m.storedAt)}</td>
      <td><div class="row">
        ${role !== 'active' ? html`<button data-action="activate" ?disabled=${this._busy} @click=${() => this.run(`Activated ${m.name} v${m.version}.`, (l) => l.activate(m.name, m.version))}>Activate</button>` : nothing}
        ${
          role === 'active' && record?.previous !== undefined
            ? html`<button data-action="rollback" ?disabled=${this._busy} @click=${() => this.run(`Rolled ${m.name} back to v${record.previous}.`, (l) => l.rollback(m.name))}>Roll back to v${record.previous}</button>`
            : nothing
        }
      </div></td>
    </tr>`;
  }

  private async run(done: string, action: (lcm: NonNullable<DeviceApp['lcm']>) => Promise<unknown>): Promise<void> {
    const lcm = this.app?.lcm;
    if (!lcm) return;
    this._busy = true;
    this._error = '';
    this._message = '';
    try {
      await action(lcm);
      this._message = done;
    } catch (err) {
      this._error = errorText(err);
    } finally {
      this._busy = false;
      await this.load();
    }
  }

  private async importFile(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file || !this.app) return;
    this._busy = true;
    this._error = '';
    this._message = '';
    try {
      const m = await this.app.importModel(file);
      this._message = `Imported ${file.name} as ${m.name} v${m.version}.`;
    } catch (err) {
      this._error = `Could not import ${file.name}: ${errorText(err)}`;
    } finally {
      this._busy = false;
      input.value = '';
      await this.load();
    }
  }
}

customElements.define('lcm-models-screen', LcmModelsScreen);

declare global {
  interface HTMLElementTagNameMap {
    'lcm-models-screen': LcmModelsScreen;
  }
}
