import path from 'node:path';
import { openPglite } from './pglite.ts';
import { openPostgres } from './pg.ts';
import type { Db } from './types.ts';

export type { Db, Queryable, QueryResult, Row } from './types.ts';
export { migrate, loadMigrations } from './migrate.ts';

/** PostgreSQL when a URL is given, otherwise PGlite under `<dataDir>/pglite`. */
export function openDb(opts: { databaseUrl: string | undefined; dataDir: string; poolSize: number }): Promise<Db> {
  return opts.databaseUrl
    ? openPostgres(opts.databaseUrl, opts.poolSize)
    : openPglite(path.join(opts.dataDir, 'pglite'), opts.poolSize);
}
