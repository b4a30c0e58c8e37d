import { css, html, LitElement } from 'lit';
import type { ReferenceProfile } from '../../../../shared/drift/profile/schema.ts';
import { blobSource, readOnnxMetadata, type OnnxValueInfo } from '../../../../shared/onnx/reader.ts';
import { UploadedVersionSchema, VersionMetadataSchema } from '../../../../shared/protocol/index.ts';
import { api, errorText } from '../../api.ts';
import { formatBytes } from '../../../../shared/format/bytes.ts';
import { pageStyles } from '../../components/styles.ts';
import './profile-preview.ts';
import {
  featureLines,
  labelList,
  labelProblem,
  metadataOf,
  nameProblems,
  scaleFrom,
  shapeProblem,
  type Declared,
  type Scaling,
} from './upload-declare.ts';
import { csvHeader, trainingProfile } from './upload-training.ts';

/**
 * Upload an ONNX file as the next version of a model, with a progress bar; announces `uploaded`.
 * For a tabular model it declares the feature names (typed, or the training CSV's columns), the
 * scaling the device applies and the class labels, checks them against the ONNX input before
 * sending, previews the reference profile of the training CSV, and sends the CSV along (`reference`,
 * `labelColumn`) for the server to build the profile it stores.
 */
export class UploadForm extends LitElement {
  static override properties = {
    model: {},
    sent: { state: true },
    total: { state: true },
    busy: { state: true },
    error: { state: true },
    done: { state: true },
    onnx: { state: true },
    csv: { state: true },
    featuresText: { state: true },
    labelsText: { state: true },
    scaling: { state: true },
    labelColumn: { state: true },
    profile: { state: true },
  };
  static override styles = [
    pageStyles,
    css`
      fieldset { flex-basis: 100%; border: 1px solid #d8dee4; border-radius: 6px; padding: .5rem .8rem; margin: 0; min-width: 0; }
      legend { font-size: .9rem; color: #57606a; }
      .fields { display: flex; gap: .8rem; flex-wrap: wrap; align-items: start; }
      .fields label { display: flex; flex-direction: column; font-size: .85rem; color: #57606a; max-width: 100%; }
      textarea, input, select { max-width: 100%; box-sizing: border-box; }
      ul.error { margin: .3rem 0; padding-left: 1.2rem; }
    `,
  ];
  declare model: string;
  declare sent: number;
  declare total: number;
  declare busy: boolean;
  declare error: string | undefined;
  declare done: string | undefined;
  /** The chosen ONNX file's declared inputs and outputs, or why it could not be read. */
  declare onnx: { inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[] } | { error: string } | undefined;
  /** The chosen training CSV and its header (or why it has none). */
  declare csv: { file: File; header?: string[]; error?: string } | undefined;
  declare featuresText: string;
  declare labelsText: string;
  declare scaling: Scaling;
  declare labelColumn: string;
  /** The preview of the training CSV's profile for the declared features, or why there is none. */
  declare profile: { key: string; value?: ReferenceProfile; error?: string } | undefined;

  constructor() {
    super();
    this.model = '';
    this.sent = 0;
    this.total = 0;
    this.busy = false;
    this.error = undefined;
    this.done = undefined;
    this.onnx = undefined;
    this.csv = undefined;
    this.featuresText = '';
    this.labelsText = '';
    this.scaling = 'none';
    this.labelColumn = '';
    this.profile = undefined;
  }

  /** Any change to the form: the last attempt's message and progress no longer describe it. */
  override willUpdate(changed: Map<string, unknown>) {
    const edited = ['onnx', 'csv', 'featuresText', 'labelsText', 'scaling', 'labelColumn'].some((k) => changed.has(k));
    if (edited && !this.busy && !changed.has('error')) {
      this.error = undefined;
      this.sent = 0;
    }
  }

  get #declared(): Declared {
    return {
      features: featureLines(this.featuresText),
      scaling: this.scaling,
      classLabels: labelList(this.labelsText),
    };
  }

  async #onnxChosen(e: Event) {
    const file = (e.target as HTMLInputElement).files?.[0];
    this.onnx = undefined;
    if (!file) return;
    try {
      const m = await readOnnxMetadata(blobSource(file));
      this.onnx = { inputs: m.inputs, outputs: m.outputs };
    } catch (err) {
      this.onnx = { error: `${file.name} is not an ONNX model the console can read: ${errorText(err)}` };
    }
  }

  async #csvChosen(e: Event) {
    const file = (e.target as HTMLInputElement).files?.[0];
    this.labelColumn = '';
    this.csv = file ? { file } : undefined;
    if (!file) return;
    try {
      this.csv = { file, header: await csvHeader(file) };
    } catch (err) {
      this.csv = { file, error: `${file.name}: ${errorText(err)}` };
    }
  }

  #useHeader() {
    const header = this.csv?.header ?? [];
    this.featuresText = header.filter((h) => h !== this.labelColumn).join('\n');
  }

  /** Rebuilt in the browser whenever the file, the features or the label column change (the newest request wins). */
  override updated() {
    const csv = this.csv;
    const features = this.#declared.features;
    if (!csv?.header || features.length === 0) {
      if (this.profile) this.profile = undefined;
      return;
    }
    const key = JSON.stringify([csv.file.name, csv.file.size, csv.file.lastModified, features, this.labelColumn]);
    if (this.profile?.key === key) return;
    this.profile = { key };
    trainingProfile(csv.file, features, this.labelColumn || undefined).then(
      (value) => this.profile?.key === key && (this.profile = { key, value }),
      (err: unknown) => this.profile?.key === key && (this.profile = { key, error: `Training CSV: ${errorText(err)}` }),
    );
  }

  /** Everything that must be fixed before the upload, in the order a person fills the form. */
  #problems(): { problems: string[]; scale?: Record<string, number[]> } {
    const d = this.#declared;
    const problems = nameProblems(d);
    const onnx = this.onnx;
    if (onnx && 'error' in onnx) problems.push(onnx.error);
    else if (onnx) {
      const shape = shapeProblem(onnx.inputs, d.features);
      if (shape) problems.push(shape);
      const labels = labelProblem(onnx.outputs, d.classLabels);
      if (labels) problems.push(labels);
    }
    if (this.csv?.error) problems.push(this.csv.error);
    if (this.profile?.error) problems.push(this.profile.error);
    // Scaling takes its numbers from the preview; while that is still being built there is nothing to say yet.
    if (this.scaling !== 'none' && (!this.csv || this.profile?.value)) {
      const { scale, problem } = scaleFrom(this.scaling, d.features, this.profile?.value);
      if (problem) problems.push(problem);
      if (scale) return { problems, scale };
    }
    return { problems };
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
    let base: Record<string, unknown> = {};
    if (metadataText) {
      // Checked here for a quick answer; the server checks again and its message wins.
      try {
        base = VersionMetadataSchema.parse(JSON.parse(metadataText));
      } catch (err) {
        return void (this.error = `Metadata: ${errorText(err)}`);
      }
    }
    if (this.csv && this.profile?.value === undefined && !this.profile?.error && this.#declared.features.length)
      await this.#profileSettled();
    const { problems, scale } = this.#problems();
    if (problems.length) return void (this.error = 'Fix the problems listed above first.');
    const metadata = metadataOf(base, this.#declared, scale);
    const form = new FormData();
    if (Object.keys(metadata).length) form.append('metadata', JSON.stringify(metadata));
    if (this.csv && this.labelColumn) form.append('labelColumn', this.labelColumn);
    form.append('file', file, file.name);
    if (this.csv) form.append('reference', this.csv.file, this.csv.file.name);
    this.busy = true;
    this.sent = 0;
    this.total = file.size + (this.csv?.file.size ?? 0);
    try {
      const v = await api.upload(
        `/models/${encodeURIComponent(name)}/versions`,
        form,
        UploadedVersionSchema,
        (sent, total) => {
          this.sent = sent;
          if (total) this.total = total;
        },
      );
      this.done = `Registered ${v.name} version ${v.version} (${formatBytes(v.size)}, sha256 ${v.sha256.slice(0, 12)}…)`;
      this.dispatchEvent(new CustomEvent('uploaded', { detail: v, bubbles: true, composed: true }));
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  /** Waits for the preview being built (scaling needs its numbers). */
  async #profileSettled() {
    for (let i = 0; i < 600 && this.profile && !this.profile.value && !this.profile.error; i++)
      await new Promise((r) => setTimeout(r, 50));
  }

  #inputNote() {
    const onnx = this.onnx;
    if (!onnx || 'error' in onnx) return '';
    const input = onnx.inputs[0];
    if (!input) return '';
    const n = this.#declared.features.length;
    return html`<span class="muted" data-testid="onnx-input">ONNX input <code>${input.name}</code>: ${input.type} [${(input.shape ?? []).map((d) => d ?? '?').join(', ')}]${n ? ` · ${n} features declared` : ''}</span>`;
  }

  override render() {
    const pct = this.total ? Math.round((100 * this.sent) / this.total) : 0;
    const { problems } = this.#problems();
    const header = this.csv?.header;
    const profiling = this.profile && !this.profile.value && !this.profile.error;
    return html`
      <form class="inline" data-testid="upload-form" @submit=${this.#submit}>
        <label>Model name<input name="name" required .value=${this.model} pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{0,127}" /></label>
        <label>ONNX file<input name="file" type="file" accept=".onnx,application/octet-stream" required @change=${this.#onnxChosen} /></label>
        <label>Metadata (JSON, optional)<textarea name="metadata" rows="2" cols="40" placeholder='{"description":"…","runId":"…"}'></textarea></label>
        <fieldset data-testid="declare">
          <legend>Tabular model: features, scaling, class labels, training data (optional)</legend>
          <div class="fields">
            <label>Training CSV<input type="file" data-testid="training-csv" accept=".csv,text/csv" @change=${this.#csvChosen} /></label>
            <label>Label column
              <select data-testid="label-column" ?disabled=${!header} @change=${(e: Event) => (this.labelColumn = (e.target as HTMLSelectElement).value)}>
                <option value="" ?selected=${!this.labelColumn}>— none —</option>
                ${(header ?? []).map((h) => html`<option ?selected=${h === this.labelColumn}>${h}</option>`)}
              </select></label>
            <label>Features, one per line, in input order
              <textarea data-testid="features" rows="4" cols="28" .value=${this.featuresText} @input=${(e: Event) => (this.featuresText = (e.target as HTMLTextAreaElement).value)}></textarea>
              <button type="button" data-testid="use-header" ?disabled=${!header} @click=${this.#useHeader}>Use the CSV's columns</button></label>
            <label>Scaling on the device
              <select data-testid="scaling" @change=${(e: Event) => (this.scaling = (e.target as HTMLSelectElement).value as Scaling)}>
                <option value="none" ?selected=${this.scaling === 'none'}>none (the graph scales its input)</option>
                <option value="standard" ?selected=${this.scaling === 'standard'}>standard: (x − mean) / std</option>
                <option value="minmax" ?selected=${this.scaling === 'minmax'}>min-max: (x − min) / (max − min)</option>
              </select>
              <small>standard and min-max: from the training CSV</small></label>
            <label>Class labels, comma-separated, in output order
              <input data-testid="class-labels" size="28" .value=${this.labelsText} @input=${(e: Event) => (this.labelsText = (e.target as HTMLInputElement).value)} /></label>
          </div>
          <div class="row">${this.#inputNote()}${profiling ? html`<span class="muted">profiling the training CSV…</span>` : ''}</div>
          ${problems.length ? html`<ul class="error" role="alert" data-testid="declare-problems">${problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}
          ${this.csv?.header && !this.#declared.features.length ? html`<p class="muted">Declare the features (or use the CSV's columns) to preview the reference profile.</p>` : ''}
          <profile-preview .profile=${this.profile?.value}></profile-preview>
        </fieldset>
        <button type="submit" data-testid="upload-submit" ?disabled=${this.busy}>${this.busy ? 'Uploading…' : 'Upload'}</button>
      </form>
      ${
        this.busy || this.sent
          ? html`<div class="row"><progress data-testid="upload-progress" max="100" .value=${pct}></progress><span data-testid="upload-percent">${pct}% (${formatBytes(this.sent)} of ${formatBytes(this.total)})</span></div>`
          : ''
      }
      ${this.error ? html`<p class="error" role="alert" data-testid="upload-error">${this.error}</p>` : ''}
      ${this.done ? html`<p class="ok" data-testid="upload-done">${this.done}</p>` : ''}
    `;
  }
}

customElements.define('upload-form', UploadForm);
