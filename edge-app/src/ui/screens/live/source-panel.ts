import { html, nothing } from 'lit';
import type { InferenceObservation, StoredModel, TinyLCM } from '../../../lcm/index.ts';
import '../../components/row-form.ts';
import { ScreenPart } from '../../components/screen-part.ts';
import { errorText } from '../../format.ts';
import { Camera } from '../../sources/camera.ts';
import { csvRows, type CsvTable } from '../../sources/csv.ts';
import {
  bundledDemoCsv,
  DemoStream,
  DRIFT_INJECTIONS,
  type DemoRow,
  type DriftInjection,
} from '../../sources/demo-stream.ts';
import { modelInputs, SOURCE_LABELS, type ModelInputs, type SourceKind } from './model-inputs.ts';
import type { PlaybackController } from './playback.ts';

const RATES = [1, 5, 20, 100];

/**
 * Where the live screen's inputs come from, and their controls: the bundled demo stream with drift
 * injection, a CSV file, one typed row, or the camera for image models. It feeds `lcm` itself and
 * tells the screen, by events, what each input was (`live-input`) and what went wrong
 * (`live-error`, an empty message once an action starts again).
 */
export class LcmLiveSource extends ScreenPart {
  static override properties = {
    lcm: { attribute: false },
    model: { attribute: false },
    playback: { attribute: false },
    playing: { attribute: false },
    last: { attribute: false },
    demoCsv: { attribute: false },
    _source: { state: true },
    _injection: { state: true },
    _csv: { state: true },
    _busy: { state: true },
  };

  declare lcm: TinyLCM | undefined;
  declare model: StoredModel;
  declare playback: PlaybackController;
  /** playback.playing, as a property so that this re-renders when it changes. */
  declare playing: boolean;
  /** The latest inference: the typed row form starts from its inputs. */
  declare last: InferenceObservation | undefined;
  declare demoCsv: () => Promise<string>;
  declare private _source: SourceKind | undefined;
  declare private _injection: DriftInjection;
  declare private _csv: { name: string; table: CsvTable; next: number } | undefined;
  declare private _busy: boolean;

  private demo: DemoStream | undefined;
  private demoLoading: Promise<DemoStream> | undefined;
  private readonly camera = new Camera();

  constructor() {
    super();
    this.playing = false;
    this.demoCsv = bundledDemoCsv;
    this._injection = 'none';
    this._busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // The dataset is small: fetch it now so pressing play (or autoplay) starts at once.
    void this.loadDemo().catch(() => undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.camera.stop();
  }

  override render() {
    const inputs = modelInputs(this.model);
    if (!inputs.sources.length) {
      return html`<p class="error">This model declares neither tabular features nor image preprocessing in its metadata, so there is nothing to feed it from here.</p>`;
    }
    const source = this.shown(inputs);
    return html`<div class="row" role="group" aria-label="Input source">
        ${inputs.sources.map((s) => html`<button aria-pressed=${s === source} class=${s === source ? 'primary' : ''} data-source=${s} @click=${() => this.choose(s)}>${SOURCE_LABELS[s]}</button>`)}
      </div>
      <div style="margin-top:.8em">${this.renderSource(source, inputs)}</div>`;
  }

  /** Starts playing `kind` (the screen's autoplay uses this too). */
  play(kind: SourceKind): void {
    this.report('');
    this._source = kind;
    this.playback.start(() => this.step());
  }

  private shown(inputs: ModelInputs): SourceKind {
    return this._source && inputs.sources.includes(this._source) ? this._source : inputs.sources[0]!;
  }

  private renderSource(source: SourceKind, inputs: ModelInputs) {
    const playButton = (kind: SourceKind) =>
      html`<button class="primary" data-testid=${kind === 'demo' ? 'play' : nothing} @click=${() => (this.playing ? this.playback.stop() : this.play(kind))}>${this.playing ? 'Stop' : 'Play'}</button>`;
    switch (source) {
      case 'demo':
        return html`
          <p class="muted">Seattle's daily weather of 2015 — a year the demo model never saw — replayed day by day.</p>
          <div class="row">
            ${playButton('demo')}
            ${this.rateSelect()}
          </div>
          <p class="row">
            <label for="inject">Inject drift</label>
            <select id="inject" data-testid="inject" .value=${this._injection} @change=${(e: Event) => this.inject((e.target as HTMLSelectElement).value as DriftInjection)}>
              ${Object.entries(DRIFT_INJECTIONS).map(([k, label]) => html`<option value=${k} ?selected=${k === this._injection}>${label}</option>`)}
            </select>
          </p>`;
      case 'csv':
        return html`
          <p><label>A CSV file with a header row naming the columns <span class="mono">${inputs.features.join(', ')}</span><br />
            <input type="file" accept=".csv,text/csv" data-testid="csv-file" @change=${this.pickCsv} /></label></p>
          ${
            this._csv
              ? html`<p>${this._csv.name}: row ${Math.min(this._csv.next, this._csv.table.rows.length)} of ${this._csv.table.rows.length}</p>
                <div class="row">
                  ${playButton('csv')}
                  <button ?disabled=${this._busy || this.playing} @click=${() => this.once(() => this.step())}>Next row</button>
                  ${this.rateSelect()}
                </div>`
              : nothing
          }`;
      case 'form':
        return html`<lcm-row-form .features=${inputs.features} .values=${this.lastValues(inputs)} ?busy=${this._busy} @row=${(e: CustomEvent<Record<string, number>>) => this.once(() => this.infer(e.detail, 'typed row'))}></lcm-row-form>`;
      case 'camera':
        return html`
          <video playsinline muted style="width:100%;max-height:40vh;background:#000" aria-label="Camera picture"></video>
          <div class="row">
            <button class="primary" @click=${this.toggleCamera}>${this.camera.on ? 'Stop camera' : 'Start camera'}</button>
            <button ?disabled=${!this.camera.on || this._busy || this.playing} @click=${() => this.once(() => this.cameraStep())}>Predict this frame</button>
            <button ?disabled=${!this.camera.on} @click=${() => (this.playing ? this.playback.stop() : this.play('camera'))}>${this.playing ? 'Stop' : 'Predict continuously'}</button>
          </div>`;
    }
  }

  private rateSelect() {
    return html`<label>Rate
      <select @change=${(e: Event) => this.playback.pace(Number((e.target as HTMLSelectElement).value))}>
        ${RATES.map((r) => html`<option value=${r} ?selected=${r === this.playback.rate}>${r} / s</option>`)}
      </select></label>`;
  }

  private lastValues(inputs: ModelInputs): Record<string, number> {
    const x = this.last?.features;
    return x && x.length === inputs.features.length
      ? Object.fromEntries(inputs.features.map((f, i) => [f, x[i]!]))
      : {};
  }

  private report(message: string): void {
    this.dispatchEvent(new CustomEvent('live-error', { detail: message }));
  }

  private choose(s: SourceKind): void {
    this.playback.stop();
    if (s !== 'camera') this.camera.stop(this.video() ?? undefined);
    this._source = s;
  }

  private loadDemo(): Promise<DemoStream> {
    this.demoLoading ??= this.demoCsv().then((text) => (this.demo = new DemoStream(text)));
    this.demoLoading.catch(() => (this.demoLoading = undefined));
    return this.demoLoading;
  }

  private inject(mode: DriftInjection): void {
    this._injection = mode;
    if (this.demo) this.demo.injection = mode;
  }

  /** One input from the chosen source. */
  private async step(): Promise<void> {
    const source = this._source ?? modelInputs(this.model).sources[0];
    if (source === 'demo') {
      const demo = this.demo ?? (await this.loadDemo());
      demo.injection = this._injection;
      const row: DemoRow = demo.next();
      return this.infer(
        row.features,
        `${row.date}: actual weather ${row.actual}${this._injection !== 'none' ? ' (drift injected)' : ''}`,
      );
    }
    if (source === 'csv' && this._csv) {
      const c = this._csv;
      if (c.next >= c.table.rows.length) c.next = 0;
      const i = c.next++;
      this._csv = { ...c };
      const extra = Object.entries(c.table.extra[i] ?? {})
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      return this.infer(c.table.rows[i]!, `${c.name}, row ${i + 1}${extra ? ` (${extra})` : ''}`);
    }
    if (source === 'camera') return this.cameraStep();
    this.playback.stop();
  }

  /** Says what the input is (the prediction shows it), then infers. */
  private async infer(input: Parameters<TinyLCM['infer']>[0], description: string): Promise<void> {
    const lcm = this.lcm;
    if (!lcm) throw new Error('TinyLCM is not running');
    this.dispatchEvent(new CustomEvent('live-input', { detail: description }));
    await lcm.infer(input);
  }

  /** A one-off action: its error is shown, and buttons wait while it runs. */
  private async once(fn: () => Promise<void>): Promise<void> {
    this._busy = true;
    this.report('');
    try {
      await fn();
    } catch (err) {
      this.report(errorText(err));
    } finally {
      this._busy = false;
    }
  }

  private async pickCsv(e: Event): Promise<void> {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    this.playback.stop();
    this.report('');
    try {
      this._csv = { name: file.name, table: csvRows(await file.text(), modelInputs(this.model).features), next: 0 };
    } catch (err) {
      this._csv = undefined;
      this.report(`${file.name}: ${errorText(err)}`);
    }
  }

  private video(): HTMLVideoElement | null {
    return this.querySelector('video');
  }

  private async toggleCamera(): Promise<void> {
    const video = this.video();
    if (!video) return;
    if (this.camera.on) {
      this.playback.stop();
      this.camera.stop(video);
      return this.requestUpdate();
    }
    await this.once(() => this.camera.start(video));
  }

  private async cameraStep(): Promise<void> {
    const video = this.video();
    if (!this.lcm || !video) throw new Error('TinyLCM is not running');
    const inputs = modelInputs(this.model);
    if (!inputs.image) throw new Error('the active model does not take an image');
    await this.infer(await this.camera.feeds(video, inputs.image, inputs.inputName), 'camera frame');
  }
}

customElements.define('lcm-live-source', LcmLiveSource);

declare global {
  interface HTMLElementTagNameMap {
    'lcm-live-source': LcmLiveSource;
  }
}
