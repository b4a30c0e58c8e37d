import pg from 'pg';
import type { Db, Queryable, QueryResult, Row } from './types.ts';

/** A Db over a pg pool; used directly for PostgreSQL and, through pglite-socket, for PGlite. */
export class PgDb implements Db {
  readonly #pool: pg.Pool;
  readonly #onClose: () => Promise<void>;

  constructor(
    readonly kind: Db['kind'],
    options: pg.PoolConfig,
    onClose: () => Promise<void> = async () => {},
  ) {
    this.#pool = new pg.Pool(options);
    // An idle client losing its server must not crash the process; the next query reports it.
    this.#pool.on('error', () => {});
    this.#onClose = onClose;
  }

  async query<R extends object = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    const result = await this.#pool.query(sql, params as unknown[]);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    const tx: Queryable = {
      async query<R extends object = Row>(sql: string, params: readonly unknown[] = []) {
        const result = await client.query(sql, params as unknown[]);
        return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
      },
    };
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const value = await fn(tx);
      await client.query('COMMIT');
      return value;
    } catch (err) {
      // A connection whose rollback fails may still be inside the transaction: discard it.
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
    await this.#onClose();
  }
}

/** Connects to a PostgreSQL server; throws with the driver's reason when it cannot be reached. */
export async function openPostgres(url: string, poolSize = 10): Promise<PgDb> {
  const db = new PgDb('postgres', { connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  try {
    await db.query('SELECT 1');
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}
