import type { VersionMetadata } from '../../../../shared/protocol/registry.ts';
import { callSafely } from '../monitor/report-error.ts';
import type { DriftEvent, DriftSample, InferenceObservation, ModelRef } from '../types.ts';
import {
  confidenceChannel,
  featureChannel,
  featureReferences,
  checkPredictionParams,
  knnChannel,
  knownClassCount,
  predictionChannel,
} from './build.ts';
import { Channel, type ChannelState, type ChannelStatus } from './channel.ts';
import { parseDriftConfig, type DriftConfig } from './config.ts';
import { DRIFT_FLAGS, isAlarm, isWarning, WARNING_SHIFT } from '../../../../shared/drift/flags.ts';
import { readReference, type DriftReference } from './reference.ts';
import { resetChannel } from './reset.ts';
import { Standardizer, type StandardizerState } from './standardizer.ts';

export interface DeviceDriftOptions {
  /** The active version (a StoredModel fits): its metadata carries the reference profile. */
  model: ModelRef & { metadata?: VersionMetadata };
  /** DriftConfig JSON (validated; unknown keys throw). */
  config?: unknown;
  /** Training feature vectors for the KNN monitor (raw, in the model's feature order); no KNN without them. */
  referenceSamples?: readonly (readonly number[])[];
  onDrift?: (event: DriftEvent) => void;
}

/** Everything needed to resume: plain JSON (store it in IndexedDB or a document). */
export interface DeviceDriftState {
  version: 1;
  model: ModelRef;
  savedAt: number;
  config: DriftConfig;
  observations: number;
  /** Observations with a drift bit / a warning bit in their flags (drift/flags.ts isAlarm, isWarning); absent in states saved before they were counted. */
  alarmRecords?: number;
  warningRecords?: number;
  featureNames: string[] | null;
  standardizer: StandardizerState | null;
  channels: ChannelState[];
  samples: DriftSample[];
}

interface FeatureSet {
  names: string[];
  std: Standardizer;
  channels: Channel[];
  /** Feature index of each channel. */
  index: number[];
}

/**
 * On-device drift: per observation it feeds the shared detectors — one per input feature, the
 * confidence, the predicted class and the KNN distance — against the active version's reference,
 * and reports each alarm as a DriftEvent. update() allocates nothing unless an event fires.
 */
export class DeviceDrift {
  readonly model: ModelRef;
  readonly config: DriftConfig;
  readonly profileProblem: string | null;
  private readonly ref: DriftReference;
  private readonly referenceSamples: readonly (readonly number[])[] | undefined;
  private readonly onDrift: ((e: DriftEvent) => void) | undefined;
  private features: FeatureSet | null = null;
  private confidence: Channel | null;
  private prediction: Channel | null = null;
  private numClasses: number | null;
  private knn: Channel<ArrayLike<number>> | null = null;
  private knnVector = new Float64Array(0);
  private readonly recent: (InferenceObservation | DriftSample | undefined)[];
  private recentHead = 0;
  private observations = 0;
  /** Counted per record, as the server counts uploaded records: reported as metrics.driftAlarms / driftWarnings. */
  alarmRecords = 0;
  warningRecords = 0;

  constructor(options: DeviceDriftOptions) {
    this.model = { name: options.model.name, version: options.model.version, sha256: options.model.sha256 };
    this.config = parseDriftConfig(options.config);
    this.ref = readReference(options.model.metadata);
    this.profileProblem = this.ref.profileProblem;
    this.referenceSamples = options.referenceSamples;
    this.onDrift = options.onDrift;
    this.recent = new Array(this.config.samples).fill(undefined);
    const c = this.config;
    this.confidence = c.confidence.enabled ? confidenceChannel(c, this.ref) : null;
    this.numClasses = c.prediction.enabled ? knownClassCount(c, this.ref) : null;
    if (c.prediction.enabled) {
      if (this.numClasses !== null) this.prediction = predictionChannel(c, this.ref, this.numClasses);
      else checkPredictionParams(c);
    }
    const dim = this.ref.featureNames?.length ?? options.referenceSamples?.[0]?.length;
    if (dim) this.initFeatures(dim);
  }

  /** Feeds one observation; returns its drift/warning flags (drift/flags.ts), 0 when quiet. */
  update(obs: InferenceObservation): number {
    if (obs.error !== undefined) return 0;
    this.observations += 1;
    if (this.recent.length > 0) {
      this.recent[this.recentHead] = obs;
      this.recentHead = (this.recentHead + 1) % this.recent.length;
    }
    let flags = 0;
    const x = obs.features;
    if (x && (this.config.features.enabled || this.config.knn.enabled)) {
      if (!this.features) this.initFeatures(x.length);
      const fs = this.features as FeatureSet;
      if (x.length === fs.names.length) {
        // A NaN or infinite value would poison running sums for good: such a vector only feeds
        // the per-feature monitors of its finite values.
        let finite = true;
        for (let j = 0; j < x.length; j++) if (!Number.isFinite(x[j])) finite = false;
        if (finite) fs.std.observe(x);
        for (let k = 0; k < fs.channels.length; k++) {
          const i = fs.index[k] as number;
          const v = x[i] as number;
          const s = Number.isFinite(v) ? fs.std.score(i, v) : NaN;
          if (!Number.isNaN(s)) flags |= this.feed(fs.channels[k] as Channel, s, obs);
        }
        if (this.knn && finite) {
          const v = this.knnVector;
          for (let j = 0; j < v.length; j++) v[j] = fs.std.z(j, x[j] as number);
          flags |= this.feed(this.knn, v, obs);
        }
      }
    }
    const conf = obs.confidence;
    if (this.confidence && conf !== undefined && !Number.isNaN(conf)) flags |= this.feed(this.confidence, conf, obs);
    const cls = obs.classIndex;
    if (cls !== undefined && this.config.prediction.enabled) {
      if (!this.prediction && obs.probabilities && obs.probabilities.length > 1) {
        this.numClasses = obs.probabilities.length;
        this.prediction = predictionChannel(this.config, this.ref, this.numClasses);
      }
      if (this.prediction && Number.isInteger(cls) && cls >= 0 && cls < (this.numClasses as number))
        flags |= this.feed(this.prediction, cls, obs);
    }
    if (isAlarm(flags)) this.alarmRecords += 1;
    if (isWarning(flags)) this.warningRecords += 1;
    return flags;
  }

  status(): ChannelStatus[] {
    return this.channels().map((c) => c.status());
  }

  /**
   * After a false alarm: resets the channel named `name` (`feature:<name>`, `confidence`,
   * `prediction`, `knn`) and, with `thresholdFactor` > 1, raises its detector's threshold by that
   * factor (drift/reset.ts). False when there is no such channel (e.g. another model's).
   */
  resetChannel(name: string, thresholdFactor = 1): boolean {
    const w = this.config.window;
    const fs = this.features;
    const k = fs ? fs.channels.findIndex((c) => c.key === name) : -1;
    if (fs && k >= 0) fs.channels[k] = resetChannel(fs.channels[k] as Channel, w, thresholdFactor);
    else if (name === 'confidence' && this.confidence)
      this.confidence = resetChannel(this.confidence, w, thresholdFactor);
    else if (name === 'prediction' && this.prediction)
      this.prediction = resetChannel(this.prediction, w, thresholdFactor);
    else if (name === 'knn' && this.knn) this.knn = resetChannel(this.knn, w, thresholdFactor);
    else return false;
    return true;
  }

  toJSON(): DeviceDriftState {
    return {
      version: 1,
      model: { ...this.model },
      savedAt: Date.now(),
      config: this.config,
      observations: this.observations,
      alarmRecords: this.alarmRecords,
      warningRecords: this.warningRecords,
      featureNames: this.features ? [...this.features.names] : null,
      standardizer: this.features ? this.features.std.toJSON() : null,
      channels: this.channels().map((c) => c.toJSON()),
      samples: this.recentSamples(),
    };
  }

  /**
   * A DeviceDrift that continues exactly where `state` left off. `options.model` must be the same
   * version (its sha256 is checked); the saved configuration is used, not options.config.
   */
  static restore(state: DeviceDriftState, options: Omit<DeviceDriftOptions, 'config'>): DeviceDrift {
    if (state?.version !== 1) throw new Error(`Unsupported drift state version ${String(state?.version)}`);
    if (state.model.sha256 !== options.model.sha256) {
      throw new Error(
        `drift state belongs to ${state.model.name} v${state.model.version} (${state.model.sha256.slice(0, 12)}), not this model`,
      );
    }
    const d = new DeviceDrift({ ...options, config: state.config });
    d.observations = state.observations;
    // An older state knows alarm events per detector only: their sum is the closest count (>= records).
    d.alarmRecords = state.alarmRecords ?? state.channels.reduce((n, c) => n + c.drifts, 0);
    d.warningRecords = state.warningRecords ?? 0;
    if (state.featureNames && !d.features) d.initFeatures(state.featureNames.length);
    if (d.features && state.standardizer) d.features.std.restore(state.standardizer);
    const saved = new Map(state.channels.map((c) => [c.key, c]));
    const swap = <X>(c: Channel<X> | null): Channel<X> | null => {
      const s = c && saved.get(c.key);
      return c && s ? c.restored(s) : c;
    };
    if (d.features) d.features.channels = d.features.channels.map((c) => swap(c) as Channel);
    d.confidence = swap(d.confidence);
    // Channels made lazily (classes learned from probabilities) or from inputs not given again
    // (referenceSamples: the KNN reference is inside its state) come back from the state alone.
    const ps = saved.get('prediction');
    if (ps && !d.prediction) {
      d.prediction = Channel.fromState(ps, d.config.window);
      d.numClasses = Number(ps.detector.params.numClasses);
    } else d.prediction = swap(d.prediction);
    const ks = saved.get('knn');
    if (ks && !d.knn && d.features) {
      d.knn = Channel.fromState(ks, d.config.window);
      d.knnVector = new Float64Array(d.features.names.length);
    } else d.knn = swap(d.knn);
    const n = d.recent.length;
    const keep = state.samples.slice(-n);
    keep.forEach((s, i) => (d.recent[i] = s));
    d.recentHead = n ? keep.length % n : 0;
    return d;
  }

  private initFeatures(dim: number): void {
    const c = this.config;
    const names =
      this.ref.featureNames?.length === dim ? this.ref.featureNames : Array.from({ length: dim }, (_, i) => `f${i}`);
    const refs = featureReferences(names, this.ref, this.referenceSamples);
    const std = new Standardizer(refs, c.features.warmup, c.features.clip, c.features.transform === 'quantile');
    const watch = c.features.only ? new Set(c.features.only) : null;
    const index = c.features.enabled
      ? names.map((_, i) => i).filter((i) => !watch || watch.has(names[i] as string))
      : [];
    this.features = {
      names: [...names],
      std,
      index,
      channels: index.map((i) => featureChannel(c, names[i] as string)),
    };
    if (c.knn.enabled && this.referenceSamples && this.referenceSamples.length > 0) {
      this.knn = knnChannel(c, std, this.referenceSamples);
      this.knnVector = new Float64Array(dim);
    }
  }

  private channels(): Channel<unknown>[] {
    const out: Channel<unknown>[] = [...((this.features?.channels ?? []) as Channel<unknown>[])];
    for (const c of [this.confidence, this.prediction, this.knn] as (Channel<unknown> | null)[]) if (c) out.push(c);
    return out;
  }

  private feed<X>(channel: Channel<X>, x: X, obs: InferenceObservation): number {
    const r = channel.update(x, obs.id);
    if (this.observations <= this.config.warmup) return 0;
    const bit = DRIFT_FLAGS[channel.kind];
    if (!r.drift) return r.warning ? bit << WARNING_SHIFT : 0;
    channel.drifts += 1;
    channel.lastDriftTs = obs.ts;
    if (this.onDrift) callSafely(this.onDrift, this.event(channel, r.statistic, obs));
    return bit;
  }

  private event(channel: Channel<unknown>, statistic: number, obs: InferenceObservation): DriftEvent {
    return {
      id: `${obs.id}/${channel.key}`,
      ts: obs.ts,
      model: { ...this.model },
      kind: channel.kind,
      channel: channel.key,
      detector: channel.detector.name,
      ...(channel.feature !== undefined ? { feature: channel.feature } : {}),
      statistic,
      window: channel.window(),
      samples: this.recentSamples(),
    };
  }

  private recentSamples(): DriftSample[] {
    const n = this.recent.length;
    const out: DriftSample[] = [];
    for (let k = 0; k < n; k++) {
      const o = this.recent[(this.recentHead + k) % n];
      if (o) out.push(toSample(o));
    }
    return out;
  }
}

function toSample(o: InferenceObservation | DriftSample): DriftSample {
  const s: DriftSample = { id: o.id, ts: o.ts, latencyMs: o.latencyMs };
  if (o.features) s.features = [...o.features];
  if (o.classIndex !== undefined) s.classIndex = o.classIndex;
  if (o.label !== undefined) s.label = o.label;
  if (o.confidence !== undefined) s.confidence = o.confidence;
  return s;
}
