import type { Queryable } from '../../store/db/index.ts';

/** Document writes at once when the server brings a whole group in line (a deployment, a config change). */
const FAN_OUT_CONCURRENCY = 4;

/**
 * Calls `write` for every device of the group that is not revoked, at most FAN_OUT_CONCURRENCY at a
 * time: each write is a document transaction, and a large group must not take the whole pool.
 */
export async function forEachGroupDevice(
  db: Queryable,
  groupId: string,
  write: (deviceId: string) => Promise<void>,
): Promise<void> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM devices WHERE group_id = $1 AND revoked_at IS NULL ORDER BY id',
    [groupId],
  );
  let next = 0;
  const worker = async () => {
    while (next < rows.length) await write(rows[next++]!.id);
  };
  await Promise.all(Array.from({ length: Math.min(FAN_OUT_CONCURRENCY, rows.length) }, worker));
}
