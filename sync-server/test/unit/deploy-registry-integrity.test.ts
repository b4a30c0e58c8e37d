import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { bigInitializerModel, sampleModel } from '../../../shared/onnx/test-fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../../../testing/postgres.ts';
import { startS3 } from '../../../testing/s3.ts';
import { toErrorResponse } from '../../src/http/errors.ts';
import { DomainError } from '../../src/services/errors.ts';
import { DeploymentsService } from '../../src/services/deployments/index.ts';
import { DevicesService } from '../../src/services/devices/index.ts';
import type { DocumentsService } from '../../src/services/documents/index.ts';
import { artifactKey, RegistryService } from '../../src/services/registry/registry.ts';
import { stage } from '../../src/services/registry/staging.ts';
import { FsBlobStore, S3BlobStore, type BlobStore } from '../../src/store/blobs/index.ts';
import { migrate, type Db, type Queryable } from '../../src/store/db/index.ts';
import { openPostgres } from '../../src/store/db/pg.ts';
import { rejectsWith } from '../support/tracking.ts';
import { migratedPglite } from '../../../testing/test-db.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Wraps a Db so a test can stop one transaction right after a statement, to interleave another deterministically. */
function pausable(db: Db) {
  let gate: { pattern: RegExp; reached(): void; release: Promise<void> } | undefined;
  const wrap = (tx: Queryable): Queryable => ({
    async query(sql: string, params?: readonly unknown[]) {
      const result = await tx.query(sql, params);
      const g = gate;
      if (g?.pattern.test(sql)) {
        gate = undefined;
        g.reached();
        await g.release;
      }
      return result as never;
    },
  });
  const wrapped: Db = {
    kind: db.kind,
    query: (sql, params) => db.query(sql, params),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
  return {
    db: wrapped,
    /** The next transaction statement matching `pattern` holds its transaction open until `release()`. */
    pauseAfter(pattern: RegExp) {
      let reached!: () => void;
      let release!: () => void;
      const paused = new Promise<void>((r) => (reached = r));
      gate = { pattern, reached, release: new Promise<void>((r) => (release = r)) };
      return { paused, release };
    },
  };
}

/** A Db whose transactions fail at the first statement matching `pattern` (as a lost connection would). */
function failingAt(db: Db, pattern: RegExp): Db {
  return {
    kind: db.kind,
    query: (sql, params) => db.query(sql, params),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          query: (sql: string, params?: readonly unknown[]) =>
            pattern.test(sql)
              ? Promise.reject(Object.assign(new Error('injected failure'), { code: '08006' }))
              : (tx.query(sql, params) as never),
        }),
      ),
    close: () => db.close(),
  };
}

const noDocuments = { change: async () => undefined } as unknown as DocumentsService;

async function blobKeys(blobs: BlobStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of blobs.list('models/')) keys.push(k);
  return keys;
}

interface Backend {
  db: Db;
  blobs: BlobStore;
  staging: string;
  close(): Promise<void>;
}

async function pgliteBackend(): Promise<Backend> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'registry-integrity-'));
  const db = await migratedPglite();
  const blobs = await FsBlobStore.open(path.join(dir, 'blobs'));
  return {
    db,
    blobs,
    staging: path.join(dir, 'staging'),
    close: async () => (await db.close(), await blobs.close(), await rm(dir, { recursive: true, force: true })),
  };
}

async function postgresS3Backend(): Promise<Backend | undefined> {
  const database = await createTestDatabase();
  if (!database) return undefined;
  const s3 = await startS3();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'registry-integrity-'));
  const db = await openPostgres(database.url, 6);
  await migrate(db);
  const blobs = await S3BlobStore.open({
    endpoint: new URL(s3.endpoint),
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    bucket: 'integrity',
    region: 'us-east-1',
  });
  return {
    db,
    blobs,
    staging: path.join(dir, 'staging'),
    async close() {
      await db.close();
      await blobs.close();
      await s3.stop();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const stageBytes = (b: Backend, bytes: Uint8Array) => stage(Readable.from([Buffer.from(bytes)]), 10_000_000, b.staging);

for (const [label, open] of [
  ['PGlite and a blob folder', pgliteBackend],
  ['PostgreSQL and S3', postgresS3Backend],
] as const) {
  describe(`registry: a refused registration leaves no artifact behind (${label})`, () => {
    let b: Backend | undefined;
    before(async () => {
      b = await open();
    });
    after(() => b?.close());

    const register = async (
      registry: RegistryService,
      name: string,
      bytes: Uint8Array,
      metadata?: Record<string, unknown>,
    ) => {
      const file = await stageBytes(b!, bytes);
      try {
        return await registry.registerVersion({ name, file, ...(metadata ? { metadata } : {}) });
      } finally {
        await file.remove();
      }
    };

    it('a version INSERT that fails removes the bytes this request stored, and keeps bytes another version refers to', async (t) => {
      if (!b) return t.skip('PostgreSQL or S3 unavailable');
      const failing = new RegistryService(failingAt(b.db, /INSERT INTO model_versions/), b.blobs);
      const fresh = bigInitializerModel(2048);
      await assert.rejects(register(failing, 'orphan', fresh), /injected failure/);
      assert.deepEqual(await blobKeys(b.blobs), [], 'the new blob was removed');
      assert.equal((await b.db.query('SELECT 1 FROM model_artifacts')).rowCount, 0);

      const shared = sampleModel();
      await register(new RegistryService(b.db, b.blobs), 'kept', shared);
      await assert.rejects(register(failing, 'orphan', shared), /injected failure/);
      assert.deepEqual(await blobKeys(b.blobs), [artifactKey(sha(shared))], 'bytes of a committed version stay');
    });

    it('a value the database refuses (a NUL in the description) stores nothing', async (t) => {
      if (!b) return t.skip('PostgreSQL or S3 unavailable');
      const registry = new RegistryService(b.db, b.blobs);
      const bytes = bigInitializerModel(1024);
      // PostgreSQL's data exception (class 22), which http/errors.ts answers with a 400.
      await assert.rejects(register(registry, 'nul', bytes, { description: 'a\u0000b' }), (e: { code?: string }) =>
        /^22/.test(e.code ?? ''),
      );
      assert.ok(!(await blobKeys(b.blobs)).includes(artifactKey(sha(bytes))));
      await rejectsWith(registry.getModel('nul'), 'not_found');
    });

    it('a damaged stored artifact is never served (409), and uploading the same file again repairs it', async (t) => {
      if (!b) return t.skip('PostgreSQL or S3 unavailable');
      const registry = new RegistryService(b.db, b.blobs);
      const bytes = bigInitializerModel(3072);
      const v = await register(registry, 'damaged', bytes);
      (await registry.openArtifact(v.sha256)).destroy();
      const broken = Buffer.from(bytes);
      broken[broken.length - 1]! ^= 0xff;
      await b.blobs.put(artifactKey(v.sha256), broken, broken.length);
      await rejectsWith(registry.openArtifact(v.sha256), 'conflict', /damaged/);
      await rejectsWith(registry.openArtifact(v.sha256, { start: 0, end: 9 }), 'conflict', /damaged/);
      await register(registry, 'damaged', bytes);
      const chunks: Buffer[] = [];
      for await (const c of await registry.openArtifact(v.sha256)) chunks.push(c as Buffer);
      assert.equal(sha(Buffer.concat(chunks)), v.sha256);
    });
  });
}

/**
 * The races of a delete (or rename) with a deployment of the same version, on PostgreSQL, with the
 * interleaving forced: one transaction is held open after its locking statement while the other runs.
 */
describe('registry and deployments: a delete or rename racing a deployment (PostgreSQL)', () => {
  let database: TestDatabase | undefined;
  let db: Db;
  let probe: Db;
  let blobs: FsBlobStore;
  let dir = '';
  let registry: RegistryService;
  let groupId = '';
  let otherGroupId = '';

  before(async () => {
    database = await createTestDatabase();
    if (!database) return;
    dir = await mkdtemp(path.join(os.tmpdir(), 'registry-race-'));
    db = await openPostgres(database.url, 6);
    probe = await openPostgres(database.url, 1);
    await migrate(db);
    blobs = await FsBlobStore.open(path.join(dir, 'blobs'));
    registry = new RegistryService(db, blobs);
    groupId = (await new DevicesService(db).createGroup('racers', '', null)).id;
    otherGroupId = (await new DevicesService(db).createGroup('others', '', null)).id;
    for (const [name, bytes] of [
      ['clf', sampleModel()],
      ['clf', bigInitializerModel(1024)],
      ['clf', bigInitializerModel(2048)],
      ['other', sampleModel()],
    ] as const) {
      const file = await stage(Readable.from([Buffer.from(bytes)]), 10_000_000, path.join(dir, 'staging'));
      await registry.registerVersion({ name, file });
      await file.remove();
    }
  });
  after(async () => {
    if (!database) return;
    await probe.close();
    await db.close();
    await blobs.close();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Resolves once some backend of the test database waits for a row lock, or once `other` has settled. */
  const waitingOrSettled = async (other: Promise<unknown>) => {
    let settled = false;
    void other.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 500 && !settled; i++) {
      const { rows } = await probe.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      if (rows[0]!.n > 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const deployments = (d: Db) => new DeploymentsService(d, noDocuments, registry);
  const deploy = (d: Db, version: number, name = 'clf', group = groupId) =>
    deployments(d).create({ groupId: group, model: { name, version }, canaryPercent: 100 }, 'test');
  /** A 409 naming the deployment that holds the version. */
  const inUse = (e: unknown) =>
    e instanceof DomainError && toErrorResponse(e).status === 409 && /is deployed to device group/.test(e.message);
  const settle = (p: Promise<unknown>) =>
    p.then(
      (v) => ({ ok: true as const, v }),
      (e: unknown) => ({ ok: false as const, e }),
    );
  /** Runs `first` up to its statement matching `pauseAfter`, starts `second`, lets it block on a lock (or finish), then lets `first` commit. */
  const interleave = async (pauseAfter: RegExp, first: (d: Db) => Promise<unknown>, second: () => Promise<unknown>) => {
    const p = pausable(db);
    const gate = p.pauseAfter(pauseAfter);
    const a = settle(first(p.db));
    await gate.paused;
    const b = settle(second());
    await waitingOrSettled(b);
    gate.release();
    return [await a, await b] as const;
  };

  it('a delete waiting on a deployment of the same version is refused with 409 once the deployment commits', async (t) => {
    if (!database) return t.skip('PostgreSQL unavailable');
    const [created, del] = await interleave(
      /FOR SHARE OF v/,
      (d) => deploy(d, 1),
      () => registry.deleteVersion('clf', 1),
    );
    assert.equal(created.ok, true);
    assert.ok(!del.ok && inUse(del.e), `the delete must be refused: ${del.ok ? 'it succeeded' : String(del.e)}`);
    assert.equal((await registry.getVersion('clf', 1)).version, 1, 'the deployed version is still there');
  });

  it('a rename waiting on a deployment of the model is refused with 409 once the deployment commits', async (t) => {
    if (!database) return t.skip('PostgreSQL unavailable');
    // No deployment names "other" yet: only the one being created can stop the rename.
    const [created, ren] = await interleave(
      /FOR SHARE OF v/,
      (d) => deploy(d, 1, 'other', otherGroupId),
      () => registry.renameModel('other', 'other-renamed'),
    );
    assert.equal(created.ok, true);
    assert.ok(!ren.ok && inUse(ren.e), `the rename must be refused: ${ren.ok ? 'it succeeded' : String(ren.e)}`);
    assert.equal((await registry.getModel('other')).name, 'other', 'the deployment still finds its model');
  });

  it('a delete of the version a deployment being created will roll back to waits for it, then is refused', async (t) => {
    if (!database) return t.skip('PostgreSQL unavailable');
    // The group runs clf@1 (the first test); deploying clf@3 makes clf@1 its rollback target.
    const [created, del] = await interleave(
      /INSERT INTO deployments \(/,
      (d) => deploy(d, 3),
      () => registry.deleteVersion('clf', 1),
    );
    assert.equal(created.ok, true);
    assert.ok(!del.ok && inUse(del.e), `the delete must be refused: ${del.ok ? 'it succeeded' : String(del.e)}`);
    assert.match((del.e as Error).message, /version 1 of model "clf" is deployed/);
  });

  it('a deployment waiting on a delete of its version finds it gone (404) and changes nothing', async (t) => {
    if (!database) return t.skip('PostgreSQL unavailable');
    const file = await stage(
      Readable.from([Buffer.from(bigInitializerModel(4096))]),
      10_000_000,
      path.join(dir, 'staging'),
    );
    const v4 = (await registry.registerVersion({ name: 'clf', file })).version;
    await file.remove();
    const [deleted, created] = await interleave(
      /DELETE FROM model_versions/,
      (d) => new RegistryService(d, blobs).deleteVersion('clf', v4),
      () => deploy(db, v4),
    );
    assert.equal(deleted.ok, true);
    assert.ok(
      !created.ok && created.e instanceof DomainError && toErrorResponse(created.e).status === 404,
      `the deployment must be refused: ${created.ok ? 'it succeeded' : String(created.e)}`,
    );
    const current = await deployments(db).list({ groupId });
    assert.deepEqual(
      current.filter((d) => d.status !== 'superseded').map((d) => d.model.version),
      [3],
    );
  });
});
