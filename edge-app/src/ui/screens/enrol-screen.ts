import { css, html, LitElement, nothing } from 'lit';
import type { DeviceApp } from '../../app/device-app.ts';
import { noModelReason } from '../components/no-model.ts';
import { screenStyles } from '../styles.ts';
import { readEnrolLink, withoutEnrolLink, type EnrolLink } from './enrol-link.ts';

/**
 * Enrolment: a server URL (the page's origin by default) and a code. A link carrying
 * `?code=…[&server=…]` never enrols by itself — anyone can make one: it shows the server it names
 * and enrols once a person confirms (enrol-link.ts). A link naming another server offers that
 * server's own app instead: this page talks only to the server it came from. The code is removed
 * from the address at once, so a reload does not bring the question back. Without a server,
 * "standalone mode" imports an .onnx file.
 */
export class LcmEnrolScreen extends LitElement {
  static override styles = [
    screenStyles,
    css`
      .confirm { border: 2px solid var(--lcm-accent); }
      .confirm h2 { margin-bottom: 0.5rem; }
      .origin { font: 600 1.25rem/1.3 ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; margin: 0 0 0.5rem; }
    `,
  ];
  static override properties = {
    app: { attribute: false },
    busy: { state: true },
    error: { state: true },
    done: { state: true },
    link: { state: true },
  };
  app: DeviceApp | undefined;
  busy = false;
  error = '';
  done = '';
  /** A link waiting for a person's answer. */
  link: EnrolLink | null = null;
  private server = location.origin;
  private code = '';

  override connectedCallback(): void {
    super.connectedCallback();
    const link = readEnrolLink(location.search, location.origin);
    if (!link) return;
    history.replaceState(null, '', `${location.pathname}${withoutEnrolLink(location.search)}${location.hash}`);
    if (link.kind === 'invalid') this.error = link.error;
    else this.link = link;
  }

  private confirmLink(): void {
    const link = this.link;
    if (link?.kind !== 'here') return;
    this.link = null;
    this.server = link.origin;
    this.code = link.code;
    void this.enrol();
  }

  private cancelLink(): void {
    this.link = null;
    this.done = 'Nothing was done: the link was dismissed.';
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
      // Typed by hand: another server gets the same answer as a link naming it.
      const typed = readEnrolLink(
        `?${new URLSearchParams({ code: this.code, server: this.server || location.origin })}`,
        location.origin,
      );
      if (typed?.kind === 'invalid') throw new Error(typed.error.replace('The link names', 'That is'));
      if (typed?.kind === 'elsewhere') {
        this.link = typed;
        return '';
      }
      await this.app.enrol(this.server, this.code);
      const s = this.app.status();
      this.dispatchEvent(new CustomEvent('navigate', { detail: 'status', bubbles: true, composed: true }));
      return s.activeModel
        ? `Enrolled; running ${s.activeModel.name} v${s.activeModel.version}`
        : `Enrolled; ${noModelReason(s.waiting)}`;
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

  /** The question a link asks; the rest of the screen stays, so a person can also type a code instead. */
  private renderLink(link: EnrolLink) {
    if (link.kind === 'invalid') return nothing;
    const host = new URL(link.origin).host;
    if (link.kind === 'here') {
      return html`<section class="card confirm" role="dialog" aria-labelledby="link-title" data-testid="enrol-link">
        <h2 id="link-title">Enrol this device with this server?</h2>
        <p class="origin" data-testid="link-server">${link.origin}</p>
        <p class="hint">An enrolment link was opened. Once enrolled, this server chooses the model this device runs and receives its inference logs and drift events. Enrol only if you expected this link.</p>
        <div class="row actions">
          <button class="primary" data-testid="confirm-enrol" @click=${() => this.confirmLink()}>Enrol with ${host}</button>
          <button data-testid="cancel-enrol" @click=${() => this.cancelLink()}>Cancel</button>
        </div>
      </section>`;
    }
    return html`<section class="card confirm" role="dialog" aria-labelledby="link-title" data-testid="enrol-link">
      <h2 id="link-title">This link is for another server</h2>
      <p class="origin" data-testid="link-server">${link.origin}</p>
      <p class="hint">This app was opened from ${location.origin} and talks only to the server it came from. To enrol with ${host}, open its app; it asks again before enrolling. Go on only if you trust that server.</p>
      <div class="row actions">
        <a class="button primary" data-testid="open-server" href=${link.open} rel="noreferrer">Open ${host}</a>
        <button data-testid="cancel-enrol" @click=${() => this.cancelLink()}>Cancel</button>
      </div>
    </section>`;
  }

  override render() {
    const enrolled = !!this.app?.enrolment;
    return html`
      ${this.link ? this.renderLink(this.link) : nothing}
      <h2>Set up this device</h2>
      <section class="card">
        <form
          class="fields"
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
          <div class="row actions">
            <button class="primary" type="submit" data-testid="enrol" ?disabled=${this.busy || enrolled || !!this.link}>${this.busy ? 'Working…' : 'Enrol'}</button>
          </div>
        </form>
      </section>
      <section class="card fields">
        <h2>Standalone mode</h2>
        <p class="hint">No server: import an ONNX model from a file. It is stored on this device and runs offline; logs stay here until you export them.</p>
        <label for="file">Model file (.onnx)</label>
        <input id="file" type="file" accept=".onnx,application/octet-stream" data-testid="import-model" @change=${(e: Event) => void this.importFile(e)} ?disabled=${this.busy} />
      </section>
      <div role="status" aria-live="polite">
        ${this.done ? html`<p class=${this.done.startsWith('Nothing') ? 'hint' : 'ok'} data-testid="enrol-done">${this.done}</p>` : nothing}
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
