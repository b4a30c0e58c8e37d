import { css, html, LitElement, nothing } from 'lit';
import { guard } from 'lit/directives/guard.js';
import type { DeviceApp } from '../../app/device-app.ts';
import type { DeviceDriftState, DriftEvent, InferenceObservation, MonitorAlert, StoredModel } from '../../lcm/index.ts';
import '../charts/line-chart.ts';
import type { LineSeries } from '../charts/line-chart.ts';
import type { RollingWindow } from '../charts/rolling.ts';
import { noModelNotice } from '../components/no-model.ts';
import { AppController } from '../controllers/app-controller.ts';
import { errorText, formatMs, formatPercent } from '../format.ts';
import { bundledDemoCsv } from '../sources/demo-stream.ts';
import { screenStyles } from '../styles.ts';
import { LiveHistory } from './live/history.ts';
import { modelInputs } from './live/model-inputs.ts';
import './live/monitor-panel.ts';
import { PlaybackController } from './live/playback.ts';
import './live/result-panel.ts';
import './live/source-panel.ts';

/**
 * Live inference: feeds the active model from a source (the bundled demo stream with drift
 * injection, a CSV file, one typed row, the camera for image models), shows each prediction with
 * its confidence, rolling charts of latency and confidence, and the drift monitors' state with the
 * reference-vs-current distribution of the drifting feature. Everything shown comes from TinyLCM's
 * own events, so inferences made elsewhere (e.g. another tab's source) show up too.
 *
 * This element lays the cards out and routes TinyLCM's events; the cards' contents are parts
 * (live/*-panel.ts) rendered into this shadow root, and live/playback.ts paces sources and redraws.
 */
export class LcmLiveScreen extends LitElement {
  static override properties = {
    app: { attribute: false },
    autoplay: {},
    demoCsv: { attribute: false },
    _error: { state: true },
    _lastInput: { state: true },
  };
  static override styles = [screenStyles, css`lcm-live-source, lcm-live-result, lcm-live-monitor { display: block; }`];

  declare app: DeviceApp | undefined;
  /** 'demo' starts the demo stream as soon as a model that takes it is active (kiosks, the benchmark); also `?autoplay=demo` or `#/live?autoplay=demo`. */
  declare autoplay: string;
  /** Where the demo dataset comes from; default: the copy bundled into the app. */
  declare demoCsv: () => Promise<string>;
  declare private _error: string;
  declare private _lastInput: string;

  private readonly history = new LiveHistory();
  private driftState: DeviceDriftState | undefined;
  private readonly playback = new PlaybackController(this, {
    onError: (err) => (this._error = errorText(err)),
    beforeRedraw: () => (this.driftState = this.app?.lcm?.driftState()),
  });

  constructor() {
    super();
    this.autoplay = '';
    this.demoCsv = bundledDemoCsv;
    this._error = '';
    this._lastInput = '';
    const c = new AppController(this, {
      inference: (e) => this.onInference(e.detail as InferenceObservation),
      drift: (e) => {
        this.history.drift(e.detail as DriftEvent);
        this.driftState = this.app?.lcm?.driftState();
        this.requestUpdate();
      },
      alert: (e) => {
        this.history.alert(e.detail as MonitorAlert);
        this.playback.scheduleRedraw();
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
  }

  protected override updated(): void {
    this.maybeAutoplay();
  }

  override render() {
    const model = this.model;
    if (!model) return html`<h2>Live inference</h2>${noModelNotice(this.app)}`;
    const h = this.history;
    const tick = this.playback.tick;
    return html`
      <h2>Live inference <span class="muted" style="font-size:.6em">${model.name} v${model.version}</span></h2>
      ${this._error ? html`<p class="card error" role="alert" data-testid="error">${this._error}</p>` : nothing}
      <div class="grid">
        <section class="card" aria-label="Input source">
          <h3>Input</h3>
          <lcm-live-source
            .lcm=${this.app?.lcm}
            .model=${model}
            .playback=${this.playback}
            .playing=${this.playback.playing}
            .last=${h.last}
            .demoCsv=${this.demoCsv}
            @live-input=${(e: CustomEvent<string>) => (this._lastInput = e.detail)}
            @live-error=${(e: CustomEvent<string>) => (this._error = e.detail)}
          ></lcm-live-source>
        </section>
        <section class="card" aria-live="polite" data-testid="prediction">
          <h3>Prediction</h3>
          <lcm-live-result .observation=${h.last} .input=${this._lastInput} .count=${h.count}></lcm-live-result>
        </section>
        ${guard(
          [tick],
          () => html`<section class="card">
              <h3>Latency</h3>
              <lcm-line-chart y-label="ms" .series=${series(h.latency, 'latency (ms)', '#0969da')} summary=${`latest latency ${formatMs(h.latency.last())}`}></lcm-line-chart>
            </section>
            <section class="card">
              <h3>Confidence</h3>
              <lcm-line-chart y-label="top-1 probability" .yMin=${0} .yMax=${1} .series=${series(h.confidence, 'confidence', '#0b6e4f')} summary=${`latest confidence ${formatPercent(h.confidence.last() ?? NaN)}`}></lcm-line-chart>
            </section>`,
        )}
        <section class="card wide">
          <lcm-live-monitor .model=${model} .history=${h} .state=${this.driftState} .statuses=${this.app?.engine?.eventStatuses()} .tick=${tick}></lcm-live-monitor>
        </section>
      </div>
    `;
  }

  private onInference(obs: InferenceObservation): void {
    if (this.model && obs.model.sha256 !== this.model.sha256) return;
    this.history.observe(obs);
    this.requestUpdate();
    this.playback.scheduleRedraw();
  }

  private reset(): void {
    this.playback.stop();
    this.history.clear();
    this._lastInput = '';
    this._error = '';
    this.playback.redraw();
  }

  private maybeAutoplay(): void {
    if (this.autoplay !== 'demo' || this.playback.playing || this._error || !this.model) return;
    if (!modelInputs(this.model).sources.includes('demo')) return;
    const source = this.renderRoot.querySelector('lcm-live-source');
    if (!source) return; // not rendered yet: updated() comes back here
    this.autoplay = '';
    source.play('demo');
  }
}

/** The charts redraw on the playback tick (guard), not on every prediction. */
function series(w: RollingWindow, label: string, color: string): LineSeries[] {
  return [{ label, color, points: w.points() }];
}

customElements.define('lcm-live-screen', LcmLiveScreen);

declare global {
  interface HTMLElementTagNameMap {
    'lcm-live-screen': LcmLiveScreen;
  }
}
