/** A row as the `pg` driver returns it: int8 and numeric as strings, bytea as Buffer, jsonb parsed. */
export type Row = Record<string, unknown>;

export interface QueryResult<R extends object = Row> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

/**
 * The database seam. Both drivers speak PostgreSQL's wire protocol through `pg`, so SQL, types and
 * errors are identical; only where the server lives differs.
 */
export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs fn in one transaction on one connection; commits when fn resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
