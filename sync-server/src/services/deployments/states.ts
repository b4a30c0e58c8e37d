import { MAX_MODEL_VERSION, type Reported } from '../../../../shared/documents/index.ts';
import type { Queryable } from '../../store/db/index.ts';

/** SQL over device_states (migration 007): what each device was told to run and what it runs. */

export interface DeviceState {
  deviceId: string;
  desiredSha256: string | null;
  reportedName: string | null;
  reportedVersion: number | null;
  reportedSha256: string | null;
}

/** Every non-revoked device of a group with its state (null columns before the first write/report). */
export async function readDeviceStates(q: Queryable, groupId: string): Promise<DeviceState[]> {
  const { rows } = await q.query<{
    id: string;
    desired_sha256: string | null;
    reported_name: string | null;
    reported_version: number | null;
    reported_sha256: string | null;
  }>(
    `SELECT d.id, s.desired_sha256, s.reported_name, s.reported_version, s.reported_sha256
     FROM devices d LEFT JOIN device_states s ON s.device_id = d.id
     WHERE d.group_id = $1 AND d.revoked_at IS NULL ORDER BY d.id`,
    [groupId],
  );
  return rows.map((r) => ({
    deviceId: r.id,
    desiredSha256: r.desired_sha256,
    reportedName: r.reported_name,
    reportedVersion: r.reported_version,
    reportedSha256: r.reported_sha256,
  }));
}

export async function upsertDesired(
  q: Queryable,
  deviceId: string,
  deploymentId: string,
  sha256: string | null,
): Promise<void> {
  await q.query(
    `INSERT INTO device_states (device_id, desired_deployment_id, desired_sha256) VALUES ($1, $2, $3)
     ON CONFLICT (device_id) DO UPDATE SET desired_deployment_id = $2, desired_sha256 = $3, updated_at = now()`,
    [deviceId, deploymentId, sha256],
  );
}

/** Stores the device's latest report; a report equal to the stored one writes nothing. */
export async function upsertReported(q: Queryable, deviceId: string, r: Reported): Promise<void> {
  // reported_version is an int4: a version past it (stored before documents were validated) is no registry version.
  const version = Number(r.model?.version);
  await q.query(
    `INSERT INTO device_states (device_id, reported_name, reported_version, reported_sha256, reported_status, reported_metrics) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (device_id) DO UPDATE SET reported_name = $2, reported_version = $3, reported_sha256 = $4, reported_status = $5, reported_metrics = $6, updated_at = now()
     WHERE (device_states.reported_name, device_states.reported_version, device_states.reported_sha256, device_states.reported_status, device_states.reported_metrics)
       IS DISTINCT FROM ($2, $3::int, $4, $5, $6::jsonb)`,
    [
      deviceId,
      r.model?.name ?? null,
      Number.isInteger(version) && version >= 0 && version <= MAX_MODEL_VERSION ? version : null,
      r.model?.sha256 ?? null,
      r.status ?? null,
      r.metrics ? JSON.stringify(r.metrics) : null,
    ],
  );
}
