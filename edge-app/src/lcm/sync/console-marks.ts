import {
  driftEventStatus,
  type DeviceDoc,
  type DriftEvent,
  type DriftEventStatus,
} from '../../../../shared/documents/index.ts';
import type { LcmDb } from '../storage/db.ts';

/**
 * What the device does with people's verdicts on its drift events (written by the console or the
 * API into its document): an acknowledged event shows as such; a false alarm resets the detector
 * that raised it — once per event, remembered across restarts in a MarkStore.
 */

/** Ids of false alarms already acted on, per document. */
export interface MarkStore {
  load(docId: string): Promise<string[]>;
  save(docId: string, ids: string[]): Promise<void>;
}

/** In the PWA: the `kv` store, one key per document. */
export class IdbMarkStore implements MarkStore {
  constructor(private readonly db: LcmDb) {}

  async load(docId: string): Promise<string[]> {
    const v = await this.db.get('kv', `false-alarms-handled:${docId}`);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  async save(docId: string, ids: string[]): Promise<void> {
    await this.db.put('kv', [...ids], `false-alarms-handled:${docId}`);
  }
}

export class MemoryMarkStore implements MarkStore {
  private readonly ids = new Map<string, string[]>();
  async load(docId: string): Promise<string[]> {
    return [...(this.ids.get(docId) ?? [])];
  }
  async save(docId: string, ids: string[]): Promise<void> {
    this.ids.set(docId, [...ids]);
  }
}

/** The drift channel that raised an event (DeviceDrift's keys), or null for an event of no known channel. */
export function channelOf(e: Pick<DriftEvent, 'kind' | 'feature' | 'detector'>): string | null {
  if (e.kind === 'feature') return e.feature ? `feature:${e.feature}` : null;
  if (e.kind === 'confidence' || e.kind === 'prediction' || e.kind === 'knn') return e.kind;
  if (e.detector === 'knn-distance') return 'knn';
  if (e.detector === 'prediction-distribution') return 'prediction';
  return null;
}

/**
 * `desired.config.falseAlarmThresholdFactor` when it is a number > 1 (at most 100), else 1 (reset
 * only). Read defensively: the field is another part's, and a device may run before it exists.
 */
export function thresholdFactor(desired: unknown): number {
  const f = (desired as { config?: { falseAlarmThresholdFactor?: unknown } } | undefined)?.config
    ?.falseAlarmThresholdFactor;
  return typeof f === 'number' && Number.isFinite(f) && f > 1 ? Math.min(f, 100) : 1;
}

/** Each event's status as the document says, by id (the PWA's event list shows it). */
export function eventStatuses(doc: Pick<DeviceDoc, 'events'>): Map<string, DriftEventStatus> {
  return new Map((doc.events ?? []).map((e) => [e.id, driftEventStatus(e)]));
}

/**
 * False alarms not yet acted on, one per channel (a burst of alarms from one episode raises the
 * threshold once, not once per alarm), and every id that is settled by acting on them.
 */
export function pendingFalseAlarms(
  doc: Pick<DeviceDoc, 'events'>,
  handled: ReadonlySet<string>,
): { channels: string[]; ids: string[] } {
  const channels = new Set<string>();
  const ids: string[] = [];
  for (const e of doc.events ?? []) {
    if (!e.falseAlarm || handled.has(e.id)) continue;
    ids.push(e.id);
    const ch = channelOf(e);
    if (ch) channels.add(ch);
  }
  return { channels: [...channels], ids };
}
