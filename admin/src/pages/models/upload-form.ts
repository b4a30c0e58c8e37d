import { html, LitElement } from 'lit';
import { UploadedVersionSchema, VersionMetadataSchema } from '../../../../shared/protocol/index.ts';
import { api, errorText } from '../../api.ts';
import { bytes } from '../../components/format.ts';
import { pageStyles } from '../../components/styles.ts';

/** Upload an ONNX file as the next version of a model, with a progress bar; announces `uploaded`. */
export class UploadForm extends LitElement {
  static override properties = { model: {}, sent: { state: true }, total: { state: true }, busy: { state: true }, error: { state: true }, done: { state: true } };
  static override styles = pageStyles;
  declare model: string;
  declare sent: number;
  declare total: number;
  declare busy: boolean;
  declare error: string | undefined;
  declare done: string | undefined;

  constructor() {
    super();
    this.model = '';
    this.sent = 0;
    this.total = 0;
    this.busy = false;
    this.error = undefined;
    this.done = undefined;
  }

  async #submit(e: SubmitEvent) {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const name = String(data.get('name') ?? '').trim();
    const file = data.get('file');
    const metadataText = String(data.get('metadata') ?? '').trim();
    this.error = undefined;
    this.done = undefined;
    if (!(file instanceof File) || !file.size) return void (this.error = 'Choose an .onnx file.');
    if (metadataText) {
      // Checked here for a quick answer; the server checks again and its message wins.
      try {
        VersionMetadataSchema.parse(JSON.parse(metadataText));
      } catch (err) {
        return void (this.error = `Metadata: ${errorText(err)}`);
      }
    }
    const form = new FormData();
    if (metadataText) form.append('metadata', metadataText);
    form.append('file', file, file.name);
    this.busy = true;
    this.sent = 0;
    this.total = file.size;
    try {
      const v = await api.upload(`/models/${encodeURIComponent(name)}/versions`, form, UploadedVersionSchema, (sent, total) => {
        this.sent = sent;
        if (total) this.total = total;
      });
      this.done = `Registered ${v.name} version ${v.version} (${bytes(v.size)}, sha256 ${v.sha256.slice(0, 12)}…)`;
      this.dispatchEvent(new CustomEvent('uploaded', { detail: v, bubbles: true, composed: true }));
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const pct = this.total ? Math.round((100 * this.sent) / this.total) : 0;
    return html`
      <form class="inline" data-testid="upload-form" @submit=${this.#submit}>
        <label>Model name<input name="name" required .value=${this.model} pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{0,127}" /></label>
        <label>ONNX file<input name="file" type="file" accept=".onnx,application/octet-stream" required /></label>
        <label>Metadata (JSON, optional)<textarea name="metadata" rows="2" cols="40" placeholder='{"classLabels":["a","b"],"runId":"…"}'></textarea></label>
        <button ?disabled=${this.busy}>${this.busy ? 'Uploading…' : 'Upload'}</button>
      </form>
      ${this.busy || this.sent
        ? html`<div class="row"><progress data-testid="upload-progress" max="100" .value=${pct}></progress><span data-testid="upload-percent">${pct}% (${bytes(this.sent)} of ${bytes(this.total)})</span></div>`
        : ''}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${this.done ? html`<p class="ok" data-testid="upload-done">${this.done}</p>` : ''}
    `;
  }
}

customElements.define('upload-form', UploadForm);
