import { driftEventStatus, type DeviceDoc, type DriftEvent } from '../../../../shared/documents/index.ts';
import type { DriftEventQuery, DriftEventRecord } from '../../../../shared/protocol/index.ts';
import { Invalid } from '../errors.ts';
import type { Queryable } from '../../store/db/index.ts';

/** SQL over drift_events (migration 012) and the mapping of its rows to the API's shape. */

export interface DriftEventRow {
  device_id: string;
  event_id: string;
  ts: Date;
  kind: string;
  feature: string | null;
  detector: string | null;
  statistic: number;
  model_name: string | null;
  model_version: string | null;
  status: DriftEventRecord['status'];
  label: string | null;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  false_alarm_by: string | null;
  false_alarm_at: Date | null;
}

const COLUMNS =
  'device_id, event_id, ts, kind, feature, detector, statistic, model_name, model_version, status, label, acknowledged_by, acknowledged_at, false_alarm_by, false_alarm_at';

export const toRecord = (r: DriftEventRow): DriftEventRecord => ({
  id: r.event_id,
  deviceId: r.device_id,
  ts: r.ts.toISOString(),
  kind: r.kind,
  feature: r.feature,
  detector: r.detector,
  statistic: r.statistic,
  status: r.status,
  ...(r.label !== null ? { label: r.label } : {}),
  ...(r.model_name !== null ? { model: `${r.model_name}@${r.model_version}` } : {}),
  ...(r.acknowledged_by !== null && r.acknowledged_at
    ? { acknowledged: { by: r.acknowledged_by, at: r.acknowledged_at.toISOString() } }
    : {}),
  ...(r.false_alarm_by !== null && r.false_alarm_at
    ? { falseAlarm: { by: r.false_alarm_by, at: r.false_alarm_at.toISOString() } }
    : {}),
});

/** A time from a document, or null when it is not one (a device's free-text field). */
function time(s: string | undefined): Date | null {
  if (typeof s !== 'string') return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : undefined);

/**
 * Upserts the given events of one device in one statement. The model is kept from the sync that
 * first brought an event; the rest follows the document. Rows that would not change are not
 * rewritten. Returns the events that were new (for the webhook).
 */
export async function upsertEvents(
  q: Queryable,
  deviceId: string,
  events: readonly DriftEvent[],
  model: DeviceDoc['reported']['model'],
): Promise<DriftEventRecord[]> {
  const byId = new Map<string, { e: DriftEvent; ts: Date; ack: Date | null; fa: Date | null }>();
  for (const raw of events) {
    const ts = time(raw.ts);
    // An event with a time that is not one cannot be ordered or filtered: it stays in the document only.
    if (
      !ts ||
      typeof raw.id !== 'string' ||
      !raw.id ||
      typeof raw.kind !== 'string' ||
      typeof raw.statistic !== 'number' ||
      !Number.isFinite(raw.statistic)
    )
      continue;
    // A device's document is not validated field by field: lengths are cut to the schema's here.
    const e: DriftEvent = {
      ...raw,
      id: raw.id.slice(0, 100),
      kind: raw.kind.slice(0, 100),
      detector: str(raw.detector, 100),
      feature: str(raw.feature, 200),
      label: str(raw.label, 200),
    };
    byId.set(e.id, { e, ts, ack: time(e.acknowledged?.at), fa: time(e.falseAlarm?.at) });
  }
  const rows = [...byId.values()];
  if (rows.length === 0) return [];
  const { rows: inserted } = await q.query<DriftEventRow & { inserted: boolean }>(
    `INSERT INTO drift_events AS d (device_id, event_id, ts, kind, feature, detector, statistic, model_name, model_version, status, label,
       acknowledged_by, acknowledged_at, false_alarm_by, false_alarm_at)
     SELECT $1, t.id, t.ts, t.kind, t.feature, t.detector, t.statistic, $8::text, $9::text, t.status, t.label, t.ab, t.aa, t.fb, t.fa
     FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::float8[], $10::text[], $11::text[],
       $12::text[], $13::timestamptz[], $14::text[], $15::timestamptz[]) AS t(id, ts, kind, feature, detector, statistic, status, label, ab, aa, fb, fa)
     ON CONFLICT (device_id, event_id) DO UPDATE SET status = EXCLUDED.status, label = EXCLUDED.label,
       acknowledged_by = EXCLUDED.acknowledged_by, acknowledged_at = EXCLUDED.acknowledged_at,
       false_alarm_by = EXCLUDED.false_alarm_by, false_alarm_at = EXCLUDED.false_alarm_at
     WHERE (d.status, d.label, d.acknowledged_by, d.acknowledged_at, d.false_alarm_by, d.false_alarm_at)
       IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.label, EXCLUDED.acknowledged_by, EXCLUDED.acknowledged_at, EXCLUDED.false_alarm_by, EXCLUDED.false_alarm_at)
     RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
    [
      deviceId,
      rows.map((r) => r.e.id),
      rows.map((r) => r.ts),
      rows.map((r) => r.e.kind),
      rows.map((r) => r.e.feature ?? null),
      rows.map((r) => r.e.detector ?? null),
      rows.map((r) => r.e.statistic),
      model?.name ?? null,
      model?.version ?? null,
      rows.map((r) => driftEventStatus(r.e)),
      rows.map((r) => r.e.label ?? null),
      rows.map((r) => (r.ack ? r.e.acknowledged!.by : null)),
      rows.map((r) => r.ack),
      rows.map((r) => (r.fa ? r.e.falseAlarm!.by : null)),
      rows.map((r) => r.fa),
    ],
  );
  return inserted.filter((r) => r.inserted).map(toRecord);
}

export async function findEvent(q: Queryable, deviceId: string, eventId: string): Promise<DriftEventRow | undefined> {
  const { rows } = await q.query<DriftEventRow>(
    `SELECT ${COLUMNS} FROM drift_events WHERE device_id = $1 AND event_id = $2`,
    [deviceId, eventId],
  );
  return rows[0];
}

/** The page token: where the last page ended, opaque to clients. */
interface Cursor {
  ts: string;
  deviceId: string;
  eventId: string;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.ts, c.deviceId, c.eventId])).toString('base64url');

function decodeCursor(token: string): Cursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'string')) {
      const [ts, deviceId, eventId] = v as [string, string, string];
      if (time(ts) && /^[0-9a-f-]{36}$/.test(deviceId)) return { ts, deviceId, eventId };
    }
  } catch {
    /* answered below */
  }
  throw new Invalid('pageToken is not one this server gave out; pass nextPageToken from the previous page unchanged');
}

/** One page, newest first, by keyset: (ts, device, event) strictly after the token's. */
export async function listEvents(
  q: Queryable,
  query: DriftEventQuery,
  pageSize: number,
): Promise<{ events: DriftEventRecord[]; nextPageToken: string | null }> {
  if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to))
    throw new Invalid('from must not be after to');
  const after = query.pageToken ? decodeCursor(query.pageToken) : null;
  const { rows } = await q.query<DriftEventRow>(
    `SELECT ${COLUMNS.split(', ')
      .map((c) => `e.${c}`)
      .join(', ')} FROM drift_events e
     WHERE ($1::text IS NULL OR (e.model_name = $1 AND e.model_version = $2))
       AND ($3::uuid IS NULL OR e.device_id IN (SELECT id FROM devices WHERE group_id = $3))
       AND ($4::uuid IS NULL OR e.device_id = $4)
       AND ($5::text IS NULL OR e.feature = $5)
       AND ($6::text IS NULL OR e.status = $6)
       AND ($7::timestamptz IS NULL OR e.ts >= $7)
       AND ($8::timestamptz IS NULL OR e.ts <= $8)
       AND ($9::timestamptz IS NULL OR (e.ts, e.device_id, e.event_id) < ($9, $10::uuid, $11::text))
     ORDER BY e.ts DESC, e.device_id DESC, e.event_id DESC
     LIMIT $12`,
    [
      query.model?.name ?? null,
      query.model?.version ?? null,
      query.groupId ?? null,
      query.deviceId ?? null,
      query.feature ?? null,
      query.status ?? null,
      query.from ?? null,
      query.to ?? null,
      after?.ts ?? null,
      after?.deviceId ?? null,
      after?.eventId ?? null,
      pageSize + 1,
    ],
  );
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  const nextPageToken =
    rows.length > pageSize && last
      ? encodeCursor({ ts: last.ts.toISOString(), deviceId: last.device_id, eventId: last.event_id })
      : null;
  return { events: page.map(toRecord), nextPageToken };
}
