import { openPostgres } from '../../src/store/db/pg.ts';
import { runDbAdapterTests } from '../../src/store/db/adapter-tests.ts';
import { createTestDatabase } from '../../../testing/postgres.ts';

runDbAdapterTests('PostgreSQL server', async () => {
  const database = await createTestDatabase();
  if (!database) return undefined;
  const db = await openPostgres(database.url, 10);
  return {
    db,
    async teardown() {
      await db.close();
      await database.drop();
    },
  };
});
