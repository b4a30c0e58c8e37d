import type { Logger } from 'pino';
import {
  acknowledgeEvent,
  deviceDocId,
  labelEvent,
  markFalseAlarm,
  parseDocId,
  type DeviceDoc,
} from '../../../../shared/documents/index.ts';
import {
  DRIFT_EVENTS_DEFAULT_PAGE,
  type DriftEventPage,
  type DriftEventQuery,
  type DriftEventRecord,
} from '../../../../shared/protocol/index.ts';
import { Conflict, Invalid, NotFound } from '../errors.ts';
import type { Db } from '../../store/db/index.ts';
import type { DocumentsService } from '../documents/index.ts';
import { findEvent, listEvents, toRecord, upsertEvents } from './rows.ts';
import type { DriftWebhook } from './webhook.ts';

/**
 * Events one sync may bring into the table. A device keeps at most a few hundred visible events
 * (compactEvents); a document holding more than this is not one our devices write, and only its
 * newest are taken, so a sync's work stays bounded.
 */
export const MAX_EVENTS_PER_SYNC = 500;

export type EventAction = { kind: 'acknowledge' } | { kind: 'false-alarm' } | { kind: 'label'; label: string };

/**
 * Drift events as a first-class API. The device document is where events are born and where
 * people's verdicts travel back to the device; drift_events (migration 012) is the fleet-wide,
 * queryable copy, filled after each sync and by the actions here, and the webhook's source.
 */
export class DriftEventsService {
  constructor(
    private readonly db: Db,
    private readonly documents: DocumentsService,
    private readonly logger: Logger,
    readonly webhook: DriftWebhook | undefined,
  ) {}

  /** DocumentsService's receive listener: upserts a device document's events (bounded). */
  async observeDocument(docId: string, doc: unknown): Promise<void> {
    const { kind, id } = parseDocId(docId);
    if (kind !== 'device') return;
    const d = doc as Partial<DeviceDoc>;
    if (!Array.isArray(d.events) || d.events.length === 0) return;
    await this.store(id, d.events.slice(-MAX_EVENTS_PER_SYNC), d.reported?.model);
  }

  private async store(
    deviceId: string,
    events: DeviceDoc['events'],
    model: DeviceDoc['reported']['model'],
  ): Promise<DriftEventRecord[]> {
    const fresh = await this.db.transaction(async (tx) => {
      const added = await upsertEvents(tx, deviceId, events, model);
      // Queued in the same transaction: an event is in the table if and only if it is queued.
      if (added.length && this.webhook) await this.webhook.enqueue(tx, added);
      return added;
    });
    if (fresh.length) this.webhook?.kick();
    return fresh;
  }

  async list(query: DriftEventQuery): Promise<DriftEventPage> {
    return listEvents(this.db, query, query.pageSize ?? DRIFT_EVENTS_DEFAULT_PAGE);
  }

  /**
   * Writes a person's verdict into the device document (a server-side edit; the device sees it
   * with its next sync) and into the table. 404 for an event neither knows, 409 for one the device
   * has compacted out of its document (its verdict could no longer reach the device).
   */
  async act(deviceId: string, eventId: string, action: EventAction, by: string): Promise<DriftEventRecord> {
    const device = await this.db.query('SELECT 1 FROM devices WHERE id = $1', [deviceId]);
    if (!device.rowCount) throw new NotFound(`no device ${deviceId}`);
    let present = true;
    let badTs: string | undefined;
    const doc = await this.documents.change<DeviceDoc>(deviceDocId(deviceId), (d) => {
      const e = (d.events ?? []).find((x) => x.id === eventId);
      if (!e) {
        present = false;
        return d;
      }
      // An event the table cannot hold (a device wrote a time that is not one) is refused before any edit.
      if (Number.isNaN(Date.parse(e.ts))) {
        badTs = String(e.ts);
        return d;
      }
      if (action.kind === 'acknowledge') return e.acknowledged ? d : acknowledgeEvent(d, eventId, by);
      if (action.kind === 'false-alarm') return e.falseAlarm ? d : markFalseAlarm(d, eventId, by);
      return labelEvent(d, eventId, action.label);
    });
    if (badTs !== undefined)
      throw new Invalid(
        `event ${eventId} of device ${deviceId} has no valid time (ts ${JSON.stringify(badTs)}); it cannot be changed`,
      );
    if (!present) {
      const known = await findEvent(this.db, deviceId, eventId);
      if (known)
        throw new Conflict(
          `event ${eventId} of device ${deviceId} was compacted out of the device's document; it can no longer be changed`,
        );
      throw new NotFound(`no drift event ${eventId} on device ${deviceId}`);
    }
    const event = doc.events.find((e) => e.id === eventId)!;
    await this.store(deviceId, [event], doc.reported?.model);
    const row = await findEvent(this.db, deviceId, eventId);
    if (!row) throw new Error(`drift event ${eventId} of device ${deviceId} was not stored`);
    this.logger.info({ deviceId, eventId, action: action.kind, by }, 'drift event updated');
    return toRecord(row);
  }
}
