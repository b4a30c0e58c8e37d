import * as A from '@automerge/automerge';
import { deviceDocId, driftEventStatus, type DeviceDoc } from '../../../../shared/documents/index.ts';
import { DETAIL_EVENTS, type DeviceBatches, type DeviceDetail } from '../../../../shared/protocol/index.ts';
import type { Queryable } from '../../store/db/index.ts';
import type { DevicesService } from '../devices/index.ts';
import type { DocumentsService } from '../documents/index.ts';

/** What the device's uploads amount to: stored batches and the newest of them, and the newest record. */
export async function deviceBatches(q: Queryable, deviceId: string): Promise<DeviceBatches> {
  // Both served by indexes on (device_id, received_at) and (device_id, ts).
  const { rows } = await q.query<{
    batches: string;
    records: string | null;
    bytes: string | null;
    last_batch_id: string | null;
    last_received_at: Date | null;
    last_record_at: Date | null;
  }>(
    `SELECT count(*) AS batches, sum(records) AS records, sum(size) AS bytes,
       (SELECT batch_id FROM log_batches WHERE device_id = $1 ORDER BY received_at DESC, batch_id DESC LIMIT 1) AS last_batch_id,
       max(received_at) AS last_received_at,
       (SELECT max(ts) FROM inference_records WHERE device_id = $1) AS last_record_at
     FROM log_batches WHERE device_id = $1`,
    [deviceId],
  );
  const r = rows[0]!;
  return {
    batches: Number(r.batches),
    records: Number(r.records ?? 0),
    bytes: Number(r.bytes ?? 0),
    lastBatchId: r.last_batch_id,
    lastReceivedAt: r.last_received_at?.toISOString() ?? null,
    lastRecordAt: r.last_record_at?.toISOString() ?? null,
  };
}

/** The device page in one call: the row (404 when unknown), the document's state, the uploads. */
export async function deviceDetail(
  s: { db: Queryable; devices: Pick<DevicesService, 'getDevice'>; documents: Pick<DocumentsService, 'load'> },
  deviceId: string,
): Promise<DeviceDetail> {
  const device = await s.devices.getDevice(deviceId);
  const doc = A.toJS((await s.documents.load(deviceDocId(deviceId))) as A.Doc<DeviceDoc>);
  // Newest first by time; among equal times, the later append first.
  const events = doc.events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.ts < b.e.ts ? 1 : a.e.ts > b.e.ts ? -1 : b.i - a.i))
    .map(({ e }) => e);
  return {
    device,
    desired: doc.desired,
    reported: doc.reported,
    events: events.slice(0, DETAIL_EVENTS),
    eventCount: events.length,
    // Open: neither acknowledged nor marked a false alarm.
    unacknowledgedEvents: events.filter((e) => driftEventStatus(e) === 'open').length,
    eventSummary: doc.eventSummary,
    uploads: await deviceBatches(s.db, deviceId),
  };
}
