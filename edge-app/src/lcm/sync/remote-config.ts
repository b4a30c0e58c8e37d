import { z } from 'zod';
import type { Desired } from '../../../../shared/documents/index.ts';
import { DeviceConfigSchema, type DeviceConfig } from '../../../../shared/protocol/device-config.ts';
import type { KvStore } from '../storage/db.ts';
import type { LcmConfig, TinyLCM } from '../tinylcm.ts';

/** Where the last config the device applied is kept, so a restart runs it even when a newer one was refused. */
const APPLIED_KEY = 'remote-config:applied';

export interface AppliedConfig {
  version: number;
  config: DeviceConfig;
}

/** What the device reports about its config (ReportedSchema's configVersion / configError). */
export interface ConfigReport {
  configVersion?: number;
  configError?: string;
}

/**
 * The device side of remote configuration (README "Remote configuration"): applies the document's
 * `desired.config` to TinyLCM when its `desired.configVersion` differs from the one applied, and
 * says what to report. A config the device refuses (it fails the shared schema, or TinyLCM cannot
 * build it) leaves the last good one running and is reported as `configError`; the same version
 * is not retried until the server sends another (or the app restarts).
 */
export class RemoteConfig {
  private applied: AppliedConfig | undefined;
  private error: string | undefined;
  /** The desired version last handled in this run of the app, applied or refused. */
  private seen: number | undefined;

  constructor(
    private readonly lcm: TinyLCM,
    private readonly kv: KvStore | undefined,
  ) {}

  /** At start: the last good config again (a restart must not fall back to defaults), then the replica's newer one. */
  async restore(desired: Desired | undefined): Promise<void> {
    const last = await this.kv?.get<AppliedConfig>(APPLIED_KEY);
    if (last) {
      try {
        await this.lcm.configure(lcmConfig(last.config, undefined));
        this.applied = last;
      } catch {
        // Stored by an older app that accepted what this one refuses: the replica's config decides.
      }
    }
    await this.apply(desired);
  }

  /** Applies `desired.config` when its version is new; true when something was applied or refused. */
  async apply(desired: Desired | undefined): Promise<boolean> {
    const version = desired?.configVersion;
    if (version === undefined || version === this.seen || version === this.applied?.version) return false;
    this.seen = version;
    try {
      // Plain JSON, not the document's proxies (it is stored in IndexedDB below); at most 16 KB.
      const raw: unknown = JSON.parse(JSON.stringify(desired?.config ?? {}));
      const parsed = DeviceConfigSchema.safeParse(raw);
      if (!parsed.success) throw new Error(z.prettifyError(parsed.error).replace(/\s*\n\s*/g, ' '));
      await this.lcm.configure(lcmConfig(parsed.data, this.applied?.config));
      this.applied = { version, config: parsed.data };
      this.error = undefined;
      await this.kv?.set(APPLIED_KEY, this.applied);
    } catch (err) {
      this.error = `config version ${version} refused: ${err instanceof Error ? err.message : String(err)}`.slice(
        0,
        500,
      );
    }
    return true;
  }

  /** The config in force (undefined before any). */
  get current(): AppliedConfig | undefined {
    return this.applied;
  }

  report(): ConfigReport {
    return { ...(this.applied ? { configVersion: this.applied.version } : {}), configError: this.error };
  }
}

/**
 * The remote config as TinyLCM.configure takes it. A key the server dropped since the last config
 * goes back to the device's default; a key never set is left as the app configured it.
 */
export function lcmConfig(c: DeviceConfig, previous: DeviceConfig | undefined): LcmConfig {
  const out: LcmConfig = {};
  if (c.detectors || previous?.detectors) out.drift = c.detectors ?? {};
  if (c.sampling || previous?.sampling) out.sampling = c.sampling ?? {};
  if (c.retention || previous?.retention) out.retention = c.retention;
  if (c.alerts || previous?.alerts) out.alerts = c.alerts ?? {};
  return out;
}
