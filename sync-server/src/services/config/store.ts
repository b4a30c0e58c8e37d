import type { DeviceConfig, StoredConfig } from '../../../../shared/protocol/index.ts';
import type { Queryable } from '../../store/db/index.ts';

/** SQL over group_configs / device_configs / device_states.desired_config_version (migration 010). */

export type Scope = 'group' | 'device';
const TABLE = {
  group: { table: 'group_configs', key: 'group_id' },
  device: { table: 'device_configs', key: 'device_id' },
} as const;

interface ConfigRow {
  config: DeviceConfig;
  version: number;
  updated_by: string | null;
  updated_at: Date;
}

export const EMPTY: StoredConfig = { config: {}, version: 0, updatedBy: null, updatedAt: null };

export async function readConfig(q: Queryable, scope: Scope, id: string): Promise<StoredConfig> {
  const t = TABLE[scope];
  const { rows } = await q.query<ConfigRow>(
    `SELECT config, version, updated_by, updated_at FROM ${t.table} WHERE ${t.key} = $1`,
    [id],
  );
  const r = rows[0];
  return r
    ? { config: r.config, version: r.version, updatedBy: r.updated_by, updatedAt: r.updated_at.toISOString() }
    : EMPTY;
}

/** Stores a changed config with the version one higher than before. */
export async function writeConfig(
  q: Queryable,
  scope: Scope,
  id: string,
  config: DeviceConfig,
  actor: string,
): Promise<StoredConfig> {
  const t = TABLE[scope];
  const { rows } = await q.query<ConfigRow>(
    `INSERT INTO ${t.table} (${t.key}, config, version, updated_by) VALUES ($1, $2, 1, $3)
     ON CONFLICT (${t.key}) DO UPDATE SET config = $2, version = ${t.table}.version + 1, updated_by = $3, updated_at = now()
     RETURNING config, version, updated_by, updated_at`,
    [id, JSON.stringify(config), actor],
  );
  const r = rows[0]!;
  return { config: r.config, version: r.version, updatedBy: r.updated_by, updatedAt: r.updated_at.toISOString() };
}

export interface DeviceConfigState {
  groupId: string;
  group: StoredConfig;
  device: StoredConfig;
  /** The configVersion last confirmed in the device's document; null before the first write. */
  written: number | null;
}

/** A device's group, both configs and what its document was last seen to carry: one query. */
export async function readDeviceState(q: Queryable, deviceId: string): Promise<DeviceConfigState | undefined> {
  const { rows } = await q.query<{
    group_id: string;
    g_config: DeviceConfig | null;
    g_version: number | null;
    g_by: string | null;
    g_at: Date | null;
    d_config: DeviceConfig | null;
    d_version: number | null;
    d_by: string | null;
    d_at: Date | null;
    written: number | null;
  }>(
    `SELECT d.group_id, g.config AS g_config, g.version AS g_version, g.updated_by AS g_by, g.updated_at AS g_at,
            c.config AS d_config, c.version AS d_version, c.updated_by AS d_by, c.updated_at AS d_at, s.desired_config_version AS written
     FROM devices d LEFT JOIN group_configs g ON g.group_id = d.group_id LEFT JOIN device_configs c ON c.device_id = d.id
     LEFT JOIN device_states s ON s.device_id = d.id WHERE d.id = $1`,
    [deviceId],
  );
  const r = rows[0];
  if (!r) return undefined;
  const stored = (
    config: DeviceConfig | null,
    version: number | null,
    by: string | null,
    at: Date | null,
  ): StoredConfig =>
    config === null ? EMPTY : { config, version: version ?? 0, updatedBy: by, updatedAt: at ? at.toISOString() : null };
  return {
    groupId: r.group_id,
    group: stored(r.g_config, r.g_version, r.g_by, r.g_at),
    device: stored(r.d_config, r.d_version, r.d_by, r.d_at),
    written: r.written,
  };
}

export async function recordWritten(q: Queryable, deviceId: string, version: number): Promise<void> {
  await q.query(
    `INSERT INTO device_states (device_id, desired_config_version) VALUES ($1, $2)
     ON CONFLICT (device_id) DO UPDATE SET desired_config_version = $2, updated_at = now()`,
    [deviceId, version],
  );
}

/** Devices of a group that have their own config, with it (a group change is checked against each). */
export async function readOverrides(
  q: Queryable,
  groupId: string,
): Promise<{ deviceId: string; config: DeviceConfig }[]> {
  const { rows } = await q.query<{ device_id: string; config: DeviceConfig }>(
    `SELECT c.device_id, c.config FROM device_configs c JOIN devices d ON d.id = c.device_id
     WHERE d.group_id = $1 AND d.revoked_at IS NULL ORDER BY c.device_id`,
    [groupId],
  );
  return rows.map((r) => ({ deviceId: r.device_id, config: r.config }));
}
