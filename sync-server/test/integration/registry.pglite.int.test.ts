import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { startServerProcess, tempDataDir } from '../../../testing/server-process.ts';
import { runMlflowRegistryTests } from './mlflow-registry.ts';
import { runReferenceTests } from './registry-reference.ts';
import { runRegistryTests } from './registry.ts';

const setup = async () => {
  const data = await tempDataDir();
  const maxUploadBytes = 2_000_000;
  const adminToken = 'registry-admin-token-0123456789';
  const server = await startServerProcess({
    DATA_DIR: data.dir,
    ADMIN_TOKEN: adminToken,
    MAX_UPLOAD_BYTES: String(maxUploadBytes),
    DEMO: '0',
  });
  const root = path.join(data.dir, 'blobs');
  return {
    server,
    adminToken,
    maxUploadBytes,
    dataDir: data.dir,
    async blobKeys() {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile())
        .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
        .filter((k) => !k.startsWith('.'))
        .sort();
    },
    teardown: data.remove,
  };
};

runRegistryTests('PGlite and a blob folder', setup);
runMlflowRegistryTests('PGlite and a blob folder', setup);
runReferenceTests('PGlite and a blob folder', setup);
