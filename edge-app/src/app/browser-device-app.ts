import { API_PREFIX, EnrolAnswerSchema, requestJson } from '../../../shared/protocol/index.ts';
import {
  healthProvider,
  KvStore,
  type LcmDb,
  type MonitorAlert,
  type MonitorAlertKind,
  openLcmDb,
  PERSIST_KEY,
  type PersistenceRecord,
  type PullProgress,
  type StoredModel,
  type SyncEngine,
  type SyncScheduler,
  type SyncSummary,
  TinyLCM,
} from '../lcm/index.ts';
import type { RuntimeFailure, RuntimeWorker } from '../worker/client.ts';
import {
  noModelReasonOf,
  type DeviceApp,
  type DeviceMode,
  type DeviceSettings,
  type DeviceStatus,
  type Enrolment,
  type NoModelReason,
} from './device-app.ts';
import { DEFAULT_SETTINGS, loggerPolicies, mergeSettings } from './settings.ts';
import { SwBridge } from './sw-bridge.ts';
import { rememberThreads, startRuntime } from './runtime.ts';
import { loadSync } from './sync-loader.ts';

const KEY = {
  enrolment: 'app.enrolment',
  token: 'app.token',
  settings: 'app.settings',
  mode: 'app.mode',
  lastSync: 'app.lastSync',
} as const;
/** `change` goes out at most this often: a screen re-renders per event, inferences may run at 1 kHz. */
const CHANGE_EVERY_MS = 200;
const QUEUE_EVERY_MS = 1000;
const STORAGE_EVERY_MS = 15_000;

export const APP_VERSION: string = import.meta.env.VITE_APP_VERSION ?? 'dev';

export interface BrowserDeviceAppOptions {
  /** Register /sw.js (production builds). */
  serviceWorker?: boolean;
  /** IndexedDB name; default 'tinylcm'. */
  dbName?: string;
  /** Gives the runtime (main.ts passes the one it started before the rest of the bundle ran); default: startRuntime. */
  runtime?: () => RuntimeWorker;
}

/**
 * The PWA's DeviceApp (see device-app.ts): TinyLCM over the runtime worker, enrolment and settings
 * in the `kv` store, the sync engine and its scheduler once enrolled, and the figures the status
 * screen shows, kept fresh in the background so status() is synchronous and cheap.
 */
export class BrowserDeviceApp extends EventTarget implements DeviceApp {
  lcm: TinyLCM | undefined;
  engine: SyncEngine | undefined;
  enrolment: Enrolment | null = null;
  settings: DeviceSettings = { ...DEFAULT_SETTINGS };
  /** Why the app could not start (shown by the shell), if it could not. */
  startError: string | undefined;
  /** Runtime worker failures (crash, timeout), newest last; not MonitorAlerts, so kept apart. */
  readonly runtimeFailures: RuntimeFailure[] = [];

  private mode: DeviceMode = 'starting';
  private db: LcmDb | undefined;
  private kv: KvStore | undefined;
  private scheduler: SyncScheduler | undefined;
  private syncing = false;
  private lastSync: SyncSummary | undefined;
  private nextSyncAt: number | undefined;
  private download: PullProgress | undefined;
  private readonly alerts = new Map<MonitorAlertKind, MonitorAlert>();
  private queued = { batches: 0, records: 0 };
  private storage: DeviceStatus['storage'];
  private online = navigator.onLine;
  private updateAvailable = false;
  private queueDirty = true;
  private changeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly sw: SwBridge;
  readonly ready: Promise<void>;

  constructor(private readonly options: BrowserDeviceAppOptions = {}) {
    super();
    this.sw = new SwBridge({
      onUpdate: () => {
        this.updateAvailable = true;
        this.changed();
      },
      onSyncRequest: async () => {
        await this.syncNow();
        await this.refreshQueue();
        return this.queued.records === 0;
      },
    });
    this.ready = this.start().catch((err: unknown) => {
      this.startError = err instanceof Error ? err.message : String(err);
      console.error('[tinylcm] start failed', err);
      this.changedNow();
    });
  }

  private async start(): Promise<void> {
    if (this.options.serviceWorker) void this.sw.start();
    addEventListener('online', this.onNetwork);
    addEventListener('offline', this.onNetwork);
    // Buffered log records and detector states are written before the page may be discarded.
    addEventListener('pagehide', () => this.lcm?.persistNow());
    addEventListener(
      'pageshow',
      (e) => (e as PageTransitionEvent).persisted && void this.lcm?.logs.recover().then(() => (this.queueDirty = true)),
    );
    document.addEventListener(
      'visibilitychange',
      () => document.visibilityState === 'hidden' && void this.lcm?.persist(),
    );

    performance.mark('tinylcm:start');
    // The runtime starts before anything is read (unless main.ts started it even earlier): its script
    // and ORT's wasm compile are the long pole of a cold start; opening IndexedDB overlaps.
    const backend = (this.options.runtime ?? startRuntime)();
    void backend.prepared.then(() => performance.mark('tinylcm:runtime-ready'));
    this.db = await openLcmDb(this.options.dbName);
    performance.mark('tinylcm:db-open');
    void rememberThreads(this.db);
    this.kv = new KvStore(this.db);
    const [settings, enrolment, lastSync, mode] = await Promise.all([
      this.kv.get<Partial<DeviceSettings>>(KEY.settings),
      this.kv.get<Enrolment>(KEY.enrolment),
      this.kv.get<SyncSummary>(KEY.lastSync),
      this.kv.get<string>(KEY.mode),
    ]);
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
    this.enrolment = enrolment ?? null;
    this.lastSync = lastSync;

    backend.addEventListener('failure', (e) => {
      this.runtimeFailures.push((e as CustomEvent<RuntimeFailure>).detail);
      this.runtimeFailures.splice(0, this.runtimeFailures.length - 20);
      this.changed();
    });
    // Opening resumes the active model, which compiles the runtime's wasm now rather than at the first inference.
    performance.mark('tinylcm:settings-read');
    const lcm = await TinyLCM.open({
      backend,
      db: this.db,
      logger: { ...loggerPolicies(this.settings), onError: (err) => console.warn('[tinylcm] log write failed', err) },
    });
    this.lcm = lcm;
    performance.mark('tinylcm:model-loaded');
    lcm.addEventListener('inference', () => (this.queueDirty = true));
    lcm.addEventListener('alert', (e) => {
      const a = (e as CustomEvent<MonitorAlert>).detail;
      if (a.state === 'raised') this.alerts.set(a.kind, a);
      else this.alerts.delete(a.kind);
      this.changed();
    });
    lcm.addEventListener('drift', () => this.changed());
    lcm.addEventListener('model-activated', () => {
      this.alerts.clear();
      this.changed();
      void this.refreshStorage();
    });

    this.mode = this.enrolment ? 'enrolled' : mode === 'standalone' ? 'standalone' : 'unenrolled';
    void this.askPersistenceOnce();
    void this.refreshStorage();
    void this.refreshQueue();
    setInterval(() => this.queueDirty && void this.refreshQueue(), QUEUE_EVERY_MS);
    setInterval(() => void this.refreshStorage(), STORAGE_EVERY_MS);
    this.changedNow();
    if (this.enrolment) await this.startSync();
  }

  private readonly onNetwork = () => {
    this.online = navigator.onLine;
    this.changed();
  };

  status(): DeviceStatus {
    return {
      mode: this.mode,
      online: this.online,
      activeModel: this.lcm?.model,
      lastSync: this.lastSync,
      syncing: this.syncing,
      nextSyncAt: this.nextSyncAt,
      queued: { ...this.queued },
      storage: this.storage && { ...this.storage },
      alerts: [...this.alerts.values()],
      download: this.download,
      updateAvailable: this.updateAvailable,
      waiting: this.waiting(),
    };
  }

  /** Only once the server was heard from, and only while no model runs (a file import counts). */
  private waiting(): NoModelReason | undefined {
    const desired = this.engine?.doc.value.desired;
    if (!desired || !this.lastSync?.ok || this.lcm?.model) return undefined;
    return noModelReasonOf(desired);
  }

  async enrol(serverUrl: string, code: string): Promise<void> {
    await this.ready;
    if (!this.kv) throw new Error(this.startError ?? 'the app did not start');
    if (this.enrolment) throw new Error('this device is already enrolled');
    const url = new URL(serverUrl.trim() || location.origin).origin;
    const answer = await requestJson(`${url}${API_PREFIX}/devices/enrol`, EnrolAnswerSchema, {
      body: {
        code: code.trim(),
        metadata: { userAgent: navigator.userAgent.slice(0, 300), app: 'tinylcm-pwa', appVersion: APP_VERSION },
      },
    });
    const enrolment: Enrolment = {
      serverUrl: url,
      deviceId: answer.deviceId,
      groupId: answer.groupId,
      enrolledAt: Date.now(),
    };
    await this.kv.set(KEY.token, answer.token);
    await this.kv.set(KEY.enrolment, enrolment);
    await this.kv.delete(KEY.mode);
    this.enrolment = enrolment;
    this.mode = 'enrolled';
    this.changed();
    await this.startSync();
    await this.syncNow();
  }

  async importModel(file: File): Promise<StoredModel> {
    await this.ready;
    const lcm = this.requireLcm();
    const stored = await lcm.models.importFile(file);
    const model = await lcm.activate(stored.name, stored.version);
    if (this.mode === 'unenrolled') {
      await this.kv!.set(KEY.mode, 'standalone');
      this.mode = 'standalone';
    }
    this.changed();
    return model;
  }

  async syncNow(): Promise<SyncSummary | undefined> {
    await this.ready;
    if (!this.scheduler) return undefined;
    await this.scheduler.requestSync();
    return this.lastSync;
  }

  async updateSettings(patch: Partial<DeviceSettings>): Promise<void> {
    await this.ready;
    const next = mergeSettings(this.settings, patch);
    await this.kv!.set(KEY.settings, next);
    const intervalChanged = next.syncIntervalSec !== this.settings.syncIntervalSec;
    this.settings = next;
    this.lcm?.logs.configure(loggerPolicies(next));
    this.changed();
    // The scheduler reads the interval after each run: a run now applies the new one at once.
    if (intervalChanged) void this.scheduler?.requestSync();
  }

  applyUpdate(): Promise<void> {
    return this.sw.applyUpdate();
  }

  private requireLcm(): TinyLCM {
    if (!this.lcm) throw new Error(this.startError ?? 'the app is still starting');
    return this.lcm;
  }

  private async startSync(): Promise<void> {
    if (this.scheduler || !this.enrolment || !this.db) return;
    const token = await this.kv!.get<string>(KEY.token);
    if (!token) throw new Error('enrolled, but the device token is missing: enrol again');
    const { SyncEngine, IdbDocStorage, IdbMarkStore, SyncScheduler } = await loadSync();
    const engine = await SyncEngine.open({
      lcm: this.requireLcm(),
      url: this.enrolment.serverUrl,
      token,
      deviceId: this.enrolment.deviceId,
      storage: new IdbDocStorage(this.db),
      marks: new IdbMarkStore(this.db),
      appVersion: APP_VERSION,
      health: healthProvider({ appVersion: APP_VERSION }),
    });
    engine.addEventListener('download-progress', (e) => {
      this.download = (e as CustomEvent<PullProgress>).detail;
      this.dispatchEvent(new CustomEvent<PullProgress>('download-progress', { detail: this.download }));
      this.changed();
    });
    engine.addEventListener('sync', (e) => {
      const summary = (e as CustomEvent<SyncSummary>).detail;
      this.lastSync = summary;
      this.download = undefined;
      void this.kv!.set(KEY.lastSync, summary);
      void this.afterSync(summary);
    });
    this.engine = engine;
    this.scheduler = new SyncScheduler({
      intervalSec: () => this.settings.syncIntervalSec ?? engine.intervalSec(),
      run: async () => {
        this.syncing = true;
        this.changed();
        try {
          const s = await engine.syncNow();
          if (!s.ok) throw engine.lastError ?? new Error(s.error);
        } finally {
          this.syncing = false;
          // The scheduler sets its next delay right after this returns.
          setTimeout(() => {
            this.nextSyncAt =
              this.scheduler?.nextDelayMs === undefined ? undefined : Date.now() + this.scheduler.nextDelayMs;
            this.changed();
          }, 0);
        }
      },
      onError: (err) => console.warn('[tinylcm] sync failed', err),
    });
    this.scheduler.start();
  }

  private async afterSync(summary: SyncSummary): Promise<void> {
    await this.refreshQueue();
    // Records still waiting after a failed run: let the browser wake us once it is back online.
    if (!summary.ok && this.queued.records > 0) await this.sw.requestBackgroundSync();
    void this.refreshStorage();
  }

  /** Records not yet acknowledged by the server: buffered, unsent, and in batches sent but unacknowledged. */
  private async refreshQueue(): Promise<void> {
    const lcm = this.lcm;
    if (!lcm || !this.db) return;
    this.queueDirty = false;
    try {
      const [stats, pending, unsentSegments] = await Promise.all([
        lcm.logs.stats(),
        lcm.logs.pendingBatches(),
        this.db.countFromIndex('inference-logs', 'unsent'),
      ]);
      let inBatches = 0;
      for (const id of pending) for (const s of await lcm.logs.store.batch(id)) inBatches += s.count;
      const next = { batches: pending.length + unsentSegments, records: stats.unsent + stats.buffered + inBatches };
      if (next.batches !== this.queued.batches || next.records !== this.queued.records) {
        this.queued = next;
        this.changed();
      }
    } catch (err) {
      console.warn('[tinylcm] reading the upload queue failed', err);
    }
  }

  private async refreshStorage(): Promise<void> {
    const s = navigator.storage;
    if (!s?.estimate) return;
    try {
      const [e, persisted] = await Promise.all([s.estimate(), s.persisted?.() ?? false]);
      this.storage = { usage: e.usage ?? 0, quota: e.quota ?? 0, persisted };
      this.changed();
    } catch {
      // Opaque origins refuse: the status screen then says the figures are unknown.
    }
  }

  /** Persistent storage is asked for once per device (the model store records the answer in `kv`). */
  private async askPersistenceOnce(): Promise<void> {
    const record = await this.kv!.get<PersistenceRecord>(PERSIST_KEY);
    if (!record?.asked && !record?.persisted) await this.lcm!.models.requestPersistence();
    await this.refreshStorage();
  }

  /** Dispatches `change`, at most every CHANGE_EVERY_MS. */
  /** For the moments a person waits on (started, failed to start): no throttling delay. */
  private changedNow(): void {
    clearTimeout(this.changeTimer);
    this.changeTimer = undefined;
    this.dispatchEvent(new Event('change'));
  }

  private changed(): void {
    if (this.changeTimer !== undefined) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      this.dispatchEvent(new Event('change'));
    }, CHANGE_EVERY_MS);
  }
}
