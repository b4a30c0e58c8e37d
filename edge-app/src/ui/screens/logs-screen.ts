import { html, LitElement, nothing } from 'lit';
import { driftKinds } from '../../../../shared/drift/flags.ts';
import type { DeviceApp } from '../../app/device-app.ts';
import type { ExportFormat, InferenceRecord } from '../../lcm/index.ts';
import { AppController } from '../controllers/app-controller.ts';
import { errorText, formatBytes, formatMs, formatPercent, formatTime } from '../format.ts';
import { saveText } from '../components/save-file.ts';
import { screenStyles } from '../styles.ts';
import { logCounts, recentRecords, recordState, type LogCounts } from './logs-data.ts';

const REFRESH_MS = 2000;
const SHOWN = 50;

/** Detail of the `lcm-export` event the screen dispatches with each export it offers for download. */
export interface LogExport {
  format: ExportFormat;
  fileName: string;
  text: string;
  records: number;
}

const MIME: Record<ExportFormat, string> = { jsonl: 'application/x-ndjson', csv: 'text/csv' };

/**
 * The inference log: how many records are stored, queued for upload, sent and acknowledged; the
 * newest records with their sync state; and an export of everything as JSON Lines or CSV.
 */
export class LcmLogsScreen extends LitElement {
  static override properties = {
    app: { attribute: false },
    _counts: { state: true },
    _records: { state: true },
    _busy: { state: true },
    _message: { state: true },
    _error: { state: true },
  };
  static override styles = [screenStyles];

  declare app: DeviceApp | undefined;
  declare private _counts: LogCounts | undefined;
  declare private _records: InferenceRecord[];
  declare private _busy: boolean;
  declare private _message: string;
  declare private _error: string;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private loading: Promise<void> | undefined;

  constructor() {
    super();
    this._records = [];
    this._busy = false;
    this._message = '';
    this._error = '';
    const c = new AppController(this, { change: () => this.soon(), inference: () => this.soon() });
    c.onLcmChanged = () => void this.load();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Reads counts and the newest records now (one read at a time). */
  load(): Promise<void> {
    this.loading ??= this.read().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async read(): Promise<void> {
    const lcm = this.app?.lcm;
    if (!lcm) return;
    try {
      [this._counts, this._records] = await Promise.all([logCounts(lcm), recentRecords(lcm, SHOWN)]);
    } catch (err) {
      this._error = `Could not read the log: ${errorText(err)}`;
    }
  }

  /** Inferences can arrive many times a second: re-read at most every REFRESH_MS. */
  private soon(): void {
    if (this.timer !== undefined || !this.isConnected) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.load();
    }, REFRESH_MS);
  }

  override render() {
    const c = this._counts;
    return html`
      <h2>Logs</h2>
      ${this._error ? html`<p class="card error" role="alert" data-testid="error">${this._error}</p>` : nothing}
      <div class="grid">
        <section class="card" data-testid="counts">
          <h3>Records</h3>
          ${
            c
              ? html`<table>
                <tr><th scope="row">Stored on this device</th><td data-testid="stored">${c.stored}</td><td class="muted">${formatBytes(c.bytes)}</td></tr>
                <tr><th scope="row">In memory, not yet written</th><td>${c.buffered}</td><td></td></tr>
                <tr><th scope="row">Queued, not yet sent</th><td data-testid="unsent">${c.unsent}</td><td></td></tr>
                <tr><th scope="row">Sent, awaiting acknowledgement</th><td data-testid="awaiting">${c.awaitingAck}</td><td class="muted">${c.pendingBatches} batches</td></tr>
                <tr><th scope="row">Acknowledged by the server</th><td data-testid="acknowledged">${c.acknowledged}</td><td></td></tr>
              </table>`
              : html`<p class="muted">${this.app?.lcm ? 'Reading…' : 'Starting TinyLCM…'}</p>`
          }
        </section>
        <section class="card">
          <h3>Export</h3>
          <p class="muted">Every stored record, as a file to download.</p>
          <div class="row">
            <button class="primary" data-format="jsonl" ?disabled=${this._busy || !this.app?.lcm} @click=${() => this.export('jsonl')}>Export JSON Lines</button>
            <button class="primary" data-format="csv" ?disabled=${this._busy || !this.app?.lcm} @click=${() => this.export('csv')}>Export CSV</button>
            <button ?disabled=${!this.app?.lcm} @click=${() => this.load()}>Refresh</button>
          </div>
          ${this._message ? html`<p class="ok" role="status" data-testid="message">${this._message}</p>` : nothing}
        </section>
        <section class="card wide">
          <h3>Newest records</h3>
          ${
            this._records.length
              ? html`<div class="scroll"><table data-testid="records">
                <thead><tr><th>Time</th><th>Model</th><th>Prediction</th><th>Confidence</th><th>Latency</th><th>Drift</th><th>Sync</th></tr></thead>
                <tbody>${this._records.map((r) => this.renderRecord(r))}</tbody>
              </table></div>`
              : html`<p class="muted" data-testid="no-records">No inference has been logged yet.</p>`
          }
        </section>
      </div>
    `;
  }

  private renderRecord(r: InferenceRecord) {
    const state = recordState(r);
    const drift = driftKinds(r.drift);
    return html`<tr data-testid="record" data-state=${state}>
      <td>${formatTime(r.ts)}</td>
      <td>${r.model.name} v${r.model.version}</td>
      <td>${r.error ? html`<span class="error">${r.error}</span>` : (r.output.label ?? r.output.classIndex ?? '–')}</td>
      <td>${r.confidence === undefined ? '–' : formatPercent(r.confidence)}</td>
      <td>${formatMs(r.latencyMs)}</td>
      <td class=${drift.length ? 'error' : 'muted'}>${drift.length ? drift.join(', ') : '–'}</td>
      <td class=${state === 'acknowledged' ? 'ok' : ''}>${state === 'sent' ? html`sent <small class="muted mono">${r.batchId}</small>` : state}</td>
    </tr>`;
  }

  private async export(format: ExportFormat): Promise<void> {
    const lcm = this.app?.lcm;
    if (!lcm) return;
    this._busy = true;
    this._error = '';
    this._message = '';
    try {
      const text = await lcm.export(format);
      const records = format === 'csv' ? Math.max(0, text.split('\r\n').length - 2) : text.split('\n').length - 1;
      const fileName = `tinylcm-logs-${new Date().toISOString().replace(/[:.]/g, '-')}.${format}`;
      saveText(text, fileName, MIME[format]);
      this.dispatchEvent(
        new CustomEvent<LogExport>('lcm-export', {
          detail: { format, fileName, text, records },
          bubbles: true,
          composed: true,
        }),
      );
      this._message = `Exported ${records} records as ${fileName} (${formatBytes(new Blob([text]).size)}).`;
    } catch (err) {
      this._error = `The export failed: ${errorText(err)}`;
    } finally {
      this._busy = false;
    }
  }
}

customElements.define('lcm-logs-screen', LcmLogsScreen);

declare global {
  interface HTMLElementTagNameMap {
    'lcm-logs-screen': LcmLogsScreen;
  }
}
