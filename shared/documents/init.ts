import * as A from '@automerge/automerge';
import { DEFAULT_SYNC_INTERVAL_SEC, parseDocId, type DeviceDoc, type GroupDoc } from './schema.ts';

/**
 * Every replica creates a document's skeleton itself (device, server and console may each be first).
 * Were the skeletons ordinary changes, their concurrent `desired`/`reported`/`events` objects would
 * conflict and one side's later edits inside the losing object would vanish. So the first change is
 * deterministic — fixed actor, time 0 — and therefore byte-identical with the same hash everywhere;
 * each replica then continues under its own random actor.
 */
const GENESIS_ACTOR = '00'.repeat(16);

function genesis<T>(fill: (d: T) => void, actor?: string): A.Doc<T> {
  const first = A.change(A.init<T>({ actor: GENESIS_ACTOR }), { time: 0 }, fill);
  return A.clone(first, actor ? { actor } : undefined);
}

export function initDeviceDoc(deviceId: string, actor?: string): A.Doc<DeviceDoc> {
  return genesis<DeviceDoc>((d) => {
    d.deviceId = deviceId;
    d.desired = { syncIntervalSec: DEFAULT_SYNC_INTERVAL_SEC };
    d.reported = {};
    d.events = [];
    d.eventSummary = { count: 0, byKind: {} };
  }, actor);
}

export function initGroupDoc(groupId: string, actor?: string): A.Doc<GroupDoc> {
  return genesis<GroupDoc>((d) => {
    d.groupId = groupId;
    d.settings = {};
  }, actor);
}

/** The skeleton for a document id, whichever kind it names. */
export function initDoc(docId: string, actor?: string): A.Doc<unknown> {
  const { kind, id } = parseDocId(docId);
  return kind === 'device' ? initDeviceDoc(id, actor) : initGroupDoc(id, actor);
}
