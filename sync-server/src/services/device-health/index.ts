import type { Logger } from 'pino';
import {
  DeviceHealthSchema,
  parseDocId,
  type DeviceDoc,
  type DeviceHealth,
} from '../../../../shared/documents/index.ts';
import {
  ATTENTION,
  type Attention,
  type Device,
  type HealthPoint,
  type HealthQuery,
  type HealthSeries,
} from '../../../../shared/protocol/index.ts';
import type { Db } from '../../store/db/index.ts';
import { attention } from './attention.ts';

/** Rows deleted per pruning statement, so one prune never holds a long transaction. */
const PRUNE_BATCH = 10_000;
const DAY_MS = 86_400_000;

export interface DeviceHealthOptions {
  retentionDays: number;
  intervalSec: number;
}

interface PointRow {
  device_id: string;
  ts: Date;
  health: unknown;
}

/** Stored rows passed DeviceHealthSchema when they were written. */
const toPoint = (r: PointRow): HealthPoint => ({ ts: r.ts.toISOString(), health: r.health as DeviceHealth });

/**
 * Device health over time (migration 011): what devices report in `reported.health`, kept as a
 * series of at most one row per device per interval, pruned after the retention; the latest per
 * device for the device answers; and the devices that need attention.
 */
export class DeviceHealthService {
  /** When this instance last pruned (epoch ms); pruning is idempotent, so instances need not agree. */
  private prunedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    readonly options: DeviceHealthOptions,
  ) {}

  /** A documents.onReceive listener: a device document's reported health goes into the series. */
  async observeDocument(docId: string, doc: unknown): Promise<void> {
    const { kind, id } = parseDocId(docId);
    const raw = kind === 'device' ? (doc as DeviceDoc).reported?.health : undefined;
    if (raw === undefined) return;
    // A device writes its own document: what it wrote is checked here, and a bad health is only
    // left out of the series (the exchange that carried it has been stored and must still answer).
    const parsed = DeviceHealthSchema.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn(
        { deviceId: id, issues: parsed.error.issues.slice(0, 3) },
        'device health not stored: it does not match DeviceHealthSchema',
      );
      return;
    }
    if (await this.record(id, parsed.data)) await this.pruneNow();
  }

  /**
   * Stores a health unless it equals the device's latest row: a new row for a new interval, else
   * the interval's row takes the newer health. One statement, so racing instances cannot add two
   * rows for one interval. True when it added a row.
   */
  async record(deviceId: string, health: unknown): Promise<boolean> {
    const { rows } = await this.db.query<{ inserted: boolean }>(
      `WITH latest AS (SELECT health FROM device_health WHERE device_id = $1 ORDER BY bucket DESC LIMIT 1)
       INSERT INTO device_health (device_id, bucket, ts, health)
       SELECT d.id, to_timestamp(floor(extract(epoch FROM now())::float8 / $3::float8) * $3::float8), now(), $2::jsonb
       FROM devices d WHERE d.id = $1 AND NOT EXISTS (SELECT 1 FROM latest WHERE latest.health = $2::jsonb)
       ON CONFLICT (device_id, bucket) DO UPDATE SET ts = excluded.ts, health = excluded.health
       RETURNING (xmax = 0) AS inserted`,
      [deviceId, JSON.stringify(health), this.options.intervalSec],
    );
    return rows[0]?.inserted === true;
  }

  /** Deletes rows older than the retention, at most once per interval per instance, in bounded batches. */
  private async pruneNow(): Promise<void> {
    const now = Date.now();
    if (now - this.prunedAt < this.options.intervalSec * 1000) return;
    this.prunedAt = now;
    await this.prune(new Date(now - this.options.retentionDays * DAY_MS));
  }

  /** Rows whose interval started before `before`; returns how many went. */
  async prune(before: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const { rows } = await this.db.query<{ n: string }>(
        `WITH gone AS (
           DELETE FROM device_health WHERE (device_id, bucket) IN (SELECT device_id, bucket FROM device_health WHERE bucket < $1 LIMIT $2)
           RETURNING 1)
         SELECT count(*) AS n FROM gone`,
        [before, PRUNE_BATCH],
      );
      const n = Number(rows[0]?.n ?? 0);
      total += n;
      if (n < PRUNE_BATCH) return total;
    }
  }

  /** The device's series in [from, to): the newest `limit` points, oldest first. The caller checked the device exists. */
  async series(deviceId: string, q: HealthQuery): Promise<HealthSeries> {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - DAY_MS);
    // The key (device_id, bucket) finds the rows; a row's ts lies within its interval.
    const { rows } = await this.db.query<PointRow>(
      `SELECT device_id, ts, health FROM device_health
       WHERE device_id = $1 AND bucket > $2::timestamptz - make_interval(secs => $5) AND bucket < $3 AND ts >= $2 AND ts < $3
       ORDER BY bucket DESC LIMIT $4`,
      [deviceId, from, to, q.limit + 1, this.options.intervalSec],
    );
    const truncated = rows.length > q.limit;
    return {
      deviceId,
      from: from.toISOString(),
      to: to.toISOString(),
      points: rows.slice(0, q.limit).reverse().map(toPoint),
      truncated,
    };
  }

  /** The latest stored health of each device, by id (devices without one are absent). */
  async latest(deviceIds: readonly string[]): Promise<Map<string, HealthPoint>> {
    if (deviceIds.length === 0) return new Map();
    const { rows } = await this.db.query<PointRow>(
      `SELECT h.device_id, h.ts, h.health FROM unnest($1::uuid[]) AS d(id)
       CROSS JOIN LATERAL (SELECT device_id, ts, health FROM device_health WHERE device_id = d.id ORDER BY bucket DESC LIMIT 1) h`,
      [deviceIds],
    );
    return new Map(rows.map((r) => [r.device_id, toPoint(r)]));
  }

  /** Devices as the API answers them, each with its latest health (null before the first). */
  async withLatest<D extends Device | Device[]>(devices: D): Promise<D> {
    const list: Device[] = Array.isArray(devices) ? devices : [devices as Device];
    const latest = await this.latest(list.map((d) => d.id));
    const out = list.map((d) => ({ ...d, health: latest.get(d.id) ?? null }));
    return (Array.isArray(devices) ? out : out[0]) as D;
  }

  /** Non-revoked devices over the storage share, low on battery and not charging, or not seen lately. */
  attention(limit: number): Promise<Attention> {
    return attention(this.db, ATTENTION, limit);
  }
}
