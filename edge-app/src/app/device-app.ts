import type { SyncEngine, SyncSummary } from '../lcm/sync/engine.ts';
import type { PullProgress } from '../lcm/sync/model-pull.ts';
import type { TinyLCM } from '../lcm/tinylcm.ts';
import type { MonitorAlert, StoredModel } from '../lcm/types.ts';

/**
 * The contract between the PWA's device layer (edge-app/src/app/) and its screens (edge-app/src/ui/).
 * One DeviceApp per page, created by <tinylcm-app> and handed to every screen as the `app` property.
 * Screens read state from it and call its methods; it dispatches `change` whenever anything a screen
 * shows may have changed (throttled), and `download-progress` (detail: PullProgress) while a model
 * downloads. Inference goes straight to `lcm` (lcm.infer / lcm.models / lcm.logs / lcm.export).
 */
export type DeviceMode = 'starting' | 'unenrolled' | 'enrolled' | 'standalone';

export interface Enrolment {
  serverUrl: string;
  deviceId: string;
  groupId: string;
  enrolledAt: number;
}

export interface DeviceSettings {
  /** Overrides the server's desired sync interval when set (seconds). */
  syncIntervalSec: number | null;
  /** Fraction of inferences logged (0..1). */
  samplingRate: number;
  /** Acknowledged log records older than this are deleted. */
  retentionDays: number;
}

export interface DeviceStatus {
  mode: DeviceMode;
  online: boolean;
  activeModel: StoredModel | undefined;
  lastSync: SyncSummary | undefined;
  syncing: boolean;
  nextSyncAt: number | undefined;
  queued: { batches: number; records: number };
  storage: { usage: number; quota: number; persisted: boolean } | undefined;
  alerts: MonitorAlert[];
  download: PullProgress | undefined;
  /** A new app version is waiting: the UI offers "update available — reload". */
  updateAvailable: boolean;
}

export interface DeviceApp extends EventTarget {
  readonly lcm: TinyLCM | undefined;
  readonly engine: SyncEngine | undefined;
  readonly enrolment: Enrolment | null;
  readonly settings: DeviceSettings;
  status(): DeviceStatus;
  /** Enrols with a code (also from a `?code=…&server=…` link), then syncs at once. */
  enrol(serverUrl: string, code: string): Promise<void>;
  /** Standalone mode: no server; the model comes from a file. */
  importModel(file: File): Promise<StoredModel>;
  syncNow(): Promise<SyncSummary | undefined>;
  updateSettings(patch: Partial<DeviceSettings>): Promise<void>;
  /** Activates the waiting service worker and reloads. */
  applyUpdate(): Promise<void>;
}
