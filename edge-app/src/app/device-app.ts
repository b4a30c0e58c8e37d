import type { MonitorAlert, PullProgress, StoredModel, SyncEngine, SyncSummary, TinyLCM } from '../lcm/index.ts';

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
  /**
   * Why an enrolled device has no model from its server, once it has heard from it: no deployment
   * to its group yet, or the group's deployment leaves it out (a canary on other devices, or one
   * rolled back) while the group ran no model before. Undefined otherwise.
   */
  waiting?: NoModelReason | undefined;
}

export type NoModelReason = 'no-deployment' | 'not-included';

/**
 * Why the server's desired state gives this device no model (undefined when it gives one): the
 * server names the deployment that decided even when that deployment sends this device nothing.
 */
export function noModelReasonOf(desired: {
  model?: unknown;
  deploymentId?: string | undefined;
}): NoModelReason | undefined {
  if (desired.model) return undefined;
  return desired.deploymentId ? 'not-included' : 'no-deployment';
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
