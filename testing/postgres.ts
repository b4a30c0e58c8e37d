import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { requirement } from './require.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message || (err as { code?: string }).code || 'unknown error';
  } finally {
    await client.end().catch(() => {});
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database on the PostgreSQL server of TEST_DATABASE_URL, dropped afterwards, so
 * test runs never see each other's tables. Undefined (suite skipped) when the server is missing.
 */
export async function createTestDatabase(): Promise<TestDatabase | undefined> {
  const problem = await reachable(TEST_DATABASE_URL);
  if (
    !requirement(
      !problem,
      `PostgreSQL at ${TEST_DATABASE_URL} (${problem})`,
      'start it with `pg_ctlcluster 15 main start` or set TEST_DATABASE_URL',
    )
  ) {
    return undefined;
  }
  const name = `tinysphere_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
