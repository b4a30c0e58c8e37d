import type { Queryable } from '../../store/db/index.ts';

/** SQL of the document store; see migration 006 for why it is shaped this way. */

export interface SnapshotRow {
  bytes: Uint8Array;
  seq: string;
  changes: number;
}

/**
 * Serialises writers of one document (not readers, not other documents) for the transaction, so
 * seq is assigned in commit order per document. hashtext collisions only serialise two documents.
 */
export async function lockDoc(tx: Queryable, docId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(7346124, hashtext($1))', [docId]);
}

export async function readSnapshot(db: Queryable, docId: string): Promise<SnapshotRow | undefined> {
  const { rows } = await db.query<SnapshotRow>(
    'SELECT bytes, seq::text AS seq, changes FROM doc_snapshots WHERE doc_id = $1',
    [docId],
  );
  return rows[0];
}

export async function readChangesAfter(
  db: Queryable,
  docId: string,
  seq: string,
): Promise<{ change: Uint8Array; seq: string }[]> {
  const { rows } = await db.query<{ change: Uint8Array; seq: string }>(
    'SELECT change, seq::text AS seq FROM doc_changes WHERE doc_id = $1 AND seq > $2 ORDER BY seq',
    [docId, seq],
  );
  return rows;
}

/** Inserts changes; ones already stored are skipped. Returns how many were new and the highest seq they got. */
export async function insertChanges(
  tx: Queryable,
  docId: string,
  changes: readonly { hash: string; bytes: Uint8Array }[],
): Promise<{ count: number; maxSeq: string | null }> {
  if (changes.length === 0) return { count: 0, maxSeq: null };
  const { rows } = await tx.query<{ n: string; max: string | null }>(
    `WITH ins AS (
       INSERT INTO doc_changes (doc_id, hash, change)
       SELECT $1, h, c FROM unnest($2::text[], $3::bytea[]) AS t(h, c)
       ON CONFLICT (doc_id, hash) DO NOTHING
       RETURNING seq)
     SELECT count(*) AS n, max(seq)::text AS max FROM ins`,
    [docId, changes.map((c) => c.hash), changes.map((c) => Buffer.from(c.bytes))],
  );
  return { count: Number(rows[0]?.n ?? 0), maxSeq: rows[0]?.max ?? null };
}

export async function writeSnapshot(
  tx: Queryable,
  docId: string,
  s: { bytes: Uint8Array; heads: string[]; seq: string; changes: number },
): Promise<void> {
  await tx.query(
    `INSERT INTO doc_snapshots (doc_id, bytes, heads, seq, changes) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (doc_id) DO UPDATE SET bytes = $2, heads = $3, seq = $4, changes = $5, updated_at = now()
     WHERE doc_snapshots.seq < $4`,
    [docId, Buffer.from(s.bytes), s.heads, s.seq, s.changes],
  );
}
