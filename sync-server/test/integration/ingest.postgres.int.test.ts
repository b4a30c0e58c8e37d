import { createTestDatabase } from '../../../testing/postgres.ts';
import { startServerProcess, tempDataDir } from '../../../testing/server-process.ts';
import { runIngestTests } from './ingest.ts';

runIngestTests('PostgreSQL', async () => {
  const database = await createTestDatabase();
  if (!database) return undefined;
  const data = await tempDataDir();
  const adminToken = 'ingest-admin-token-0123456789';
  const server = await startServerProcess({ DATABASE_URL: database.url, ADMIN_TOKEN: adminToken, DATA_DIR: data.dir, DEMO: '0' });
  return {
    server,
    adminToken,
    async teardown() {
      await database.drop();
      await data.remove();
    },
  };
});
