import { createHash } from 'node:crypto';
import type { Queryable } from '../../store/db/index.ts';
import { Invalid } from '../errors.ts';

/** An `Idempotency-Key` with what identifies the request it was sent with. */
export interface IdempotentRequest {
  /** Whose key it is (the token id): keys of different callers never meet. */
  owner: string;
  key: string;
  method: string;
  path: string;
  body: unknown;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** JSON with object keys sorted, so the same request body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function requestHash(r: IdempotentRequest): Buffer {
  return createHash('sha256')
    .update(`${r.method} ${r.path}\n${canonical(r.body)}`)
    .digest();
}

/**
 * Runs fn at most once per (owner, key), inside the caller's transaction `tx`. The key row is
 * claimed first with INSERT … ON CONFLICT DO NOTHING: a duplicate racing the first request blocks
 * on that row until the first commits (then answers its stored response) or rolls back (then runs
 * fn itself). A failed write stores nothing, so retrying a failed request runs it again.
 */
export async function once<T>(tx: Queryable, request: IdempotentRequest, fn: () => Promise<T>): Promise<T> {
  if (!KEY.test(request.key)) throw new Invalid('Idempotency-Key must be 1 to 255 printable ASCII characters');
  const hash = requestHash(request);
  const claimed = await tx.query(
    `INSERT INTO mlflow_idempotency_keys (owner, key, request_hash) VALUES ($1, $2, $3) ON CONFLICT (owner, key) DO NOTHING RETURNING key`,
    [request.owner, request.key, hash],
  );
  if (claimed.rowCount === 0) {
    const { rows } = await tx.query<{ request_hash: Buffer; response: T }>(
      'SELECT request_hash, response FROM mlflow_idempotency_keys WHERE owner = $1 AND key = $2',
      [request.owner, request.key],
    );
    const row = rows[0];
    if (row && !row.request_hash.equals(hash)) {
      throw new Invalid(
        `Idempotency-Key '${request.key}' was already used with a different request; use a new key for a new request`,
      );
    }
    if (row) return row.response;
  }
  const response = await fn();
  await tx.query('UPDATE mlflow_idempotency_keys SET response = $3 WHERE owner = $1 AND key = $2', [
    request.owner,
    request.key,
    JSON.stringify(response),
  ]);
  return response;
}

/** How long a key is remembered: retries come within minutes; a day leaves room for long outages. */
export const KEY_RETENTION_HOURS = 24;

/** Forgets keys older than the retention. */
export async function pruneKeys(q: Queryable): Promise<number> {
  const { rowCount } = await q.query(
    `DELETE FROM mlflow_idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`,
    [KEY_RETENTION_HOURS],
  );
  return rowCount;
}
