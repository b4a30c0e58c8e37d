import { z } from 'zod';
import {
  DeviceDetailSchema,
  DeviceGroupSchema,
  DeviceSchema,
  modelKey,
  type DeviceDetail,
  type DeviceGroup,
} from '../../../../shared/protocol/index.ts';
import { api } from '../../api.ts';
import { storageShare, type DeviceHealth } from '../../../../shared/documents/health.ts';

/** The server's online window (sync-server/src/services/fleet: ONLINE_WINDOW_MINUTES). */
export const ONLINE_WINDOW_MS = 10 * 60_000;

/** Details fetched at once, so a large fleet does not open hundreds of requests together. */
const PARALLEL = 8;

export interface DeviceRow {
  id: string;
  name: string;
  group: string;
  groupId: string;
  status: 'online' | 'offline' | 'revoked';
  lastSeenAt: string | null;
  model: string;
  drift: string;
  openEvents: number;
  /** What the device reports as queued (its `counters.queuedRecords`), null when it has not said. */
  queued: number | null;
  detail: DeviceDetail | undefined;
  /** Its latest stored health (from GET /devices), and the numbers the table sorts by. */
  health: DeviceHealth | null;
  storage: number | null;
  battery: number | null;
  rtt: number | null;
  heap: number | null;
}

export const listGroups = (signal?: AbortSignal): Promise<DeviceGroup[]> =>
  api.v1('/device-groups', z.array(DeviceGroupSchema), {}, signal);

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/** Devices with their document's state: what they run, their drift state, their queue. */
export async function loadFleet(signal?: AbortSignal): Promise<{ rows: DeviceRow[]; groups: DeviceGroup[] }> {
  const [devices, groups] = await Promise.all([
    api.v1('/devices', z.array(DeviceSchema), {}, signal),
    listGroups(signal),
  ]);
  const names = new Map(groups.map((g) => [g.id, g.name]));
  const details = await mapLimited(devices, PARALLEL, (d) =>
    d.revokedAt ? Promise.resolve(undefined) : api.v1(`/devices/${d.id}/detail`, DeviceDetailSchema, {}, signal),
  );
  const now = Date.now();
  const rows = devices.map((d, i): DeviceRow => {
    const detail = details[i];
    const reported = detail?.reported;
    const open = detail?.unacknowledgedEvents ?? 0;
    // Records with an alarm / a warning on the running version, as the device reports them.
    const alarms = reported?.metrics?.driftAlarms ?? 0;
    const warnings = reported?.metrics?.driftWarnings ?? 0;
    return {
      id: d.id,
      name: d.name,
      group: names.get(d.groupId) ?? d.groupId,
      groupId: d.groupId,
      status: d.revokedAt
        ? 'revoked'
        : d.lastSeenAt && now - Date.parse(d.lastSeenAt) <= ONLINE_WINDOW_MS
          ? 'online'
          : 'offline',
      lastSeenAt: d.lastSeenAt,
      model: reported?.model ? modelKey(reported.model) : '—',
      drift: !detail
        ? '—'
        : open > 0
          ? `${open} open event${open === 1 ? '' : 's'}`
          : alarms > 0
            ? `${alarms} alarm records, all acknowledged`
            : warnings > 0
              ? `no alarm, ${warnings} warning records`
              : 'no drift',
      openEvents: open,
      queued: typeof reported?.counters?.queuedRecords === 'number' ? reported.counters.queuedRecords : null,
      detail,
      health: d.health?.health ?? null,
      storage: storageShare(d.health?.health),
      battery: d.health?.health.batteryLevel ?? null,
      rtt: d.health?.health.rttMs ?? null,
      heap: d.health?.health.heapUsedBytes ?? null,
    };
  });
  return { rows, groups };
}
