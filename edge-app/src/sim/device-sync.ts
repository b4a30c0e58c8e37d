import type * as A from '@automerge/automerge';
import type { DeviceDoc } from '../../../shared/documents/index.ts';
import { healthProvider, ModelPuller, nodeResourceProbe, type HealthProvider, type TinyLCM } from '../lcm/index.ts';
import { LogUploader, SyncEngine } from '../lcm/sync.ts';

/** One device's side of an exchange with TinySphere, as the simulator drives it. */
export interface DeviceSync {
  /** Document sync → pull and activate the desired model → upload logs → report → document sync. Throws when a step failed. */
  syncNow(): Promise<void>;
  /** The device's replica of its document. */
  readonly doc: A.Doc<DeviceDoc>;
  /** A document sync alone. */
  docSync(): Promise<void>;
  /** Body bytes of the last document sync (both ways). */
  readonly lastDocExchange: { up: number; down: number } | undefined;
  /** Packs the unsent records into batches now, so the next exchange only sends them. */
  prepare(): Promise<number>;
}

export interface DeviceSyncOptions {
  lcm: TinyLCM;
  url: string;
  token: string;
  deviceId: string;
  fetch: typeof fetch;
  /** `reported.health`; default: what Node has (process heap, uptime since this device opened, `node <version>`). */
  health?: HealthProvider;
}

/** The engine's failure of one exchange, with the underlying errors (their status, Retry-After, class); `cause` is the first. */
export class ExchangeError extends Error {
  override name = 'ExchangeError';
  override readonly cause: unknown;
  constructor(
    message: string,
    readonly causes: readonly unknown[],
  ) {
    super(message);
    this.cause = causes[0];
  }
}

/**
 * The device's SyncEngine. Retries are the simulator's: the model download makes one attempt per
 * exchange, so an offline link fails the exchange at once instead of backing off inside it.
 */
export async function openDeviceSync(opts: DeviceSyncOptions): Promise<DeviceSync> {
  const puller = new ModelPuller({
    lcm: opts.lcm,
    url: opts.url,
    token: opts.token,
    fetch: opts.fetch,
    retry: { attempts: 1, baseMs: 0, maxMs: 0 },
  });
  const uploader = new LogUploader({ logger: opts.lcm.logs, url: opts.url, token: opts.token, fetch: opts.fetch });
  const health =
    opts.health ??
    healthProvider({ appVersion: 'tinylcm-simulate', probe: nodeResourceProbe(), startedAt: Date.now() });
  const engine = await SyncEngine.open({ ...opts, puller, uploader, appVersion: 'tinylcm-simulate', health });
  return {
    get doc() {
      return engine.doc.value;
    },
    get lastDocExchange() {
      return engine.doc.lastExchange;
    },
    docSync: () => engine.doc.sync(),
    prepare: () => uploader.prepare(),
    async syncNow() {
      const s = await engine.syncNow();
      if (!s.ok) throw new ExchangeError(s.error ?? 'exchange failed', engine.lastErrors);
    },
  };
}
