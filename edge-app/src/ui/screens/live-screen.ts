import { html, LitElement, nothing } from 'lit';
import type { DeviceApp } from '../../app/device-app.ts';
import type { DeviceDriftState } from '../../lcm/drift/device-drift.ts';
import { numericFeature } from '../../lcm/drift/reference.ts';
import type { DriftEvent, InferenceObservation, MonitorAlert, StoredModel } from '../../lcm/types.ts';
import '../charts/line-chart.ts';
import type { LineSeries } from '../charts/line-chart.ts';
import { compareFeature, currentOnly, type FeatureComparison } from '../charts/histogram.ts';
import { RollingWindow } from '../charts/rolling.ts';
import { AppController } from '../components/app-controller.ts';
import '../components/drift-panel.ts';
import { errorText, formatMs, formatPercent } from '../components/format.ts';
import { noModelNotice } from '../components/no-model.ts';
import '../components/row-form.ts';
import { screenStyles } from '../components/styles.ts';
import { Camera } from '../sources/camera.ts';
import { csvRows, type CsvTable } from '../sources/csv.ts';
import {
  bundledDemoCsv,
  DemoStream,
  DRIFT_INJECTIONS,
  type DemoRow,
  type DriftInjection,
} from '../sources/demo-stream.ts';
import { Replay } from '../sources/replay.ts';
import { modelInputs, modelProfile, SOURCE_LABELS, type ModelInputs, type SourceKind } from './live-sources.ts';

const WINDOW = 300; // points per live chart
const RECENT_INPUTS = 200; // inputs behind the "current" histogram
const REDRAW_MS = 250; // charts and detector table at most 4× a second
const RATES = [1, 5, 20, 100];

/**
 * Live inference: feeds the active model from a source (the bundled demo stream with drift
 * injection, a CSV file, one typed row, the camera for image models), shows each prediction with
 * its confidence, rolling charts of latency and confidence, and the drift monitors' state with the
 * reference-vs-current distribution of the drifting feature. Everything shown comes from TinyLCM's
 * own events, so inferences made elsewhere (e.g. another tab's source) show up too.
 */
export class LcmLiveScreen extends LitElement {
  static override properties = {
    app: { attribute: false },
    autoplay: {},
    demoCsv: { attribute: false },
    _source: { state: true },
    _last: { state: true },
    _lastInput: { state: true },
    _error: { state: true },
    _playing: { state: true },
    _rate: { state: true },
    _injection: { state: true },
    _csv: { state: true },
    _busy: { state: true },
    _feature: { state: true },
    _tick: { state: true },
  };
  static override styles = [screenStyles];

  declare app: DeviceApp | undefined;
  /** 'demo' starts the demo stream as soon as a model that takes it is active (kiosks, the benchmark); also `?autoplay=demo` or `#/live?autoplay=demo`. */
  declare autoplay: string;
  /** Where the demo dataset comes from; default: the copy bundled into the app. */
  declare demoCsv: () => Promise<string>;
  declare private _source: SourceKind | undefined;
  declare private _last: InferenceObservation | undefined;
  declare private _lastInput: string;
  declare private _error: string;
  declare private _playing: boolean;
  declare private _rate: number;
  declare private _injection: DriftInjection;
  declare private _csv: { name: string; table: CsvTable; next: number } | undefined;
  declare private _busy: boolean;
  declare private _feature: string;
  declare private _tick: number;

  private readonly latency = new RollingWindow(WINDOW);
  private readonly confidence = new RollingWindow(WINDOW);
  private recent: number[][] = [];
  private events: DriftEvent[] = [];
  private alerts: MonitorAlert[] = [];
  private driftState: DeviceDriftState | undefined;
  private count = 0;
  private redraw: ReturnType<typeof setTimeout> | undefined;
  private demo: DemoStream | undefined;
  private demoLoading: Promise<DemoStream> | undefined;
  private readonly camera = new Camera();
  private readonly replay = new Replay(
    () => this.step(),
    (err) => {
      this._playing = false;
      if (err) this._error = errorText(err);
    },
  );

  constructor() {
    super();
    this.autoplay = '';
    this.demoCsv = bundledDemoCsv;
    this._lastInput = '';
    this._error = '';
    this._playing = false;
    this._rate = 5;
    this._injection = 'none';
    this._busy = false;
    this._feature = '';
    this._tick = 0;
    const c = new AppController(this, {
      inference: (e) => this.onInference(e.detail as InferenceObservation),
      drift: (e) => this.onDrift(e.detail as DriftEvent),
      alert: (e) => {
        this.alerts = [e.detail as MonitorAlert, ...this.alerts].slice(0, 5);
        this.scheduleRedraw();
      },
      'model-activated': () => this.reset(),
      change: () => this.maybeAutoplay(),
    });
    c.onLcmChanged = () => this.reset();
  }

  private get model(): StoredModel | undefined {
    return this.app?.lcm?.model;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // In the query or in the shell's hash route (#/live?autoplay=demo).
    const params = (q: string) => new URLSearchParams(q).get('autoplay');
    if (!this.autoplay && (params(location.search) ?? params(location.hash.split('?')[1] ?? '')) === 'demo')
      this.autoplay = 'demo';
    // The dataset is small: fetch it now so pressing play (or autoplay) starts at once.
    void this.loadDemo().catch(() => undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.replay.stop();
    this.camera.stop();
    clearTimeout(this.redraw);
    this.redraw = undefined;
  }

  protected override updated(): void {
    this.maybeAutoplay();
  }

  override render() {
    const model = this.model;
    if (!model) return html`<h2>Live inference</h2>${noModelNotice(this.app)}`;
    const inputs = modelInputs(model);
    const source = this._source && inputs.sources.includes(this._source) ? this._source : inputs.sources[0];
    return html`
      <h2>Live inference <span class="muted" style="font-size:.6em">${model.name} v${model.version}</span></h2>
      ${this._error ? html`<p class="card error" role="alert" data-testid="error">${this._error}</p>` : nothing}
      <div class="grid">
        <section class="card" aria-label="Input source">
          <h3>Input</h3>
          ${
            inputs.sources.length
              ? html`<div class="row" role="group" aria-label="Input source">
                  ${inputs.sources.map((s) => html`<button aria-pressed=${s === source} class=${s === source ? 'primary' : ''} data-source=${s} @click=${() => this.choose(s)}>${SOURCE_LABELS[s]}</button>`)}
                </div>
                <div style="margin-top:.8em">${this.renderSource(source!, inputs)}</div>`
              : html`<p class="error">This model declares neither tabular features nor image preprocessing in its metadata, so there is nothing to feed it from here.</p>`
          }
        </section>
        ${this.renderPrediction()}
        <section class="card">
          <h3>Latency</h3>
          <lcm-line-chart y-label="ms" .series=${this.series(this.latency, 'latency (ms)', '#0969da')} summary=${`latest latency ${formatMs(this.latency.last())}`}></lcm-line-chart>
        </section>
        <section class="card">
          <h3>Confidence</h3>
          <lcm-line-chart y-label="top-1 probability" .yMin=${0} .yMax=${1} .series=${this.series(this.confidence, 'confidence', '#0b6e4f')} summary=${`latest confidence ${formatPercent(this.confidence.last() ?? NaN)}`}></lcm-line-chart>
        </section>
        <section class="card wide">
          <lcm-drift-panel
            .state=${this.driftState}
            .events=${this.events}
            .statuses=${this.app?.engine?.eventStatuses()}
            .features=${inputs.features}
            .selected=${this.featureShown(inputs)}
            .comparison=${this.comparison(model, inputs)}
            .note=${modelProfile(model) ? '' : "This model's metadata carries no reference profile: only the current distribution is shown."}
            @feature-change=${(e: CustomEvent<string>) => (this._feature = e.detail)}
          ></lcm-drift-panel>
          ${
            this.alerts.length
              ? html`<h3>Monitor alerts</h3><ul data-testid="alerts">${this.alerts.map((a) => html`<li class=${a.state === 'raised' ? 'error' : 'ok'}>${a.kind} ${a.state}: ${a.value.toFixed(3)} (threshold ${a.threshold})</li>`)}</ul>`
              : nothing
          }
        </section>
      </div>
    `;
  }

  private renderSource(source: SourceKind, inputs: ModelInputs) {
    switch (source) {
      case 'demo':
        return html`
          <p class="muted">Seattle's daily weather of 2015 — a year the demo model never saw — replayed day by day.</p>
          <div class="row">
            <button class="primary" data-testid="play" @click=${() => (this._playing ? this.replay.stop() : this.play('demo'))}>${this._playing ? 'Stop' : 'Play'}</button>
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
                  <button class="primary" @click=${() => (this._playing ? this.replay.stop() : this.play('csv'))}>${this._playing ? 'Stop' : 'Play'}</button>
                  <button ?disabled=${this._busy || this._playing} @click=${() => this.once(() => this.step())}>Next row</button>
                  ${this.rateSelect()}
                </div>`
              : nothing
          }`;
      case 'form':
        return html`<lcm-row-form .features=${inputs.features} .values=${this.lastValues(inputs)} ?busy=${this._busy} @row=${(e: CustomEvent<Record<string, number>>) => this.once(() => this.runRow(e.detail, 'typed row'))}></lcm-row-form>`;
      case 'camera':
        return html`
          <video playsinline muted style="width:100%;max-height:40vh;background:#000" aria-label="Camera picture"></video>
          <div class="row">
            <button class="primary" @click=${this.toggleCamera}>${this.camera.on ? 'Stop camera' : 'Start camera'}</button>
            <button ?disabled=${!this.camera.on || this._busy || this._playing} @click=${() => this.once(() => this.cameraStep())}>Predict this frame</button>
            <button ?disabled=${!this.camera.on} @click=${() => (this._playing ? this.replay.stop() : this.play('camera'))}>${this._playing ? 'Stop' : 'Predict continuously'}</button>
          </div>`;
    }
  }

  private rateSelect() {
    return html`<label>Rate
      <select @change=${(e: Event) => (this._rate = this.replay.rowsPerSecond = Number((e.target as HTMLSelectElement).value))}>
        ${RATES.map((r) => html`<option value=${r} ?selected=${r === this._rate}>${r} / s</option>`)}
      </select></label>`;
  }

  private renderPrediction() {
    const o = this._last;
    return html`<section class="card" aria-live="polite" data-testid="prediction">
      <h3>Prediction</h3>
      ${
        o
          ? o.error
            ? html`<p class="error">${o.error}</p>`
            : html`<p style="font-size:2.2em;margin:.1em 0;font-weight:700" data-testid="prediction-label">${o.label ?? (o.classIndex !== undefined ? `class ${o.classIndex}` : 'done')}</p>
              <p style="font-size:1.3em;margin:.1em 0">confidence <strong data-testid="prediction-confidence">${o.confidence === undefined ? '–' : formatPercent(o.confidence)}</strong>
                <span class="muted"> · ${formatMs(o.latencyMs)}</span></p>
              ${this._lastInput ? html`<p class="muted" data-testid="prediction-input">${this._lastInput}</p>` : nothing}
              <p class="muted">${this.count} inferences shown</p>`
          : html`<p class="muted">No prediction yet: pick an input and run it.</p>`
      }
    </section>`;
  }

  private series(w: RollingWindow, label: string, color: string): LineSeries[] {
    void this._tick; // charts redraw on the throttled tick, not on every prediction
    return [{ label, color, points: w.points() }];
  }

  private featureShown(inputs: ModelInputs): string {
    if (this._feature && inputs.features.includes(this._feature)) return this._feature;
    const drifted = this.events.find((e) => e.feature && inputs.features.includes(e.feature));
    return drifted?.feature ?? inputs.features[0] ?? '';
  }

  private comparison(model: StoredModel, inputs: ModelInputs): FeatureComparison | undefined {
    const feature = this.featureShown(inputs);
    const i = inputs.features.indexOf(feature);
    if (i < 0) return undefined;
    const values = this.recent.map((x) => x[i]!);
    const ref = numericFeature(modelProfile(model), feature);
    return ref ? compareFeature(ref, values) : currentOnly(feature, values);
  }

  private lastValues(inputs: ModelInputs): Record<string, number> {
    const x = this._last?.features;
    return x && x.length === inputs.features.length
      ? Object.fromEntries(inputs.features.map((f, i) => [f, x[i]!]))
      : {};
  }

  // ---- events ----

  private onInference(obs: InferenceObservation): void {
    if (this.model && obs.model.sha256 !== this.model.sha256) return;
    this.count++;
    this._last = obs;
    if (!obs.error) {
      this.latency.push(this.count, obs.latencyMs);
      if (obs.confidence !== undefined) this.confidence.push(this.count, obs.confidence);
      if (obs.features) {
        this.recent.push(obs.features);
        if (this.recent.length > RECENT_INPUTS) this.recent.splice(0, this.recent.length - RECENT_INPUTS);
      }
    }
    this.scheduleRedraw();
  }

  private onDrift(e: DriftEvent): void {
    this.events = [e, ...this.events].slice(0, 20);
    this.driftState = this.app?.lcm?.driftState();
    this.requestUpdate();
  }

  private scheduleRedraw(): void {
    if (this.redraw !== undefined || !this.isConnected) return;
    this.redraw = setTimeout(() => {
      this.redraw = undefined;
      this.driftState = this.app?.lcm?.driftState();
      this._tick++;
    }, REDRAW_MS);
  }

  private reset(): void {
    this.replay.stop();
    this.latency.clear();
    this.confidence.clear();
    this.recent = [];
    this.events = [];
    this.alerts = [];
    this.count = 0;
    this._last = undefined;
    this._lastInput = '';
    this._error = '';
    this.driftState = this.app?.lcm?.driftState();
    this._tick++;
  }

  // ---- sources ----

  private choose(s: SourceKind): void {
    this.replay.stop();
    if (s !== 'camera') this.camera.stop(this.video() ?? undefined);
    this._source = s;
  }

  private loadDemo(): Promise<DemoStream> {
    this.demoLoading ??= this.demoCsv().then((text) => (this.demo = new DemoStream(text)));
    this.demoLoading.catch(() => (this.demoLoading = undefined));
    return this.demoLoading;
  }

  private maybeAutoplay(): void {
    if (this.autoplay !== 'demo' || this._playing || this._error || !this.model) return;
    if (!modelInputs(this.model).sources.includes('demo')) return;
    this.autoplay = '';
    this._source = 'demo';
    this.play('demo');
  }

  private inject(mode: DriftInjection): void {
    this._injection = mode;
    if (this.demo) this.demo.injection = mode;
  }

  private play(kind: SourceKind): void {
    this._error = '';
    this._source = kind;
    this.replay.rowsPerSecond = this._rate;
    this._playing = true;
    this.replay.start();
  }

  /** One input from the chosen source. */
  private async step(): Promise<void> {
    const source = this._source ?? (this.model ? modelInputs(this.model).sources[0] : undefined);
    if (source === 'demo') {
      const demo = this.demo ?? (await this.loadDemo());
      demo.injection = this._injection;
      const row: DemoRow = demo.next();
      return this.runRow(
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
      return this.runRow(c.table.rows[i]!, `${c.name}, row ${i + 1}${extra ? ` (${extra})` : ''}`);
    }
    if (source === 'camera') return this.cameraStep();
    this.replay.stop();
  }

  private async runRow(row: Record<string, number>, description: string): Promise<void> {
    const lcm = this.app?.lcm;
    if (!lcm) throw new Error('TinyLCM is not running');
    this._lastInput = description;
    await lcm.infer(row);
  }

  /** A one-off action: its error is shown, and buttons wait while it runs. */
  private async once(fn: () => Promise<void>): Promise<void> {
    this._busy = true;
    this._error = '';
    try {
      await fn();
    } catch (err) {
      this._error = errorText(err);
    } finally {
      this._busy = false;
    }
  }

  private async pickCsv(e: Event): Promise<void> {
    const file = (e.target as HTMLInputElement).files?.[0];
    const model = this.model;
    if (!file || !model) return;
    this.replay.stop();
    this._error = '';
    try {
      this._csv = { name: file.name, table: csvRows(await file.text(), modelInputs(model).features), next: 0 };
    } catch (err) {
      this._csv = undefined;
      this._error = `${file.name}: ${errorText(err)}`;
    }
  }

  private video(): HTMLVideoElement | null {
    return this.renderRoot.querySelector('video');
  }

  private async toggleCamera(): Promise<void> {
    const video = this.video();
    if (!video) return;
    if (this.camera.on) {
      this.replay.stop();
      this.camera.stop(video);
      return this.requestUpdate();
    }
    await this.once(() => this.camera.start(video));
  }

  private async cameraStep(): Promise<void> {
    const lcm = this.app?.lcm;
    const model = this.model;
    const video = this.video();
    if (!lcm || !model || !video) throw new Error('TinyLCM is not running');
    const inputs = modelInputs(model);
    if (!inputs.image) throw new Error('the active model does not take an image');
    this._lastInput = 'camera frame';
    await lcm.infer(await this.camera.feeds(video, inputs.image, inputs.inputName));
  }
}

customElements.define('lcm-live-screen', LcmLiveScreen);

declare global {
  interface HTMLElementTagNameMap {
    'lcm-live-screen': LcmLiveScreen;
  }
}
