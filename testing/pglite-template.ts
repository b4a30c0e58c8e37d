import { cp, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { migrate, openDb } from '../sync-server/src/store/db/index.ts';

/**
 * A migrated, empty PGlite database made once per test run: every test server on PGlite then starts
 * from a copy (~0.7 s) instead of running initdb and every migration itself (~4 s of CPU each, and
 * the integration suite starts some forty of them). It holds no token and no model, so a server
 * started on it still behaves as on its first start.
 */
export const TEMPLATE_ENV = 'TEST_PGLITE_TEMPLATE';

export async function makePgliteTemplate(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tinysphere-pglite-template-'));
  const db = await openDb({ databaseUrl: undefined, dataDir: dir, poolSize: 1 });
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Gives a fresh DATA_DIR the template's database, when a template was made and the folder has none. */
export async function seedPglite(dataDir: string): Promise<void> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) return;
  const target = path.join(dataDir, 'pglite');
  if (await stat(target).catch(() => undefined)) return;
  await cp(path.join(template, 'pglite'), target, { recursive: true });
}
