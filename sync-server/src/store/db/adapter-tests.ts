import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { backendSuite } from '../../../../testing/suite.ts';
import { migrate, type Migration } from './migrate.ts';
import type { Db } from './types.ts';

export interface DbSetup {
  db: Db;
  teardown(): Promise<void>;
}

/**
 * The contract every Db driver meets; each driver's test file calls this with its own setup.
 * `setup` returns undefined when the backend is unavailable and the suite should be skipped.
 */
export function runDbAdapterTests(name: string, setup: () => Promise<DbSetup | undefined>): void {
  describe(`Db adapter: ${name}`, () => {
    const suite = backendSuite(name, setup, (ctx) => ctx.teardown());
    let db: Db;
    const test = (title: string, fn: () => Promise<void>) =>
      suite.test(title, async (ctx) => {
        db = ctx.db;
        await fn();
      });

    test('returns the types the pg driver defines: int8 as string, bytea as Buffer, jsonb parsed, timestamptz as Date', async () => {
      const { rows } = await db.query(
        `SELECT 9007199254740993::int8 AS big, 42::int4 AS small, '\\x00ff10'::bytea AS bytes,
                '{"a":[1,2,{"b":null}]}'::jsonb AS doc, now() AS at, gen_random_uuid() AS id,
                ARRAY[1,2,3]::int4[] AS arr, true AS flag, NULL::text AS nothing, 1.5::float8 AS f`,
      );
      const r = rows[0]!;
      assert.equal(r.big, '9007199254740993');
      assert.equal(r.small, 42);
      assert.ok(Buffer.isBuffer(r.bytes));
      assert.deepEqual([...(r.bytes as Buffer)], [0, 255, 16]);
      assert.deepEqual(r.doc, { a: [1, 2, { b: null }] });
      assert.ok(r.at instanceof Date);
      assert.match(String(r.id), /^[0-9a-f-]{36}$/);
      assert.deepEqual(r.arr, [1, 2, 3]);
      assert.equal(r.flag, true);
      assert.equal(r.nothing, null);
      assert.equal(r.f, 1.5);
    });

    test('binds parameters of every common type and round-trips a 1 MiB bytea', async () => {
      await db.query('CREATE TABLE t_params (id bigserial PRIMARY KEY, b bytea, j jsonb, tags text[])');
      const blob = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < blob.length; i++) blob[i] = (i * 31) & 255;
      const { rows } = await db.query<{ id: string }>(
        'INSERT INTO t_params (b, j, tags) VALUES ($1, $2, $3) RETURNING id',
        [blob, JSON.stringify({ x: 'ü' }), ['a', 'b']],
      );
      const back = await db.query<{ b: Buffer; j: unknown; tags: string[] }>(
        'SELECT b, j, tags FROM t_params WHERE id = $1',
        [rows[0]!.id],
      );
      assert.ok(back.rows[0]!.b.equals(blob));
      assert.deepEqual(back.rows[0]!.j, { x: 'ü' });
      assert.deepEqual(back.rows[0]!.tags, ['a', 'b']);
    });

    test('reports SQL errors with their SQLSTATE code and stays usable', async () => {
      await db.query('CREATE TABLE t_unique (k text PRIMARY KEY)');
      await db.query(`INSERT INTO t_unique VALUES ('a')`);
      await assert.rejects(
        db.query(`INSERT INTO t_unique VALUES ('a')`),
        (err: { code?: string }) => err.code === '23505',
      );
      await assert.rejects(db.query('SELEC 1'), (err: { code?: string }) => err.code === '42601');
      assert.equal((await db.query('SELECT 1 AS one')).rows[0]!.one, 1);
    });

    test('ON CONFLICT … RETURNING reports whether the row was new', async () => {
      await db.query('CREATE TABLE t_upsert (k text PRIMARY KEY, n int NOT NULL)');
      const first = await db.query(`INSERT INTO t_upsert VALUES ('k', 1) ON CONFLICT (k) DO NOTHING RETURNING k`);
      const second = await db.query(`INSERT INTO t_upsert VALUES ('k', 2) ON CONFLICT (k) DO NOTHING RETURNING k`);
      assert.equal(first.rowCount, 1);
      assert.equal(second.rowCount, 0);
    });

    test('a transaction commits when its function resolves and rolls back when it throws', async () => {
      await db.query('CREATE TABLE t_tx (n int)');
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO t_tx VALUES (1)');
      });
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t_tx VALUES (2)');
          throw new Error('boom');
        }),
        /boom/,
      );
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO t_tx VALUES (3)');
          await tx.query('INSERT INTO t_tx VALUES (NULL::text::int + ' + "'x')");
        }),
      );
      const { rows } = await db.query<{ n: number }>('SELECT n FROM t_tx ORDER BY n');
      assert.deepEqual(
        rows.map((r) => r.n),
        [1],
      );
    });

    test('concurrent transactions each see their own writes and none is lost', async () => {
      await db.query('CREATE TABLE t_counter (id int PRIMARY KEY, n int NOT NULL)');
      await db.query('INSERT INTO t_counter VALUES (1, 0)');
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction(async (tx) => {
            const { rows } = await tx.query<{ n: number }>('SELECT n FROM t_counter WHERE id = 1 FOR UPDATE');
            await tx.query('UPDATE t_counter SET n = $1 WHERE id = 1', [rows[0]!.n + 1]);
          }),
        ),
      );
      assert.equal((await db.query('SELECT n FROM t_counter')).rows[0]!.n, 20);
    });

    test('concurrent queries and transactions each get their own results', async () => {
      await db.query('CREATE TABLE t_mix (k int PRIMARY KEY)');
      let wrong = 0;
      await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          const q =
            i % 3 === 0
              ? (sql: string, p: unknown[]) => db.transaction((tx) => tx.query<{ v: number }>(sql, p))
              : (sql: string, p: unknown[]) => db.query<{ v: number }>(sql, p);
          if (i % 3 === 0) await db.transaction((tx) => tx.query('INSERT INTO t_mix VALUES ($1)', [i]));
          const { rows } = await q('SELECT $1::int AS v', [i]);
          if (rows[0]?.v !== i) wrong += 1;
        }),
      );
      assert.equal(wrong, 0);
      assert.equal((await db.query('SELECT count(*)::int AS n FROM t_mix')).rows[0]!.n, 20);
    });

    test('migrate applies each migration once, in order, even when started twice at the same time', async () => {
      const migrations: Migration[] = [
        { version: 1, name: 'one', sql: 'CREATE TABLE t_m1 (n int)' },
        { version: 2, name: 'two', sql: 'ALTER TABLE t_m1 ADD COLUMN s text' },
      ];
      await db.query('DROP TABLE IF EXISTS schema_migrations');
      const [a, b] = await Promise.all([migrate(db, migrations), migrate(db, migrations)]);
      assert.deepEqual([...a!, ...b!].sort(), [1, 2]);
      assert.deepEqual(
        await migrate(db, [...migrations, { version: 3, name: 'three', sql: 'CREATE TABLE t_m3 (n int)' }]),
        [3],
      );
      const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(
        rows.map((r) => r.version),
        [1, 2, 3],
      );
      await assert.rejects(
        migrate(db, [
          ...migrations,
          { version: 3, name: 'three', sql: '' },
          { version: 4, name: 'bad', sql: 'NOT SQL' },
        ]),
      );
      assert.equal(
        (await db.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]!.n,
        3,
        'a failed migration leaves nothing behind',
      );
    });
  });
}
