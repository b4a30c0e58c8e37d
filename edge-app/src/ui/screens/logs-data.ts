import { type InferenceRecord, type LogSegment, segmentRecords, type TinyLCM } from '../../lcm/index.ts';

export interface LogCounts {
  /** Records in IndexedDB. */
  stored: number;
  bytes: number;
  /** Kept in memory, written within a second. */
  buffered: number;
  /** Stored, in no upload batch yet. */
  unsent: number;
  /** In a batch sent to the server, not acknowledged yet (resent as is on the next sync). */
  awaitingAck: number;
  pendingBatches: number;
  /** Acknowledged by the server: kept until retention removes them. */
  acknowledged: number;
}

/** Where the logger's records stand on their way to the server (after writing what is buffered). */
export async function logCounts(lcm: TinyLCM): Promise<LogCounts> {
  await lcm.logs.flush();
  const [stats, pending] = await Promise.all([lcm.logs.stats(), lcm.logs.pendingBatches()]);
  let awaitingAck = 0;
  for (const id of pending) for (const s of await lcm.logs.store.batch(id)) awaitingAck += s.count;
  return {
    stored: stats.count,
    bytes: stats.bytes,
    buffered: stats.buffered,
    unsent: stats.unsent,
    awaitingAck,
    pendingBatches: pending.length,
    acknowledged: Math.max(0, stats.count - stats.unsent - awaitingAck),
  };
}

/**
 * The newest `limit` records, newest first: read backwards by segment (the logger's storage unit,
 * see logger/segment.ts), after writing what is buffered, so the last inference is included.
 */
export async function recentRecords(lcm: TinyLCM, limit = 50): Promise<InferenceRecord[]> {
  await lcm.logs.flush();
  const segments: LogSegment[] = [];
  let n = 0;
  const tx = lcm.db.transaction('inference-logs', 'readonly');
  for (let c = await tx.store.openCursor(null, 'prev'); c && n < limit; c = await c.continue()) {
    segments.push(c.value);
    n += c.value.count;
  }
  await tx.done;
  const out: InferenceRecord[] = [];
  for (const s of segments) out.push(...segmentRecords(s).reverse());
  return out.slice(0, limit);
}

/** What a record's sync state is, in words. */
export function recordState(r: InferenceRecord): 'acknowledged' | 'sent' | 'queued' {
  return r.acked ? 'acknowledged' : r.batchId ? 'sent' : 'queued';
}
