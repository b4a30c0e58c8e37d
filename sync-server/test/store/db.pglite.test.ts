import { openPglite } from '../../src/store/db/pglite.ts';
import { runDbAdapterTests } from '../../src/store/db/adapter-tests.ts';

runDbAdapterTests('PGlite (in memory, through pglite-socket)', async () => {
  const db = await openPglite(undefined, 10);
  return { db, teardown: () => db.close() };
});
