import { z } from 'zod';
import {
  DEFAULT_SYNC_INTERVAL_SEC,
  deviceDocId,
  setDesired,
  type DeviceDoc,
} from '../../../../shared/documents/index.ts';
import {
  DeviceConfigSchema,
  mergeConfigs,
  type DeviceConfig,
  type DeviceConfigAnswer,
  type StoredConfig,
} from '../../../../shared/protocol/index.ts';
import { Invalid, NotFound } from '../errors.ts';
import type { Db, Queryable } from '../../store/db/index.ts';
import { forEachGroupDevice } from '../devices/fan-out.ts';
import type { DocumentsService } from '../documents/index.ts';
import {
  readConfig,
  readDeviceState,
  readOverrides,
  recordWritten,
  writeConfig,
  type DeviceConfigState,
} from './store.ts';
import { sameJson } from '../../../../shared/documents/same-json.ts';

/** Documents written at once when a group's config changes (as deployments do). */
/** Rewrites of one document when a concurrent config change overtook this one (see writeDesired). */
const MAX_WRITE_ATTEMPTS = 3;

const effectiveOf = (s: DeviceConfigState) => ({
  config: mergeConfigs(s.group.config, s.device.config),
  configVersion: s.group.version + s.device.version,
});

/**
 * Remote configuration (README "Remote configuration"). Configs and their versions live in
 * PostgreSQL; each device's effective config (its group's, overridden key by key by its own) goes
 * into its document's `desired.config` with `desired.configVersion` = group version + device
 * version, which grows with every change that reaches the device. Writes to one group's configs
 * are serialised on the group's row; a document missed by the fan-out is brought in line on the
 * device's next sync by `reconcile`, as deployments do for the model.
 */
export class ConfigService {
  constructor(
    private readonly db: Db,
    private readonly documents: DocumentsService,
  ) {}

  async getGroup(groupId: string): Promise<StoredConfig> {
    await this.requireGroup(this.db, groupId);
    return readConfig(this.db, 'group', groupId);
  }

  async getDevice(deviceId: string): Promise<DeviceConfigAnswer> {
    const s = await this.deviceState(this.db, deviceId);
    return { ...s.device, group: { ...s.group, groupId: s.groupId }, effective: effectiveOf(s) };
  }

  /**
   * Replaces a group's config. Each device with its own config is checked merged with the new one
   * (a combination may be invalid even when both halves are not), so nothing is stored unless every
   * device of the group could apply the result. A config equal to the stored one keeps its version.
   */
  async putGroup(groupId: string, config: DeviceConfig, actor: string): Promise<StoredConfig> {
    const { stored, changed } = await this.db.transaction(async (tx) => {
      await this.requireGroup(tx, groupId, true);
      const before = await readConfig(tx, 'group', groupId);
      if (sameJson(before.config, config) && before.version > 0) return { stored: before, changed: false };
      for (const o of await readOverrides(tx, groupId))
        checkMerged(mergeConfigs(config, o.config), `device ${o.deviceId}'s own config on top of this one`);
      return { stored: await writeConfig(tx, 'group', groupId, config, actor), changed: true };
    });
    if (changed) await this.fanOut(groupId);
    return stored;
  }

  /** Replaces one device's own config (checked merged with its group's). */
  async putDevice(deviceId: string, config: DeviceConfig, actor: string): Promise<DeviceConfigAnswer> {
    const changed = await this.db.transaction(async (tx) => {
      const s = await this.deviceState(tx, deviceId);
      // The group's row serialises this with the group's own changes (the sum must not be computed twice).
      await this.requireGroup(tx, s.groupId, true);
      const now = await this.deviceState(tx, deviceId);
      if (sameJson(now.device.config, config) && now.device.version > 0) return false;
      checkMerged(mergeConfigs(now.group.config, config), `this config on top of group ${now.groupId}'s`);
      await writeConfig(tx, 'device', deviceId, config, actor);
      return true;
    });
    if (changed) await this.writeDesired(deviceId);
    return this.getDevice(deviceId);
  }

  /** Called before each device sync: one query when the document is in line, a write when it lags. */
  async reconcile(deviceId: string): Promise<void> {
    const s = await readDeviceState(this.db, deviceId);
    if (!s) return;
    const { configVersion } = effectiveOf(s);
    if (configVersion > 0 && s.written !== configVersion) await this.writeDesired(deviceId);
  }

  /**
   * Writes the device's effective config into its document. The document returned by the write
   * holds every change committed before it, so if a concurrent config change overtook this one
   * (its version is no longer the current sum) the write is repeated with what is current; the
   * version is recorded only once the document was seen to carry it.
   */
  private async writeDesired(deviceId: string): Promise<void> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const s = await readDeviceState(this.db, deviceId);
      if (!s) return;
      const { config, configVersion } = effectiveOf(s);
      const doc = await this.documents.change<DeviceDoc>(deviceDocId(deviceId), (d) =>
        d.desired.configVersion === configVersion && sameJson(d.desired.config, config)
          ? d
          : setDesired(d, {
              config,
              configVersion,
              syncIntervalSec: config.syncIntervalSec ?? DEFAULT_SYNC_INTERVAL_SEC,
            }),
      );
      const after = await readDeviceState(this.db, deviceId);
      if (after && doc.desired.configVersion === effectiveOf(after).configVersion) {
        await recordWritten(this.db, deviceId, configVersion);
        return;
      }
    }
  }

  /** Brings every device of the group in line. */
  private fanOut(groupId: string): Promise<void> {
    return forEachGroupDevice(this.db, groupId, (deviceId) => this.writeDesired(deviceId));
  }

  private async requireGroup(q: Queryable, groupId: string, lock = false): Promise<void> {
    const { rowCount } = await q.query(`SELECT 1 FROM device_groups WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [
      groupId,
    ]);
    if (!rowCount) throw new NotFound(`no device group ${groupId}`);
  }

  private async deviceState(q: Queryable, deviceId: string): Promise<DeviceConfigState> {
    const s = await readDeviceState(q, deviceId);
    if (!s) throw new NotFound(`no device ${deviceId}`);
    return s;
  }
}

/** A merged config must itself be valid: a 400 naming the key and whose configs clash. */
function checkMerged(config: DeviceConfig, what: string): void {
  const r = DeviceConfigSchema.safeParse(config);
  if (!r.success)
    throw new Invalid(`${what} is not a valid config: ${z.prettifyError(r.error)}`, {
      code: 'validation_failed',
      details: r.error.issues,
    });
}
