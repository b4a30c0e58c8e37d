import { createTestDatabase } from '../../../testing/postgres.ts';
import { postgresServer } from '../../../testing/server-process.ts';
import { openDb } from '../../src/store/db/index.ts';
import { HEALTH_ENV, runDeviceHealthTests } from './device-health.ts';

runDeviceHealthTests(
  'PostgreSQL',
  () => postgresServer(HEALTH_ENV),
  async () => {
    const database = await createTestDatabase();
    if (!database) return undefined;
    const db = await openDb({ databaseUrl: database.url, dataDir: '', poolSize: 2 });
    return { db, teardown: async () => (await db.close(), await database.drop()) };
  },
);
