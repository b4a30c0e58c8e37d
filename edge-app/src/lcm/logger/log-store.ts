import { unwrap, type IDBPTransaction } from 'idb';
import type { LcmDb, LcmSchema } from '../storage/db.ts';
import type { LogSegment } from './segment.ts';
import { decodeSegments, encodeSegments } from './spill-codec.ts';

/**
 * Retention limits; each optional. Only acknowledged records are ever deleted, a whole segment
 * (one flush) at a time, so limits hold to within one segment.
 */
export interface RetentionPolicy {
  maxRecords?: number;
  /** Approximate bytes of all stored records (LogSegment.bytes). */
  maxBytes?: number;
  maxAgeMs?: number;
}

export interface LogTotals {
  /** Records stored. */
  count: number;
  segments: number;
  /** Approximate bytes stored. */
  bytes: number;
  /** Records in no batch yet. */
  unsent: number;
  /** Batches set aside (refused for good) and their records; absent until the first. */
  setAsideBatches?: number;
  setAsideRecords?: number;
}

const EMPTY: LogTotals = { count: 0, segments: 0, bytes: 0, unsent: 0 };

const STORE = 'inference-logs';
const TOTALS_KEY = 'inference-logs:totals';
const DELETE_CHUNK = 200; // segments deleted per transaction: keeps each one short

const SPILL_PREFIX = 'inference-logs:spill:';
const SET_ASIDE_PREFIX = 'inference-logs:set-aside:';

/** A batch the server refused for good: its segments stay in the log (exported, never resent or deleted). */
export interface SetAsideBatch {
  batchId: string;
  /** The server's answer: HTTP status and message. */
  status: number;
  message: string;
  /** Epoch ms it was set aside. */
  at: number;
  records: number;
}
let spills = 0;

const noop = (): void => {};

/** Adds segments and updates the totals in `tx`; resolves with the new totals. */
async function addSegments(
  tx: IDBPTransaction<LcmSchema, [typeof STORE, 'kv'], 'readwrite'>,
  segments: readonly LogSegment[],
  quiet: (p: Promise<unknown>) => void,
): Promise<LogTotals> {
  // The raw store: no promise per request (a failing add aborts the transaction; inTx reports it).
  const raw = unwrap(tx.objectStore(STORE)) as IDBObjectStore;
  let bytes = 0;
  let count = 0;
  for (const s of segments) {
    raw.add(s);
    bytes += s.bytes;
    count += s.count;
  }
  const kv = tx.objectStore('kv');
  const t = ((await kv.get(TOTALS_KEY)) as LogTotals | undefined) ?? EMPTY;
  const next = {
    count: t.count + count,
    segments: t.segments + segments.length,
    bytes: t.bytes + bytes,
    unsent: t.unsent + count,
  };
  quiet(kv.put(next, TOTALS_KEY));
  return next;
}

/**
 * Runs `work` in `tx` and settles with the transaction: requests whose promises nobody awaits
 * (fire-and-forget puts) are silenced, because a failure of any of them aborts the transaction
 * and surfaces once, through tx.done. If `work` throws, the transaction is aborted.
 */
async function inTx<T>(
  tx: { done: Promise<void>; abort(): void },
  work: (quiet: (p: Promise<unknown>) => void) => Promise<T>,
): Promise<T> {
  const done = tx.done;
  done.catch(noop);
  let result: T;
  try {
    result = await work((p) => void p.catch(noop));
  } catch (err) {
    try {
      tx.abort();
    } catch {
      // already finished or aborted
    }
    throw err;
  }
  await done;
  return result;
}

/**
 * The logger's IndexedDB access, by segment. Totals live in `kv` and are updated in the same
 * transaction as every write and delete, so they stay exact across reloads without a scan.
 */
export class LogStore {
  /** Where spill() writes first: localStorage in a browser; none in Node. */
  readonly spillStorage: Storage | undefined;

  constructor(
    readonly db: LcmDb,
    spillStorage: Storage | null | undefined = globalThis.localStorage,
  ) {
    this.spillStorage = spillStorage ?? undefined;
  }

  /** Appends segments in one transaction; resolves with the new totals once it committed. */
  async append(segments: readonly LogSegment[]): Promise<LogTotals> {
    const tx = this.db.transaction([STORE, 'kv'], 'readwrite');
    return inTx(tx, (quiet) => addSegments(tx, segments, quiet));
  }

  /**
   * For a page that is going away: keeps the segments where an unloading page can still write them.
   * IndexedDB cannot be relied on there (append() needs a round trip to read the totals, and
   * Chromium may abort even a committed-at-once transaction as the document goes), so they go to
   * localStorage, which is synchronous; without it (Node) or beyond its quota, to one IndexedDB
   * transaction that reads nothing. recoverSpilled() moves them into the log.
   */
  spill(segments: readonly LogSegment[], onError: (err: unknown) => void): void {
    if (segments.length === 0) return;
    const key = `${SPILL_PREFIX}${String(Date.now()).padStart(15, '0')}:${String(++spills).padStart(6, '0')}`;
    const local = this.spillStorage;
    if (local) {
      try {
        local.setItem(key, encodeSegments(segments));
        return;
      } catch {
        // Over the quota: IndexedDB is the next best.
      }
    }
    const tx = this.db.transaction('kv', 'readwrite');
    tx.done.catch(onError);
    (unwrap(tx.objectStore('kv')) as IDBObjectStore).put(segments, key);
    tx.commit();
  }

  /** Moves spilled segments into the log, oldest first, each spill with its totals in one transaction; resolves with the records moved. */
  async recoverSpilled(): Promise<number> {
    const local = this.spillStorage;
    const localKeys = local
      ? Array.from({ length: local.length }, (_, i) => local.key(i)).filter(
          (k): k is string => k?.startsWith(SPILL_PREFIX) ?? false,
        )
      : [];
    const idbKeys = (await this.db.getAllKeys(
      'kv',
      IDBKeyRange.bound(SPILL_PREFIX, `${SPILL_PREFIX}\uffff`),
    )) as string[];
    let records = 0;
    for (const key of [...localKeys, ...idbKeys].sort()) {
      // A localStorage spill is taken before its transaction (another tab must not add it too) and put back if that fails.
      const text = localKeys.includes(key) ? local!.getItem(key) : null;
      if (text !== null) local!.removeItem(key);
      const tx = this.db.transaction([STORE, 'kv'], 'readwrite');
      try {
        records += await inTx(tx, async (quiet) => {
          const kv = tx.objectStore('kv');
          const segments = text !== null ? decodeSegments(text) : ((await kv.get(key)) as LogSegment[] | undefined);
          if (!segments) return 0;
          if (text === null) quiet(kv.delete(key));
          await addSegments(tx, segments, quiet);
          return segments.reduce((n, seg) => n + seg.count, 0);
        });
      } catch (err) {
        if (text !== null) local!.setItem(key, text);
        throw err;
      }
    }
    return records;
  }

  async totals(): Promise<LogTotals> {
    return ((await this.db.get('kv', TOTALS_KEY)) as LogTotals | undefined) ?? { ...EMPTY };
  }

  /** Whole segments in no batch yet, oldest first, until they hold at least `minRecords` records. */
  async unsent(minRecords: number): Promise<LogSegment[]> {
    const out: LogSegment[] = [];
    let n = 0;
    const tx = this.db.transaction(STORE, 'readonly');
    return inTx(tx, async () => {
      for (let c = await tx.store.index('unsent').openCursor(1); c && n < minRecords; c = await c.continue()) {
        out.push(c.value);
        n += c.value.count;
      }
      return out;
    });
  }

  batch(batchId: string): Promise<LogSegment[]> {
    return this.db.getAllFromIndex(STORE, 'by-batch', batchId);
  }

  /** Batches sent but not acknowledged, oldest first: they must be resent under the same id. */
  async pendingBatches(): Promise<string[]> {
    const oldest = new Map<string, number>();
    const tx = this.db.transaction(STORE, 'readonly');
    return inTx(tx, async () => {
      for (let c = await tx.store.index('by-batch').openCursor(); c; c = await c.continue()) {
        const { batchId, acked, key, setAside } = c.value;
        if (acked || setAside || batchId === undefined) continue;
        oldest.set(batchId, Math.min(oldest.get(batchId) ?? Infinity, key ?? Infinity));
      }
      return [...oldest].sort((a, b) => a[1] - b[1]).map(([id]) => id);
    });
  }

  /** Puts segments (by key) into a batch; acknowledged or missing ones are skipped. */
  async markSent(keys: readonly number[], batchId: string): Promise<number> {
    const tx = this.db.transaction([STORE, 'kv'], 'readwrite');
    return inTx(tx, async (quiet) => {
      const store = tx.objectStore(STORE);
      const kv = tx.objectStore('kv');
      const [t, ...found] = await Promise.all([
        kv.get(TOTALS_KEY) as Promise<LogTotals | undefined>,
        ...keys.map((k) => store.get(k)),
      ]);
      let n = 0;
      let leftUnsent = 0;
      for (const r of found) {
        if (!r || r.acked) continue;
        if (r.unsent) leftUnsent += r.count;
        delete r.unsent;
        r.batchId = batchId;
        quiet(store.put(r));
        n += 1;
      }
      if (leftUnsent > 0)
        quiet(kv.put({ ...(t ?? EMPTY), unsent: Math.max(0, (t?.unsent ?? 0) - leftUnsent) }, TOTALS_KEY));
      return n;
    });
  }

  /**
   * Sets a refused batch aside, in one transaction: its segments are marked (pendingBatches skips
   * them; retention, which deletes only acknowledged ones, keeps them) and the refusal is recorded.
   * Idempotent; resolves with the records set aside.
   */
  async setAside(batchId: string, refusal: Pick<SetAsideBatch, 'status' | 'message' | 'at'>): Promise<number> {
    const tx = this.db.transaction([STORE, 'kv'], 'readwrite');
    return inTx(tx, async (quiet) => {
      let records = 0;
      for (let c = await tx.objectStore(STORE).index('by-batch').openCursor(batchId); c; c = await c.continue()) {
        const r = c.value;
        if (r.acked || r.setAside) continue;
        records += r.count;
        r.setAside = 1;
        quiet(c.update(r));
      }
      if (records === 0) return 0;
      const kv = tx.objectStore('kv');
      quiet(kv.put({ batchId, ...refusal, records } satisfies SetAsideBatch, SET_ASIDE_PREFIX + batchId));
      // In the totals, so stats() counts them without another transaction.
      const t = ((await kv.get(TOTALS_KEY)) as LogTotals | undefined) ?? EMPTY;
      quiet(
        kv.put(
          { ...t, setAsideBatches: (t.setAsideBatches ?? 0) + 1, setAsideRecords: (t.setAsideRecords ?? 0) + records },
          TOTALS_KEY,
        ),
      );
      return records;
    });
  }

  /** The batches set aside, oldest first. */
  async setAsideBatches(): Promise<SetAsideBatch[]> {
    const all = (await this.db.getAll(
      'kv',
      IDBKeyRange.bound(SET_ASIDE_PREFIX, `${SET_ASIDE_PREFIX}\uffff`),
    )) as SetAsideBatch[];
    return all.sort((a, b) => a.at - b.at);
  }

  /** Marks a batch acknowledged; idempotent. */
  async acknowledge(batchId: string): Promise<number> {
    const tx = this.db.transaction(STORE, 'readwrite');
    return inTx(tx, async (quiet) => {
      let n = 0;
      for (let c = await tx.store.index('by-batch').openCursor(batchId); c; c = await c.continue()) {
        const r = c.value;
        if (r.acked) continue;
        r.acked = true;
        r.ackedKey = c.primaryKey;
        quiet(c.update(r));
        n += 1;
      }
      return n;
    });
  }

  /**
   * Deletes acknowledged segments, oldest first, while a limit is exceeded or their newest record
   * is older than maxAgeMs. Unacknowledged ones are never touched (they are not even in the index
   * walked). Age is checked in insertion order, so the walk stops at the first acknowledged
   * segment young enough — close to, not exactly, time order.
   */
  /** Resolves with the number of records deleted. */
  async enforce(policy: RetentionPolicy, now: number): Promise<number> {
    let total = 0;
    for (;;) {
      const tx = this.db.transaction([STORE, 'kv'], 'readwrite');
      const cutoff = policy.maxAgeMs !== undefined ? now - policy.maxAgeMs : -Infinity;
      const { removed, more } = await inTx(tx, async (quiet) => {
        const kv = tx.objectStore('kv');
        const t = { ...(((await kv.get(TOTALS_KEY)) as LogTotals | undefined) ?? EMPTY) };
        let n = 0;
        let removed = 0;
        let more = false;
        for (let c = await tx.objectStore(STORE).index('acked').openCursor(); c; c = await c.continue()) {
          const over = t.count > (policy.maxRecords ?? Infinity) || t.bytes > (policy.maxBytes ?? Infinity);
          if (!over && c.value.lastTs >= cutoff) break;
          if (n === DELETE_CHUNK) {
            more = true;
            break;
          }
          t.count = Math.max(0, t.count - c.value.count);
          t.segments = Math.max(0, t.segments - 1);
          t.bytes = Math.max(0, t.bytes - c.value.bytes);
          quiet(c.delete());
          n += 1;
          removed += c.value.count;
        }
        if (n > 0) quiet(kv.put(t, TOTALS_KEY));
        return { removed, more };
      });
      total += removed;
      if (!more) return total;
    }
  }

  /** Up to `limit` segments with key > afterKey, in key order (each page its own transaction). */
  page(afterKey: number, limit: number): Promise<LogSegment[]> {
    return this.db.getAll(STORE, IDBKeyRange.lowerBound(afterKey, true), limit);
  }
}
