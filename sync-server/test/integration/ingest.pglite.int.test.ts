import { startServerProcess, tempDataDir } from '../../../testing/server-process.ts';
import { runIngestTests } from './ingest.ts';

runIngestTests('PGlite', async () => {
  const data = await tempDataDir();
  const adminToken = 'ingest-admin-token-0123456789';
  const server = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: adminToken, DEMO: '0' });
  return { server, adminToken, teardown: data.remove };
});
