import { pgliteServer, tempDataDir } from '../../../testing/server-process.ts';
import { openDb } from '../../src/store/db/index.ts';
import { HEALTH_ENV, runDeviceHealthTests } from './device-health.ts';

runDeviceHealthTests(
  'PGlite',
  () => pgliteServer(HEALTH_ENV),
  async () => {
    const data = await tempDataDir();
    const db = await openDb({ databaseUrl: undefined, dataDir: data.dir, poolSize: 2 });
    return { db, teardown: async () => (await db.close(), await data.remove()) };
  },
);
