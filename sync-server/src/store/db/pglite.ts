import { PGlite } from '@electric-sql/pglite';
import { mkdir } from 'node:fs/promises';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PgDb } from './pg.ts';

/**
 * Embedded PostgreSQL. PGlite is served on a loopback port and reached through the same `pg` pool
 * as a real server, so result types (int8 as string, bytea as Buffer) and errors match exactly.
 * `dataDir` undefined keeps the database in memory (tests).
 */
export async function openPglite(dataDir: string | undefined, poolSize = 10): Promise<PgDb> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir ? { dataDir } : {});
  const socket = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: poolSize + 2 });
  await socket.start();
  const [host, port] = socket.getServerConn().split(':');
  // One connection: PGlite is a single session, and pglite-socket queues each protocol message of
  // each connection on its own, so two connections' Parse/Bind/Execute (and a transaction started by
  // one of them) interleave, and a query can run with another's statement or inside another's
  // transaction. One connection makes pg's pool queue whole queries and transactions instead.
  const db = new PgDb(
    'pglite',
    { host, port: Number(port), user: 'postgres', database: 'postgres', max: 1 },
    async () => {
      await socket.stop();
      await pglite.close();
    },
  );
  await db.query('SELECT 1');
  return db;
}
