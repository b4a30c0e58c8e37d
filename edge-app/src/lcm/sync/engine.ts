import type * as A from '@automerge/automerge';
import {
  appendEvent,
  compactEvents,
  DEFAULT_SYNC_INTERVAL_SEC,
  deviceDocId,
  report,
  type DeviceDoc,
  type ModelRef as DocModelRef,
  type Reported,
  type ReportedMetrics,
  type DeviceHealth,
} from '../../../../shared/documents/index.ts';
import { documentEvent, type PendingDriftEvent } from '../drift/outbox.ts';
import type { TinyLCM } from '../tinylcm.ts';
import type { ModelRef } from '../types.ts';
import {
  eventStatuses,
  MemoryMarkStore,
  pendingFalseAlarms,
  thresholdFactor,
  type MarkStore,
} from './console-marks.ts';
import { DocSync, type DocStorage } from '../../../../shared/sync/documents.ts';
export { IdbMarkStore } from './console-marks.ts';
import { ModelPuller, type PullProgress } from './model-pull.ts';
import { RemoteConfig } from './remote-config.ts';
import { KvStore } from '../storage/db.ts';
import { SyncScheduler, type SyncSchedulerOptions } from './scheduler.ts';
import { LogUploader } from './uploader.ts';
import { sameJson } from '../../../../shared/documents/same-json.ts';

export interface SyncEngineOptions {
  lcm: TinyLCM;
  /** The server's origin, e.g. `https://tinysphere.example`. */
  url: string;
  /** The device token from enrolment. */
  token: string;
  deviceId: string;
  fetch?: typeof fetch;
  /** Where the document replica is kept between runs (IndexedDB in the PWA); memory only without. */
  storage?: DocStorage;
  /** False alarms already acted on (console-marks.ts; IndexedDB in the PWA); memory only without. */
  marks?: MarkStore;
  /** Parts, for tests or a caller that configures them itself; built from the options above otherwise. */
  doc?: DocSync<DeviceDoc>;
  puller?: ModelPuller;
  uploader?: LogUploader;
  /** Drift events kept visible in the document; older ones fold into its summary. Default 200. */
  keepEvents?: number;
  appVersion?: string;
  /** Measures the device's health (monitor/health.ts) once per exchange, for `reported.health`. */
  health?: () => Promise<DeviceHealth | undefined>;
  now?: () => number;
}

export interface SyncSummary {
  ok: boolean;
  /** What failed, when something did (the other steps still ran where they could). */
  error?: string;
  /** Log records the server acknowledged in this run. */
  uploaded: number;
  /** A new model was pulled and activated. */
  modelChanged: boolean;
  /** Epoch ms the run ended. */
  at: number;
}

const docRef = (m: ModelRef): DocModelRef => ({ name: m.name, version: String(m.version), sha256: m.sha256 });
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export { documentEvent };

/**
 * One enrolled device's exchange with TinySphere. `syncNow()`: merge the document; when `desired`
 * names a model other than the running one, pull it (resumable, verified), activate it and report
 * it; upload the logs; report metrics and new drift events; merge again so the server sees them.
 * An EventTarget: `sync` (SyncSummary) after each run, `download-progress` (PullProgress),
 * `false-alarms` ({channels, ids, factor}) when people's false alarms reset detectors.
 */
export class SyncEngine extends EventTarget {
  private readonly lcm: TinyLCM;
  private readonly puller: ModelPuller;
  private readonly uploader: LogUploader;
  private readonly keepEvents: number;
  private readonly now: () => number;
  private readonly marks: MarkStore;
  /** desired.config applied to TinyLCM (remote-config.ts). */
  readonly remoteConfig: RemoteConfig;
  /** Ids of false alarms acted on (loaded from `marks` on first use). */
  private handled: Set<string> | undefined;
  private inFlight: Promise<SyncSummary> | undefined;
  /** This run's health, measured once so the run's second report does not differ from its first. */
  private health: DeviceHealth | undefined;
  /** The failure behind the last unsuccessful run (its Retry-After guides the scheduler). */
  lastError: unknown;
  /** Every failure of the last run, in order: lastError and those of the steps that still ran after it. */
  lastErrors: readonly unknown[] = [];

  private constructor(
    readonly doc: DocSync<DeviceDoc>,
    private readonly opts: SyncEngineOptions,
  ) {
    super();
    this.lcm = opts.lcm;
    this.now = opts.now ?? Date.now;
    this.keepEvents = opts.keepEvents ?? 200;
    this.marks = opts.marks ?? new MemoryMarkStore();
    this.remoteConfig = new RemoteConfig(opts.lcm, new KvStore(opts.lcm.db));
    this.puller =
      opts.puller ??
      new ModelPuller({
        lcm: opts.lcm,
        url: opts.url,
        token: opts.token,
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
      });
    this.uploader =
      opts.uploader ??
      new LogUploader({
        logger: opts.lcm.logs,
        url: opts.url,
        token: opts.token,
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
      });
    this.puller.addEventListener('progress', (e) =>
      this.dispatchEvent(
        new CustomEvent<PullProgress>('download-progress', { detail: (e as CustomEvent<PullProgress>).detail }),
      ),
    );
  }

  /** Waits for a run in progress (TinyLCM stays open; its drift events wait in its outbox). */
  async close(): Promise<void> {
    await this.inFlight;
  }

  static async open(opts: SyncEngineOptions): Promise<SyncEngine> {
    const doc =
      opts.doc ??
      (await DocSync.open<DeviceDoc>({
        url: opts.url,
        token: opts.token,
        docId: deviceDocId(opts.deviceId),
        ...(opts.storage ? { storage: opts.storage } : {}),
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
      }));
    const engine = new SyncEngine(doc, opts);
    // The config applied before the restart (and the replica's newer one) is in force before any network.
    await engine.remoteConfig.restore(doc.value.desired);
    return engine;
  }

  /** The sync interval the server asks for (the document's), in seconds. */
  intervalSec(): number {
    return this.doc.value.desired?.syncIntervalSec ?? DEFAULT_SYNC_INTERVAL_SEC;
  }

  /** A scheduler running this engine every `desired.syncIntervalSec`, on reconnect and on demand. */
  scheduler(options: Partial<Omit<SyncSchedulerOptions, 'run' | 'intervalSec'>> = {}): SyncScheduler {
    return new SyncScheduler({
      ...options,
      intervalSec: () => this.intervalSec(),
      run: async () => {
        const s = await this.syncNow();
        if (!s.ok) throw this.lastError ?? new Error(s.error);
      },
    });
  }

  /** One full exchange; never two at once (a call during a run gets that run's summary). Never throws. */
  syncNow(): Promise<SyncSummary> {
    this.inFlight ??= this.run().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Log batches the server refused for good go into the health report, so an operator sees them in the console. */
  private async countSetAside(): Promise<void> {
    let n = 0;
    try {
      n = (await this.lcm.logs.stats()).setAsideBatches;
    } catch {
      // The log store is unreadable this time: the health goes without the count.
    }
    if (this.health && n > 0) this.health = { ...this.health, setAsideBatches: n };
  }

  private async run(): Promise<SyncSummary> {
    const errors: unknown[] = [];
    let modelChanged = false;
    let uploaded = 0;
    // A failing probe must not fail the exchange: the report then goes without health.
    this.health = await this.opts.health?.().catch(() => undefined);
    await this.countSetAside();
    try {
      // What runs and how it fares goes up with the first sync; a second sync follows only when
      // something changed meanwhile (a model switched, drift events came in), so a quiet exchange
      // is one document sync and one upload.
      await this.reportNow();
      await this.doc.sync();
      // Before a model switch: the false alarms are about the detectors of the model running now.
      try {
        await this.applyFalseAlarms();
      } catch (err) {
        errors.push(err);
      }
      // Before a model switch, so a newly activated version starts under the new config.
      await this.remoteConfig.apply(this.doc.value.desired);
      // A model or upload failure still lets the device report what it runs and how it fares.
      try {
        modelChanged = await this.applyDesiredModel();
      } catch (err) {
        errors.push(err);
      }
      try {
        uploaded = (await this.uploader.uploadOnce()).records;
      } catch (err) {
        errors.push(err);
      }
      await this.countSetAside();
      await this.reportNow();
      if (this.doc.unsent) await this.doc.sync();
    } catch (err) {
      errors.push(err);
    }
    this.lastError = errors[0];
    this.lastErrors = errors;
    const summary: SyncSummary = { ok: errors.length === 0, uploaded, modelChanged, at: this.now() };
    if (errors.length) summary.error = errors.map(message).join('; ');
    this.dispatchEvent(new CustomEvent<SyncSummary>('sync', { detail: summary }));
    return summary;
  }

  /** Each drift event's status in the document (open, acknowledged, false_alarm), by event id. */
  eventStatuses() {
    return eventStatuses(this.doc.value);
  }

  /**
   * Events people marked false alarms since the last run: resets the detectors that raised them
   * (raising their thresholds by `desired.config.falseAlarmThresholdFactor` when > 1), then
   * remembers the ids, so each is acted on once even across restarts. Ids of events no longer in
   * the document are forgotten: compacted events do not come back.
   */
  private async applyFalseAlarms(): Promise<void> {
    const docId = deviceDocId(this.opts.deviceId);
    this.handled ??= new Set(await this.marks.load(docId));
    const { channels, ids } = pendingFalseAlarms(this.doc.value, this.handled);
    if (ids.length === 0) return;
    const factor = thresholdFactor(this.doc.value.desired);
    for (const channel of channels) await this.lcm.resetDriftChannel(channel, factor);
    const live = new Set((this.doc.value.events ?? []).map((e) => e.id));
    const next = new Set([...this.handled, ...ids].filter((id) => live.has(id)));
    await this.marks.save(docId, [...next]);
    this.handled = next;
    this.dispatchEvent(
      new CustomEvent<{ channels: string[]; ids: string[]; factor: number }>('false-alarms', {
        detail: { channels, ids, factor },
      }),
    );
  }

  /** Pulls and activates `desired.model` when it is not the running one; true when it switched. */
  private async applyDesiredModel(): Promise<boolean> {
    const want = this.doc.value.desired?.model;
    if (!want || this.lcm.model?.sha256 === want.sha256) return false;
    await this.report({ status: `downloading ${want.name}@${want.version}` });
    // Best effort: the server sees the download start; the pull itself needs no document.
    await this.doc.sync().catch(() => undefined);
    try {
      const model = await this.puller.pull(want.sha256);
      await this.report({ model: docRef(model), status: 'running' });
      return true;
    } catch (err) {
      await this.report({ status: `error: ${message(err)}`.slice(0, 200) });
      throw err;
    }
  }

  private report(patch: Partial<Reported>): Promise<void> {
    return this.doc.edit((d) => report(d, patch, new Date(this.now())));
  }

  /** Reports into the replica; the drift events it took leave TinyLCM's outbox once the replica holding them is saved. */
  private async reportNow(): Promise<void> {
    const events = this.lcm.driftEvents.peek();
    await this.doc.edit((d) => this.reportState(d, events));
    await this.lcm.driftEvents.remove(events.map((e) => e.key));
  }

  /** What runs, its metrics and new drift events — as changes only where something changed. */
  private reportState(doc: A.Doc<DeviceDoc>, events: readonly PendingDriftEvent[]): A.Doc<DeviceDoc> {
    let d = doc;
    const patch: Partial<Reported> = {};
    const config = this.remoteConfig.report();
    if (config.configVersion !== undefined && d.reported?.configVersion !== config.configVersion)
      patch.configVersion = config.configVersion;
    if (d.reported?.configError !== config.configError) patch.configError = config.configError;
    const model = this.lcm.model;
    if (model) {
      const ref = docRef(model);
      if (!sameJson(d.reported?.model, ref)) patch.model = ref;
      const metrics = this.metrics();
      if (metrics && !sameJson(d.reported?.metrics, metrics)) patch.metrics = metrics;
      // A failed switch leaves its error standing while the desired model is still not the running one.
      const want = d.desired?.model;
      if ((!want || want.sha256 === model.sha256) && d.reported?.status !== 'running') patch.status = 'running';
    }
    if (this.opts.appVersion && d.reported?.appVersion !== this.opts.appVersion)
      patch.appVersion = this.opts.appVersion;
    if (this.health && !sameJson(d.reported?.health, this.health)) patch.health = this.health;
    if (Object.keys(patch).length) d = report(d, patch, new Date(this.now()));
    for (const e of events) d = appendEvent(d, e.event);
    return compactEvents(d, this.keepEvents);
  }

  /** The rollout gates' numbers for the running version, from its monitor and drift detectors. */
  metrics(): ReportedMetrics | undefined {
    const model = this.lcm.model;
    const snap = this.lcm.snapshot();
    if (!model || !snap) return undefined;
    const drift = this.lcm.driftState();
    const mean = snap.confidence.mean;
    return {
      model: docRef(model),
      inferences: snap.inferences,
      errors: snap.errors,
      p95Ms: snap.latencyMs.p95,
      // Records, not detector events: the unit the server's aggregates and the gates share (README, "Drift alarms and warnings").
      driftAlarms: drift?.alarmRecords ?? 0,
      driftWarnings: drift?.warningRecords ?? 0,
      meanConfidence: mean === null ? null : Math.min(1, Math.max(0, mean)),
    };
  }
}
