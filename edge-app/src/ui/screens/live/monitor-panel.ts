import { html, nothing } from 'lit';
import { type DeviceDriftState, numericFeature, type StoredModel } from '../../../lcm/index.ts';
import { compareFeature, currentOnly, type FeatureComparison } from '../../charts/histogram.ts';
import '../../components/drift-panel.ts';
import { ScreenPart } from '../../components/screen-part.ts';
import type { LiveHistory } from './history.ts';
import { modelInputs, modelProfile } from './model-inputs.ts';

/**
 * The drift monitors of the active model (the detector table, the latest events, the reference
 * against the current distribution of one feature) and its monitor alerts. The feature shown is
 * the person's choice, else the one that drifted last, else the first.
 */
export class LcmLiveMonitor extends ScreenPart {
  static override properties = {
    model: { attribute: false },
    history: { attribute: false },
    state: { attribute: false },
    statuses: { attribute: false },
    tick: { attribute: false },
    _feature: { state: true },
  };

  declare model: StoredModel;
  declare history: LiveHistory;
  declare state: DeviceDriftState | undefined;
  /** Each event's status in the device document, by id (enrolled devices only). */
  declare statuses: ReadonlyMap<string, string> | undefined;
  /** The playback tick: the history's inputs and alerts changed since the last one. */
  declare tick: number;
  declare private _feature: string;

  constructor() {
    super();
    this.tick = 0;
    this._feature = '';
  }

  override render() {
    const { features } = modelInputs(this.model);
    const alerts = this.history.alerts;
    return html`<lcm-drift-panel
        .state=${this.state}
        .events=${this.history.events}
        .statuses=${this.statuses}
        .features=${features}
        .selected=${this.featureShown(features)}
        .comparison=${this.comparison(features)}
        .note=${modelProfile(this.model) ? '' : "This model's metadata carries no reference profile: only the current distribution is shown."}
        @feature-change=${(e: CustomEvent<string>) => (this._feature = e.detail)}
      ></lcm-drift-panel>
      ${
        alerts.length
          ? html`<h3>Monitor alerts</h3><ul data-testid="alerts">${alerts.map((a) => html`<li class=${a.state === 'raised' ? 'error' : 'ok'}>${a.kind} ${a.state}: ${a.value.toFixed(3)} (threshold ${a.threshold})</li>`)}</ul>`
          : nothing
      }`;
  }

  private featureShown(features: string[]): string {
    if (this._feature && features.includes(this._feature)) return this._feature;
    const drifted = this.history.events.find((e) => e.feature && features.includes(e.feature));
    return drifted?.feature ?? features[0] ?? '';
  }

  private comparison(features: string[]): FeatureComparison | undefined {
    const feature = this.featureShown(features);
    const i = features.indexOf(feature);
    if (i < 0) return undefined;
    const values = this.history.recent.map((x) => x[i]!);
    const ref = numericFeature(modelProfile(this.model), feature);
    return ref ? compareFeature(ref, values) : currentOnly(feature, values);
  }
}

customElements.define('lcm-live-monitor', LcmLiveMonitor);

declare global {
  interface HTMLElementTagNameMap {
    'lcm-live-monitor': LcmLiveMonitor;
  }
}
