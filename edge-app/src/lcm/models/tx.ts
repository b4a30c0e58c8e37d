import type { IDBPTransaction } from 'idb';
import type { LcmDb, LcmSchema } from '../storage/db.ts';

export type ModelStoreName = 'model-bytes' | 'model-versions' | 'model-active';
export const MODEL_STORES: ModelStoreName[] = ['model-bytes', 'model-versions', 'model-active'];

export type ModelTx<Mode extends IDBTransactionMode> = IDBPTransaction<LcmSchema, ModelStoreName[], Mode>;

/**
 * Runs `body` in one transaction over the model stores, and settles only once the transaction has.
 *
 * Promise contract:
 * - resolves with body's value after the transaction's 'complete' (so the data is committed);
 * - if body throws, the transaction is aborted (nothing it queued is written) and, once the abort
 *   has settled, the promise rejects with body's error;
 * - if body succeeds but the commit fails (e.g. QuotaExceededError, which Chromium raises at
 *   commit), it rejects with the transaction's error.
 * `tx.done` always has a handler, and body must await every request it queues (queue them one at a
 * time, or through Promise.all), so no rejection is ever left unhandled.
 *
 * Body may only await IndexedDB requests: awaiting anything else (crypto, a Blob read) lets the
 * transaction auto-commit under it.
 */
export async function inTransaction<T, Mode extends IDBTransactionMode>(
  db: LcmDb,
  mode: Mode,
  body: (tx: ModelTx<Mode>) => Promise<T>,
): Promise<T> {
  const tx = db.transaction(MODEL_STORES, mode);
  const done = tx.done;
  done.catch(() => {}); // observed below on every path; this only keeps it from counting as unhandled meanwhile
  let result: T;
  try {
    result = await body(tx);
  } catch (err) {
    try {
      tx.abort();
    } catch {
      // Already aborted (a failed request aborts it) or finished: nothing left to undo.
    }
    await done.catch(() => {});
    throw err;
  }
  await done;
  return result;
}
