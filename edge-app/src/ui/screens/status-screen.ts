import { html, LitElement, nothing } from 'lit';
import type { DeviceApp, DeviceStatus } from '../../app/device-app.ts';
import { formatBytes, percentOf, when } from '../format.ts';
import { noModelReason } from '../components/no-model.ts';
import { AppController } from '../controllers/app-controller.ts';
import { screenStyles } from '../styles.ts';

const MODE: Record<DeviceStatus['mode'], string> = {
  starting: 'starting…',
  unenrolled: 'not enrolled',
  enrolled: 'enrolled',
  standalone: 'standalone (no server)',
};

/** Everything DeviceStatus says, for a person glancing at the kiosk. */
export class LcmStatusScreen extends LitElement {
  static override styles = screenStyles;
  static override properties = { app: { attribute: false } };
  app: DeviceApp | undefined;
  readonly #state = new AppController(this);

  override render() {
    const s = this.#state.status;
    const app = this.app;
    if (!s || !app) return html`<p>Starting…</p>`;
    const m = s.activeModel;
    const storage = s.storage;
    return html`
      <h2>Status</h2>
      <section class="card">
        <dl>
          <dt>Mode</dt>
          <dd data-testid="mode">${MODE[s.mode]}${app.enrolment ? html` — ${app.enrolment.serverUrl}` : nothing}</dd>
          <dt>Network</dt>
          <dd data-testid="status-online" class=${s.online ? 'ok' : 'bad'}>${s.online ? 'online' : 'offline'}</dd>
          <dt>Active model</dt>
          <dd data-testid="status-model">${m ? `${m.name} v${m.version}` : s.waiting ? html`none <div class="hint" data-testid="status-waiting">${noModelReason(s.waiting)}</div>` : 'none'}${m ? html`<div class="hint">sha256 ${m.sha256.slice(0, 12)}… · ${formatBytes(m.size)} · from ${m.origin === 'file' ? 'a file' : 'the registry'}</div>` : nothing}</dd>
          ${
            s.download
              ? html`<dt>Downloading</dt>
                <dd data-testid="status-download">
                  <progress max=${s.download.total ?? 1} value=${s.download.total ? s.download.received : 0}></progress>
                  ${formatBytes(s.download.received)}${s.download.total ? ` of ${formatBytes(s.download.total)}` : ''} (${percentOf(s.download.received, s.download.total)})
                </dd>`
              : nothing
          }
        </dl>
      </section>
      <section class="card">
        <dl>
          <dt>Last sync</dt>
          <dd data-testid="last-sync" class=${s.lastSync ? (s.lastSync.ok ? 'ok' : 'bad') : ''}>
            ${s.mode === 'enrolled' ? (s.syncing ? 'syncing…' : s.lastSync ? `${when(s.lastSync.at)} — ${s.lastSync.ok ? `ok, ${s.lastSync.uploaded} records sent` : s.lastSync.error}` : 'never') : 'no server'}
          </dd>
          <dt>Next sync</dt>
          <dd data-testid="next-sync">${s.nextSyncAt ? when(s.nextSyncAt) : '—'}</dd>
          <dt>Queued batches</dt>
          <dd data-testid="queued-batches">${s.queued.batches}</dd>
          <dt>Queued records</dt>
          <dd data-testid="queued-records">${s.queued.records}</dd>
        </dl>
      </section>
      <section class="card">
        <dl>
          <dt>Storage used</dt>
          <dd data-testid="storage">
            ${
              storage
                ? html`${formatBytes(storage.usage)} of ${formatBytes(storage.quota)} (${percentOf(storage.usage, storage.quota)})
                  <div class="hint">${storage.persisted ? 'persistent: the browser will not evict it' : 'best effort: the browser may evict it under storage pressure'}</div>`
                : 'unknown (this browser gives no figures)'
            }
          </dd>
          <dt>Alerts</dt>
          <dd data-testid="alerts">
            ${
              s.alerts.length === 0
                ? html`<span class="ok">none</span>`
                : s.alerts.map(
                    (a) =>
                      html`<div class="warn">${a.kind}: ${a.value.toFixed(2)} over ${a.threshold} (${a.model.name} v${a.model.version}, ${when(a.ts)})</div>`,
                  )
            }
          </dd>
          <dt>App</dt>
          <dd>${s.updateAvailable ? html`<span class="warn">a new version is waiting</span>` : 'up to date'}</dd>
        </dl>
      </section>
    `;
  }
}

customElements.define('lcm-status-screen', LcmStatusScreen);

declare global {
  interface HTMLElementTagNameMap {
    'lcm-status-screen': LcmStatusScreen;
  }
}
