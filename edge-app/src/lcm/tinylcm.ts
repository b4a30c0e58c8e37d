import {
  checkDetectorParams,
  DeviceDrift,
  DriftOutbox,
  DriftStateStore,
  parseDriftConfig,
  type DriftConfig,
} from './drift/index.ts';
import { Sampler, type SamplingPolicy } from './logger/sampling.ts';
import type { RetentionPolicy } from './logger/index.ts';
import type { AlertThresholds } from './monitor/alerts.ts';
import {
  DataLogger,
  type DataLoggerOptions,
  type ExportFormat,
  type ExportOptions,
  type SetAsideBatch,
} from './logger/index.ts';
import { ModelStore, type ModelStoreOptions } from './models/index.ts';
import { InferenceMonitor, type InferenceMonitorOptions } from './monitor/index.ts';
import { resolvePreprocessing, tabularTensor, type Preprocessing, type TabularRow } from './preprocess/index.ts';
import { findScoresOutput, summarizeClassifier } from './runtime/index.ts';
import { openLcmDb, type LcmDb } from './storage/db.ts';
import type { InferenceBackend } from './backend.ts';
import type {
  DriftEvent,
  Feeds,
  InferenceObservation,
  MonitorAlert,
  MonitorSnapshot,
  ModelRef,
  Outputs,
  StoredModel,
} from './types.ts';

export interface TinyLCMOptions {
  backend: InferenceBackend;
  /** An open database, or the name of one to open (default 'tinylcm'). */
  db?: LcmDb | string;
  models?: ModelStoreOptions;
  monitor?: Omit<InferenceMonitorOptions, 'model' | 'onAlert'>;
  /** Drift configuration (DriftConfig JSON, later from the server's desired state). */
  drift?: { config?: unknown; referenceSamples?: readonly (readonly number[])[] };
  logger?: DataLoggerOptions;
}

/** What configure() changes; each key optional (left out = unchanged). */
export interface LcmConfig {
  /** DriftConfig JSON (shared/drift/config.ts). */
  drift?: unknown;
  sampling?: SamplingPolicy;
  /** `undefined` given explicitly removes the retention limits. */
  retention?: RetentionPolicy | undefined;
  alerts?: AlertThresholds;
}

/** Whether a saved or running drift config equals `input` once parsed (defaults filled in, same key order). */
function sameDriftConfig(saved: DriftConfig, input: unknown): boolean {
  return JSON.stringify(saved) === JSON.stringify(parseDriftConfig(input));
}

export interface InferResult {
  outputs: Outputs;
  latencyMs: number;
  observation: InferenceObservation;
}

/** Tabular rows (by feature name or in order) go through the model's preprocessing; Feeds go as they are. */
export type InferInput = Feeds | TabularRow | readonly TabularRow[];

interface Active {
  model: StoredModel;
  /** What each record names: the version, not its metadata (which would be copied into every log line). */
  ref: ModelRef;
  prep: Preprocessing | null;
  labels: readonly string[] | undefined;
  inputName: string;
  monitor: InferenceMonitor;
  drift: DeviceDrift;
}

/** Feeds are objects of tensors; checked without allocating, as it runs on every inference. */
function isFeeds(input: InferInput): input is Feeds {
  if (typeof input !== 'object' || Array.isArray(input) || ArrayBuffer.isView(input)) return false;
  for (const key in input) {
    const v = (input as Record<string, unknown>)[key];
    if (typeof v !== 'object' || v === null || !('dims' in v)) return false;
  }
  return true;
}

/**
 * TinyLCM on one device: the model store, the runtime, and per inference the monitor, the drift
 * detectors and the logger. An EventTarget: `inference`, `drift`, `alert`, `model-activated`
 * (`sync` is the sync engine's). Runs where its backend runs it — Node, a worker, or a page.
 */
export class TinyLCM extends EventTarget {
  private active: Active | undefined;
  private counter = 0;
  private readonly session = Math.random().toString(36).slice(2, 10);
  private inferenceListeners = 0;
  /** What configure() set; takes precedence over the options given at open. */
  private readonly remote: { drift?: unknown; alerts?: AlertThresholds } = {};

  private constructor(
    readonly db: LcmDb,
    readonly models: ModelStore,
    readonly logs: DataLogger,
    private readonly driftStates: DriftStateStore,
    private readonly options: TinyLCMOptions,
    /** Drift events not yet in the device document (the sync engine takes them); they survive a reload. */
    readonly driftEvents: DriftOutbox = new DriftOutbox(db, undefined, options.logger?.onError),
  ) {
    super();
  }

  static async open(options: TinyLCMOptions): Promise<TinyLCM> {
    const db = typeof options.db === 'object' ? options.db : await openLcmDb(options.db);
    const lcm = new TinyLCM(
      db,
      new ModelStore(db, options.models),
      new DataLogger(db, options.logger),
      new DriftStateStore(db),
      options,
    );
    // Records a previous page wrote while unloading (persistNow) join the log before anything new.
    await lcm.logs.recover();
    await lcm.driftEvents.recover();
    // Resume the model that was active when the app last ran — of several names, the one switched to
    // last (a deployment may move a device to another model name); if it no longer loads, the
    // previous one — a device must still start.
    const [record] = (await lcm.models.activeRecords()).sort((a, b) => b.activatedAt - a.activatedAt);
    if (record) {
      try {
        await lcm.load(record.name, record.version);
      } catch (err) {
        if (record.previous === undefined) throw err;
        lcm.dispatchEvent(
          new CustomEvent('alert', {
            detail: { kind: 'model-load-failed', model: record, message: (err as Error).message },
          }),
        );
        await lcm.rollback(record.name);
      }
    }
    return lcm;
  }

  /** Dispatching an event costs about a microsecond; per-inference events go out only when someone listens. */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void {
    if (type === 'inference' && listener) this.inferenceListeners++;
    super.addEventListener(type, listener, options);
  }

  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ): void {
    if (type === 'inference' && listener) this.inferenceListeners = Math.max(0, this.inferenceListeners - 1);
    super.removeEventListener(type, listener, options);
  }

  /** The active model, if any. */
  get model(): StoredModel | undefined {
    return this.active?.model;
  }

  /**
   * Loads a stored version into the runtime, then makes it the active one (atomically, keeping the
   * previous one for rollback) — in that order, so a model that fails to load never becomes active.
   * Switches run one at a time.
   */
  activate(name: string, version: number): Promise<StoredModel> {
    return this.serial(async () => {
      const model = await this.load(name, version);
      await this.models.activate(name, version);
      this.dispatchEvent(new CustomEvent('model-activated', { detail: model }));
      return model;
    });
  }

  /** One step back to the previously active version. */
  rollback(name: string): Promise<StoredModel> {
    return this.serial(async () => {
      const current = await this.models.active(name);
      if (current?.previous === undefined) throw new Error(`model ${name} has no previous version to roll back to`);
      const model = await this.load(name, current.previous);
      await this.models.rollback(name);
      this.dispatchEvent(new CustomEvent('model-activated', { detail: model }));
      return model;
    });
  }

  private switching: Promise<unknown> = Promise.resolve();
  private switches = 0;
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    this.switches++;
    const next = this.switching.then(fn).finally(() => this.switches--);
    this.switching = next.catch(() => undefined);
    return next;
  }

  private async load(name: string, version: number): Promise<StoredModel> {
    const model = await this.models.get({ name, version });
    if (!model) throw new Error(`model ${name} v${version} is not stored on this device`);
    await this.persist();
    await this.options.backend.load(await this.models.bytes(model), model);
    const ref: ModelRef = { name: model.name, version: model.version, sha256: model.sha256 };
    const saved = await this.driftStates.load(ref);
    const driftOptions = {
      model,
      onDrift: this.onDrift,
      ...(this.options.drift?.referenceSamples ? { referenceSamples: this.options.drift.referenceSamples } : {}),
    };
    // A state saved under another drift config than the one configure() set starts afresh under it.
    const keep = saved && (this.remote.drift === undefined || sameDriftConfig(saved.config, this.remote.drift));
    const drift = keep
      ? DeviceDrift.restore(saved, driftOptions)
      : new DeviceDrift({ ...driftOptions, config: this.remote.drift ?? this.options.drift?.config });
    this.active = {
      model,
      ref,
      prep: resolvePreprocessing(model.metadata),
      labels: model.metadata.classLabels,
      inputName: model.onnx.inputs[0]?.name ?? 'input',
      monitor: new InferenceMonitor({
        ...this.options.monitor,
        ...(this.remote.alerts ? { alerts: this.remote.alerts } : {}),
        model: ref,
        onAlert: (a: MonitorAlert) => this.dispatchEvent(new CustomEvent('alert', { detail: a })),
      }),
      drift,
    };
    return model;
  }

  /** Every drift event is kept for the server before anyone hears of it. */
  private readonly onDrift = (event: DriftEvent): void => {
    this.driftEvents.add(event);
    this.dispatchEvent(new CustomEvent('drift', { detail: event }));
  };

  /** Runs the active model, then the monitor, the drift detectors and the logger see the result. */
  async infer(input: InferInput): Promise<InferResult> {
    // During a model switch the runtime may already hold the new model: wait rather than feed it the old one's input.
    if (this.switches) await this.switching;
    const a = this.active;
    if (!a) throw new Error('no model is active: store one and activate it first');
    const feeds = this.feeds(a, input);
    const obs: InferenceObservation = {
      id: `${this.session}-${++this.counter}`,
      ts: 0,
      model: a.ref,
      latencyMs: 0,
      batch: 1,
    };
    // Read before inference: a worker backend takes the feeds' buffers (transfer, not copy).
    const first = feeds[a.inputName];
    if (first && first.type === 'float32' && first.dims.length === 2) {
      obs.batch = first.dims[0]!;
      // A plain loop: Array.from over a typed array goes through the iterator protocol (~2 µs).
      const data = first.data as Float32Array;
      const features = new Array<number>(first.dims[1]!);
      for (let i = 0; i < features.length; i++) features[i] = data[i]!;
      obs.features = features;
      // Declared scaling is the model's business: the detectors and the log see the row as measured,
      // on the scale of the reference profile (built from the raw training CSV).
      if (a.prep?.kind === 'tabular' && a.prep.scale && !isFeeds(input))
        obs.features = Array.from(
          (tabularTensor({ ...a.prep, scale: undefined }, input as TabularRow).data as Float32Array).subarray(
            0,
            features.length,
          ),
        );
    }
    let result: { outputs: Outputs; latencyMs: number };
    try {
      result = await this.options.backend.infer(feeds);
    } catch (err) {
      obs.ts = Date.now();
      obs.error = (err as Error).message;
      a.monitor.observe(obs);
      throw err;
    }
    obs.ts = Date.now();
    obs.latencyMs = result.latencyMs;
    const scores = findScoresOutput(result.outputs);
    if (scores) Object.assign(obs, summarizeClassifier(result.outputs[scores]!, a.labels ? { labels: a.labels } : {}));
    a.monitor.observe(obs);
    const flags = a.drift.update(obs);
    this.logs.log(obs, flags);
    if (this.inferenceListeners) this.dispatchEvent(new CustomEvent('inference', { detail: obs }));
    return { outputs: result.outputs, latencyMs: result.latencyMs, observation: obs };
  }

  private feeds(a: Active, input: InferInput): Feeds {
    if (isFeeds(input)) return input;
    const features =
      a.prep?.kind === 'tabular'
        ? a.prep
        : a.model.metadata.features
          ? { kind: 'tabular' as const, features: a.model.metadata.features }
          : undefined;
    if (!features)
      throw new Error(
        `model ${a.model.name} declares no tabular features: pass Feeds ({ "${a.inputName}": { type, dims, data } })`,
      );
    return { [a.inputName]: tabularTensor(features as never, input as TabularRow) };
  }

  /** The drift detectors' state of the active version (what persist() saves). */
  driftState() {
    return this.active?.drift.toJSON();
  }

  snapshot(): MonitorSnapshot | undefined {
    return this.active?.monitor.snapshot();
  }

  /**
   * After a person marked a drift event a false alarm: resets the active version's drift channel
   * `name` (raising its threshold by `thresholdFactor` when > 1) and saves the detectors' state,
   * so the reset survives a restart. False when no model is active or it has no such channel.
   */
  /**
   * Applies a configuration (the server's remote config): drift detectors, logger sampling and
   * retention, monitor alert thresholds; a key left out stays as it is. Everything is built and
   * checked before anything changes, so a bad config throws and leaves the running one in force.
   * The active version's detectors are rebuilt only when their config changed (a restart re-applies
   * the same config and keeps their learnt state), and later activations use the new config.
   */
  configure(c: LcmConfig): Promise<void> {
    return this.serial(async () => {
      const a = this.active;
      let drift: DeviceDrift | undefined;
      if (c.drift !== undefined) {
        const config = parseDriftConfig(c.drift);
        const bad = checkDetectorParams(config);
        if (bad) throw new Error(`detectors.${bad.path.join('.')}: ${bad.message}`);
        if (a && !sameDriftConfig(a.drift.config, c.drift)) {
          drift = new DeviceDrift({
            model: a.model,
            onDrift: this.onDrift,
            config,
            ...(this.options.drift?.referenceSamples ? { referenceSamples: this.options.drift.referenceSamples } : {}),
          });
        }
      }
      // Throwaway instances check sampling and alerts before anything is replaced.
      if (c.sampling) new Sampler(c.sampling);
      if (c.alerts)
        new InferenceMonitor({ model: { name: '-', version: 0, sha256: '-' }, alerts: c.alerts, resourceProbe: null });
      if (c.drift !== undefined) this.remote.drift = c.drift;
      if (c.alerts) this.remote.alerts = c.alerts;
      if (a && drift) {
        a.drift = drift;
        await this.driftStates.save(drift.toJSON());
      }
      if (a && c.alerts) a.monitor.setAlerts(c.alerts);
      if (c.sampling || 'retention' in c)
        this.logs.configure({
          ...(c.sampling ? { sampling: c.sampling } : {}),
          ...('retention' in c ? { retention: c.retention } : {}),
        });
    });
  }

  async resetDriftChannel(name: string, thresholdFactor = 1): Promise<boolean> {
    const a = this.active;
    if (!a?.drift.resetChannel(name, thresholdFactor)) return false;
    await this.driftStates.save(a.drift.toJSON());
    return true;
  }

  export(format: ExportFormat, options?: ExportOptions): Promise<string> {
    return this.logs.exportText(format, options);
  }

  /** Log batches the server refused for good (kept, exported, never resent): id, status, message, when, records. */
  setAsideBatches(): Promise<SetAsideBatch[]> {
    return this.logs.setAsideBatches();
  }

  /** Writes buffered logs and the detector states; call on pagehide / before the process ends. */
  /**
   * For pagehide: the log buffer goes out in a transaction that completes while the page unloads
   * (see DataLogger.spill); the detectors' state is saved as far as the page lets it.
   */
  persistNow(): void {
    this.logs.spill();
    this.driftEvents.spill();
    if (this.active) void this.driftStates.save(this.active.drift.toJSON()).catch(() => undefined);
  }

  async persist(): Promise<void> {
    await this.logs.flush();
    await this.driftEvents.flush();
    if (this.active) await this.driftStates.save(this.active.drift.toJSON());
  }

  async close(): Promise<void> {
    await this.persist();
    await this.options.backend.unload?.();
    await this.logs.close();
    this.db.close();
  }
}
