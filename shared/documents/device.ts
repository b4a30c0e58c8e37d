import * as A from '@automerge/automerge';
import { assignKeys } from './assign.ts';
import {
  DesiredSchema,
  NewDriftEventSchema,
  ReportedSchema,
  type Desired,
  type DeviceDoc,
  type NewDriftEvent,
  type Reported,
} from './schema.ts';

/**
 * Who writes what. Each function is one Automerge change touching only its writer's part, field by
 * field, so concurrent edits by other writers merge instead of overwriting whole objects.
 */

/** Server: the desired state (model, detectors, sync interval, retention, sampling). */
export function setDesired(doc: A.Doc<DeviceDoc>, patch: Partial<Desired>): A.Doc<DeviceDoc> {
  DesiredSchema.partial().parse(patch);
  return A.change(doc, (d) => assignKeys(d.desired, patch));
}

/** Device: what it runs and how it fares; `updatedAt` is stamped here. */
export function report(doc: A.Doc<DeviceDoc>, patch: Partial<Reported>, now = new Date()): A.Doc<DeviceDoc> {
  const valid = ReportedSchema.partial().parse(patch);
  return A.change(doc, (d) => assignKeys(d.reported, { ...valid, updatedAt: now.toISOString() }));
}

/** Device: a drift event; an id already present is ignored (a retried append is harmless). */
export function appendEvent(doc: A.Doc<DeviceDoc>, event: NewDriftEvent): A.Doc<DeviceDoc> {
  const valid = NewDriftEventSchema.parse(event);
  if (doc.events.some((e) => e.id === valid.id)) return doc;
  return A.change(doc, (d) => {
    d.events.push(valid);
  });
}

function editEvent(
  doc: A.Doc<DeviceDoc>,
  id: string,
  edit: (e: DeviceDoc['events'][number]) => void,
): A.Doc<DeviceDoc> {
  const i = doc.events.findIndex((e) => e.id === id);
  if (i < 0) throw new Error(`no event ${id} in this document (it may have been compacted)`);
  return A.change(doc, (d) => edit(d.events[i]!));
}

/** Console: a person acknowledges an event. */
export function acknowledgeEvent(doc: A.Doc<DeviceDoc>, id: string, by: string, now = new Date()): A.Doc<DeviceDoc> {
  return editEvent(doc, id, (e) => {
    e.acknowledged = { by, at: now.toISOString() };
  });
}

/** Console: a person labels an event; the label flows back to the device with the next sync. */
export function labelEvent(doc: A.Doc<DeviceDoc>, id: string, label: string): A.Doc<DeviceDoc> {
  return editEvent(doc, id, (e) => {
    e.label = label;
  });
}

/** Console: a person judges the alarm false; the device resets that detector with its next sync. */
export function markFalseAlarm(doc: A.Doc<DeviceDoc>, id: string, by: string, now = new Date()): A.Doc<DeviceDoc> {
  return editEvent(doc, id, (e) => {
    e.falseAlarm = { by, at: now.toISOString() };
  });
}

/**
 * Device: keeps the newest `keep` events and folds the older ones into `eventSummary`, so the
 * document's visible state never grows without limit. Only the device compacts: were two replicas
 * to compact concurrently, both would count the same events into the summary.
 */
export function compactEvents(doc: A.Doc<DeviceDoc>, keep = 200): A.Doc<DeviceDoc> {
  const drop = doc.events.length - keep;
  if (drop <= 0) return doc;
  return A.change(doc, (d) => {
    for (const e of d.events.slice(0, drop)) {
      d.eventSummary.count += 1;
      d.eventSummary.byKind[e.kind] = (d.eventSummary.byKind[e.kind] ?? 0) + 1;
    }
    d.events.splice(0, drop);
  });
}
