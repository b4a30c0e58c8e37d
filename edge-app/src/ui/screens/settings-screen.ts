import { html, LitElement, nothing } from 'lit';
import type { DeviceApp, DeviceSettings } from '../../app/device-app.ts';
import { when } from '../format.ts';
import { AppController } from '../controllers/app-controller.ts';
import { screenStyles } from '../styles.ts';

/** Sync interval, sampling and retention (kept on the device), the server it talks to, and "sync now". */
export class LcmSettingsScreen extends LitElement {
  static override styles = screenStyles;
  static override properties = {
    app: { attribute: false },
    message: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  app: DeviceApp | undefined;
  message = '';
  error = '';
  busy = false;
  readonly #state = new AppController(this);

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const interval = String(form.get('interval') ?? '').trim();
    const patch: Partial<DeviceSettings> = {
      syncIntervalSec: interval === '' ? null : Number(interval),
      samplingRate: Number(form.get('sampling')) / 100,
      retentionDays: Number(form.get('retention')),
    };
    this.error = '';
    this.message = '';
    try {
      await this.app?.updateSettings(patch);
      this.message = 'Saved';
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  private async syncNow(): Promise<void> {
    this.busy = true;
    this.error = '';
    this.message = '';
    try {
      const s = await this.app?.syncNow();
      if (s && !s.ok) this.error = `Sync failed: ${s.error}`;
      else if (s) this.message = `Synced: ${s.uploaded} records sent${s.modelChanged ? ', new model activated' : ''}`;
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const app = this.app;
    const s = this.#state.status;
    if (!app || !s) return html`<p>Starting…</p>`;
    const set = app.settings;
    const enrolled = s.mode === 'enrolled';
    const serverInterval = app.engine?.intervalSec();
    return html`
      <h2>Settings</h2>
      <section class="card">
        <dl>
          <dt>Server</dt>
          <dd data-testid="server-url">${app.enrolment?.serverUrl ?? 'none (standalone)'}</dd>
          ${app.enrolment ? html`<dt>Device</dt><dd>${app.enrolment.deviceId}</dd>` : nothing}
          <dt>Last sync</dt>
          <dd>${s.syncing ? 'syncing…' : when(s.lastSync?.at)}</dd>
        </dl>
        <p class="hint">The server is fixed at enrolment; to move this device to another server, clear the site's data and enrol again.</p>
        <div class="row actions">
          <button class="primary" data-testid="sync-now" @click=${() => void this.syncNow()} ?disabled=${!enrolled || this.busy || !s.online}>${this.busy ? 'Syncing…' : 'Sync now'}</button>
          ${!s.online && enrolled ? html`<span class="warn">offline: records stay queued until the network is back</span>` : nothing}
        </div>
      </section>
      <section class="card">
        <form class="fields" @submit=${(e: Event) => void this.save(e)}>
          <label for="interval">Sync interval (seconds)</label>
          <input id="interval" name="interval" type="number" min="5" step="1" placeholder=${serverInterval ? `server: ${serverInterval}` : 'server default'} .value=${set.syncIntervalSec === null ? '' : String(set.syncIntervalSec)} />
          <p class="hint">Empty: the interval the server sets for this device.</p>
          <label for="sampling">Sampling (% of inferences logged)</label>
          <input id="sampling" name="sampling" type="number" min="0" max="100" step="any" .value=${String(Math.round(set.samplingRate * 10000) / 100)} />
          <p class="hint">100 logs every inference; 10 one in ten; 0 only failures.</p>
          <label for="retention">Retention (days)</label>
          <input id="retention" name="retention" type="number" min="1" step="1" .value=${String(set.retentionDays)} />
          <p class="hint">Records the server has acknowledged are deleted after this; unsent ones are never deleted.</p>
          <div class="row actions"><button class="primary" type="submit" data-testid="save-settings">Save</button></div>
        </form>
      </section>
      <div role="status" aria-live="polite">
        ${this.message ? html`<p class="ok" data-testid="settings-message">${this.message}</p>` : nothing}
        ${this.error ? html`<p class="error" data-testid="settings-error">${this.error}</p>` : nothing}
      </div>
    `;
  }
}

customElements.define('lcm-settings-screen', LcmSettingsScreen);

declare global {
  interface HTMLElementTagNameMap {
    'lcm-settings-screen': LcmSettingsScreen;
  }
}
