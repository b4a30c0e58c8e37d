import { runHttpApiTests } from './http-api.ts';
import { startServerProcess, tempDataDir } from '../../../testing/server-process.ts';

runHttpApiTests('PGlite and a blob folder (the embedded defaults)', async () => {
  const data = await tempDataDir();
  const server = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: '' });
  if (!server.printedToken) throw new Error(`first start printed no admin token:\n${server.stdout()}`);
  return { server, adminToken: server.printedToken, expect: { db: 'pglite', blobs: 'fs' }, teardown: data.remove };
});
