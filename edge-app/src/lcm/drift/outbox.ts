import type { NewDriftEvent } from '../../../../shared/documents/schema.ts';
import type { LcmDb } from '../storage/db.ts';
import type { DriftEvent } from '../types.ts';

/** Drift events waiting for the next sync; beyond this the oldest go (the document would compact them anyway). */
export const MAX_PENDING_EVENTS = 1000;

/** Keys in the `kv` store (no schema step needed): `drift-outbox:<ts, 15 digits>:<page>:<n>`, so key order is time order. */
const PREFIX = 'drift-outbox:';
const PAGE = Math.random().toString(36).slice(2, 10);
let counter = 0;

/** A device drift event as the device document keeps it (who raised what, when, how strongly). */
export function documentEvent(e: DriftEvent): NewDriftEvent {
  return {
    id: e.id.slice(0, 100),
    ts: new Date(e.ts).toISOString(),
    kind: e.kind,
    detector: e.detector.slice(0, 100),
    ...(e.feature === undefined ? {} : { feature: e.feature.slice(0, 200) }),
    statistic: Number.isFinite(e.statistic) ? e.statistic : 0,
  };
}

export interface PendingDriftEvent {
  key: string;
  event: NewDriftEvent;
}

/**
 * Drift events raised on this device and not yet in its document replica. Each is written to
 * IndexedDB as it is raised, and on pagehide (spill) what has not committed yet goes to
 * localStorage synchronously, as the logger does with records, so a reload or a closed browser
 * loses none; the next open (recover) takes them back. The sync engine appends them to the
 * document and removes them once the replica holding them is saved: a crash in between appends
 * them again, which the document ignores (appendEvent skips ids it holds).
 */
export class DriftOutbox {
  private readonly events = new Map<string, NewDriftEvent>();
  /** Keys whose IndexedDB write has not committed yet: what spill() saves. */
  private readonly unsaved = new Set<string>();
  private writes: Promise<unknown> = Promise.resolve();
  private readonly local: Storage | undefined;

  constructor(
    private readonly db: LcmDb,
    local: Storage | null | undefined = globalThis.localStorage,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.local = local ?? undefined;
  }

  /** Takes back what earlier pages left (written, or spilled on pagehide); call once, before add(). */
  async recover(): Promise<void> {
    const local = this.local;
    const spilled = local
      ? Array.from({ length: local.length }, (_, i) => local.key(i)).filter(
          (k): k is string => k?.startsWith(PREFIX) ?? false,
        )
      : [];
    if (spilled.length) {
      const tx = this.db.transaction('kv', 'readwrite');
      for (const key of spilled) {
        const text = local!.getItem(key);
        if (text !== null) void tx.store.put(JSON.parse(text) as NewDriftEvent, key);
      }
      await tx.done;
      for (const key of spilled) local!.removeItem(key);
    }
    const range = IDBKeyRange.bound(PREFIX, `${PREFIX}\uffff`);
    const [keys, values] = await Promise.all([this.db.getAllKeys('kv', range), this.db.getAll('kv', range)]);
    keys.forEach((key, i) => this.events.set(key, values[i] as NewDriftEvent));
  }

  add(e: DriftEvent): void {
    const event = documentEvent(e);
    const key = `${PREFIX}${String(Math.max(0, Math.trunc(e.ts))).padStart(15, '0')}:${PAGE}:${String(++counter).padStart(9, '0')}`;
    this.events.set(key, event);
    this.unsaved.add(key);
    this.track(this.db.put('kv', event, key).then(() => this.unsaved.delete(key)));
    if (this.events.size > MAX_PENDING_EVENTS)
      this.remove([...this.events.keys()].slice(0, this.events.size - MAX_PENDING_EVENTS)).catch(this.onError);
  }

  /** The events waiting, oldest first. */
  peek(): PendingDriftEvent[] {
    return [...this.events].map(([key, event]) => ({ key, event }));
  }

  get size(): number {
    return this.events.size;
  }

  /** Forgets events (they are in the document now). */
  async remove(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    for (const key of keys) {
      this.events.delete(key);
      this.unsaved.delete(key);
      this.local?.removeItem(key);
    }
    // Created after the puts of these keys, so it runs after them (IndexedDB orders overlapping readwrite transactions).
    const tx = this.db.transaction('kv', 'readwrite');
    for (const key of keys) void tx.store.delete(key);
    await this.track(tx.done);
  }

  /** For pagehide: events whose write may not commit before the page goes are kept in localStorage. */
  spill(): void {
    const local = this.local;
    if (!local) return;
    for (const key of this.unsaved) {
      const event = this.events.get(key);
      if (!event) continue;
      try {
        local.setItem(key, JSON.stringify(event));
      } catch (err) {
        // Over the quota: the IndexedDB write already under way is all there is.
        this.onError(err);
        return;
      }
    }
  }

  /** Resolves once every write issued so far has settled. */
  async flush(): Promise<void> {
    await this.writes;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    const quiet = p.catch((err: unknown) => this.onError(err));
    this.writes = Promise.all([this.writes, quiet]);
    return p;
  }
}
