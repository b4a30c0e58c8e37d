import { runMlflowTests } from './mlflow.ts';
import { startServerProcess, tempDataDir } from '../../../testing/server-process.ts';

runMlflowTests('PGlite and a blob folder', async () => {
  const data = await tempDataDir();
  const adminToken = 'mlflow-it-admin-token-0123456789';
  const server = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: adminToken });
  return { server, adminToken, blobs: 'fs', teardown: data.remove };
});
