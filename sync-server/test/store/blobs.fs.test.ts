import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsBlobStore } from '../../src/store/blobs/fs.ts';
import { runBlobStoreAdapterTests } from '../../src/store/blobs/adapter-tests.ts';

runBlobStoreAdapterTests('folder', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'blobs-'));
  const store = await FsBlobStore.open(dir);
  return { store, teardown: () => rm(dir, { recursive: true, force: true }) };
});
