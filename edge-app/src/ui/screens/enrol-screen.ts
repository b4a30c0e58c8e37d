import { html, LitElement, nothing } from 'lit';
import type { DeviceApp } from '../../app/device-app.ts';
import { screenStyles } from '../styles.ts';

/**
 * Enrolment: a server URL (the page's origin by default) and a code. A link carrying
 * `?code=…[&server=…]` fills the form and enrols at once, so a scanned QR code is the whole job;
 * the code is then removed from the address so a reload does not send it again. Without a
 * server, "standalone mode" imports an .onnx file.
 */
export class LcmEnrolScreen extends LitElement {
  static override styles = screenStyles;
  static override properties = { app: { attribute: false }, busy: { state: true }, error: { state: true }, done: { state: true } };
  app: DeviceApp | undefined;
  busy = false;
  error = '';
  done = '';
  private server = location.origin;
  private code = '';

  override connectedCallback(): void {
    super.connectedCallback();
    const q = new URLSearchParams(location.search);
    const code = q.get('code');
    if (!code) return;
    this.code = code;
    this.server = q.get('server') || location.origin;
    q.delete('code');
    q.delete('server');
    const rest = q.toString();
    history.replaceState(null, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
    void this.updateComplete.then(() => this.enrol());
  }

  private async run(what: () => Promise<string>): Promise<void> {
    this.busy = true;
    this.error = '';
    this.done = '';
    try {
      this.done = await what();
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }

  private enrol(): Promise<void> {
    return this.run(async () => {
      if (!this.app) throw new Error('the app is still starting');
      if (!this.code.trim()) throw new Error('enter the enrolment code');
      await this.app.enrol(this.server, this.code);
      const s = this.app.status();
      this.dispatchEvent(new CustomEvent('navigate', { detail: 'status', bubbles: true, composed: true }));
      return s.activeModel ? `Enrolled; running ${s.activeModel.name} v${s.activeModel.version}` : 'Enrolled; no model is deployed to this group yet';
    });
  }

  private importFile(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return Promise.resolve();
    return this.run(async () => {
      if (!this.app) throw new Error('the app is still starting');
      const model = await this.app.importModel(file);
      input.value = '';
      return `Imported and activated ${model.name} v${model.version}`;
    });
  }

  override render() {
    const enrolled = !!this.app?.enrolment;
    return html`
      <h2>Set up this device</h2>
      <section>
        <form
          @submit=${(e: Event) => {
            e.preventDefault();
            void this.enrol();
          }}
        >
          <label for="server">Server</label>
          <input id="server" name="server" type="url" inputmode="url" autocomplete="url" .value=${this.server} @input=${(e: Event) => (this.server = (e.target as HTMLInputElement).value)} ?disabled=${enrolled} />
          <label for="code">Enrolment code</label>
          <input id="code" name="code" autocomplete="off" spellcheck="false" .value=${this.code} @input=${(e: Event) => (this.code = (e.target as HTMLInputElement).value)} ?disabled=${enrolled} />
          <p class="hint">An operator creates codes in the console (Devices → enrolment codes) or with the API.</p>
          <div class="row">
            <button type="submit" data-testid="enrol" ?disabled=${this.busy || enrolled}>${this.busy ? 'Working…' : 'Enrol'}</button>
          </div>
        </form>
      </section>
      <section>
        <h2>Standalone mode</h2>
        <p class="hint">No server: import an ONNX model from a file. It is stored on this device and runs offline; logs stay here until you export them.</p>
        <label for="file">Model file (.onnx)</label>
        <input id="file" type="file" accept=".onnx,application/octet-stream" data-testid="import-model" @change=${(e: Event) => void this.importFile(e)} ?disabled=${this.busy} />
      </section>
      <div role="status" aria-live="polite">
        ${this.done ? html`<p class="ok" data-testid="enrol-done">${this.done}</p>` : nothing}
        ${this.error ? html`<p class="error" data-testid="enrol-error">${this.error}</p>` : nothing}
      </div>
    `;
  }
}

customElements.define('lcm-enrol-screen', LcmEnrolScreen);

declare global {
  interface HTMLElementTagNameMap {
    'lcm-enrol-screen': LcmEnrolScreen;
  }
}
