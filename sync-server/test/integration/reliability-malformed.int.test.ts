import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import { gunzipSync, gzipSync, strFromU8, strToU8 } from 'fflate';
import { createTar, parseTar } from 'nanotar';
import pg from 'pg';
import { deviceDocId } from '../../../shared/documents/index.ts';
import { buildPackage } from '../../../shared/ingest/index.ts';
import { postgresBackend, RELIABILITY_ADMIN_TOKEN } from '../../../testing/reliability.ts';
import { api } from '../../../testing/server-process.ts';
import { backendSuite } from '../../../testing/suite.ts';

/**
 * Hostile or broken input, beyond what ingest.ts, devices.ts and documents.int.test.ts check: each
 * is a clear 4xx in the project's error shape, leaves nothing in the database, the blob folder or
 * the staging folder, and the server goes on serving the next valid request.
 */

const record = (i: number) => ({
  id: `r${i}`,
  ts: Date.UTC(2026, 0, 1) + i * 1000,
  model: { name: 'cls', version: 1, sha256: 'x' },
  output: { label: 'cat' },
  latencyMs: 1,
  confidence: 0.9,
  drift: 0,
});
const RECORDS = [record(1), record(2), record(3)];

/** Repacks a package with one file's bytes edited and the manifest left as it was. */
function tamper(pkg: Uint8Array, name: string, edit: (data: Uint8Array) => Uint8Array): Uint8Array {
  const files = parseTar(gunzipSync(pkg)).map((f) => ({
    name: f.name,
    data: f.name === name ? edit(f.data!) : f.data!,
  }));
  return gzipSync(createTar(files, { attrs: { mtime: 0 } }), { mtime: 0 });
}
const editManifest = (pkg: Uint8Array, edit: (m: Record<string, unknown>) => void) =>
  tamper(pkg, 'manifest.json', (d) => {
    const m = JSON.parse(strFromU8(d)) as Record<string, unknown>;
    edit(m);
    return strToU8(JSON.stringify(m));
  });

/** 1.1 GB of zeros as 137 gzip members of 8 MB each, then an empty member (~1.1 MB). */
function zeroBomb(): Uint8Array {
  const member = gzipSync(new Uint8Array(8 * 1024 * 1024), { level: 9 });
  const parts = [...Array.from({ length: 137 }, () => member), gzipSync(new Uint8Array(0))];
  return new Uint8Array(Buffer.concat(parts));
}

/** A valid-looking package of `n` short records, built without packing n objects. */
function manyRecords(n: number): Uint8Array {
  const data = strToU8(`${JSON.stringify(record(1))}\n`.repeat(n));
  const manifest = {
    batchId: 'b-many',
    records: n,
    files: [{ name: 'records.jsonl', sha256: createHash('sha256').update(data).digest('hex'), size: data.length }],
    createdAt: new Date(0).toISOString(),
  };
  return gzipSync(
    createTar([
      { name: 'manifest.json', data: strToU8(JSON.stringify(manifest)) },
      { name: 'records.jsonl', data },
    ]),
  );
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('reliability: malformed input is a clear 4xx, stores nothing, and the server keeps serving (PostgreSQL)', () => {
  let db: pg.Client | undefined;
  // Registered first so it runs before the backend's teardown drops the database under it.
  after(async () => void (await db?.end().catch(() => {})));
  const suite = backendSuite(
    'PostgreSQL',
    () => postgresBackend(1),
    (backend) => backend.teardown(),
  );
  let v1 = '';
  let operator = '';
  let groupId = '';

  const enrol = async (name: string) => {
    const code = await api(`${v1}/device-groups/${groupId}/enrolment-codes`, { token: operator, body: { uses: 1 } });
    const e = await api(`${v1}/devices/enrol`, { body: { code: code.body.code, name } });
    assert.equal(e.status, 201, JSON.stringify(e.body));
    return e.body as { deviceId: string; token: string };
  };
  const upload = async (token: string, bytes: Uint8Array | undefined) => {
    const form = new FormData();
    if (bytes) form.append('package', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'batch.tar.gz');
    const res = await fetch(`${v1}/devices/me/batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  /** Everything an upload or a sync could leave behind. */
  const footprint = async () => {
    const count = async (table: string) =>
      Number((await db!.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
    const dataDir = suite.ctx!.dataDir;
    return {
      batches: await count('log_batches'),
      records: await count('inference_records'),
      hourly: await count('inference_hourly'),
      changes: await count('doc_changes'),
      snapshots: await count('doc_snapshots'),
      blobs: await listFiles(path.join(dataDir, 'blobs', 'batches')),
      staging: await listFiles(path.join(dataDir, 'staging')),
    };
  };
  /** A refusal: the status, the error shape, a message matching `message`, and no trace of it. */
  const refused = async (
    what: string,
    attempt: () => Promise<{ status: number; body: any }>,
    status: number,
    message: RegExp,
  ) => {
    const before = await footprint();
    const res = await attempt();
    assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
    assert.equal(typeof res.body?.error?.code, 'string', `${what}: error JSON`);
    assert.match(res.body.error.message, message, what);
    assert.deepEqual(await footprint(), before, `${what}: nothing stored`);
  };

  before(async () => {
    const backend = suite.ctx;
    if (!backend) return;
    v1 = `${backend.servers[0]!.url}/api/v1`;
    operator = (await api(`${v1}/tokens`, { token: RELIABILITY_ADMIN_TOKEN, body: { name: 'ops', role: 'operator' } }))
      .body.token;
    groupId = (await api(`${v1}/device-groups`, { token: operator, body: { name: 'hostile' } })).body.id;
    db = new pg.Client({ connectionString: backend.database.url });
    db.on('error', () => {});
    await db.connect();
  });

  suite.test(
    'broken packages: corrupted gzip, digest, sizes, counts, records, device ids; then a valid batch is stored',
    async () => {
      const dev = await enrol('cam');
      const other = await enrol('other');
      const pkg = await buildPackage('b-hostile', RECORDS);
      const corrupted = pkg.slice();
      for (let i = 20; i < 40; i++) corrupted[i] = corrupted[i]! ^ 0x5a; // inside the deflate stream
      const cases: [string, Uint8Array, number, RegExp][] = [
        ['corrupted gzip', corrupted, 400, /malformed log package: not gzip/],
        ['truncated to the gzip header', pkg.slice(0, 12), 400, /malformed log package/],
        ['gzip of something not a tar', gzipSync(strToU8('x'.repeat(2000))), 400, /malformed log package/],
        [
          'records.jsonl not matching its sha256',
          tamper(pkg, 'records.jsonl', (d) => strToU8(strFromU8(d).replace('"r2"', '"r9"'))),
          400,
          /records\.jsonl does not match its sha256/,
        ],
        [
          'records.jsonl shorter than the manifest says',
          tamper(pkg, 'records.jsonl', (d) => d.slice(0, -5)),
          400,
          /bytes, the manifest says/,
        ],
        [
          'a record count that does not match',
          editManifest(pkg, (m) => (m.records = 4)),
          400,
          /holds 3 records, the manifest says 4/,
        ],
        [
          'no manifest',
          gzipSync(createTar([{ name: 'records.jsonl', data: strToU8('{}\n') }])),
          400,
          /no manifest\.json/,
        ],
        ['an unsafe batch id', editManifest(pkg, (m) => (m.batchId = '../../etc')), 400, /invalid manifest\.json/],
        [
          'a record failing the schema',
          await buildPackage('b-hostile', [record(1), { ...record(2), latencyMs: 'fast' }]),
          400,
          /records\.jsonl line 2/,
        ],
        [
          'a manifest naming another device',
          await buildPackage('b-hostile', RECORDS, {}, { deviceId: other.deviceId }),
          403,
          /names another device/,
        ],
        // Values the columns cannot hold: refused before any blob is written (they used to be 500s leaving one).
        [
          'ts 1e300',
          await buildPackage('b-hostile', [record(1), { ...record(2), ts: 1e300 }]),
          400,
          /line 2:[\s\S]*ts/,
        ],
        [
          'model.version 2**40',
          await buildPackage('b-hostile', [record(1), { ...record(2), model: { name: 'cls', version: 2 ** 40 } }]),
          400,
          /line 2:[\s\S]*model\.version/,
        ],
        [
          'drift 2**40',
          await buildPackage('b-hostile', [record(1), { ...record(2), drift: 2 ** 40 }]),
          400,
          /line 2:[\s\S]*drift/,
        ],
        [
          'a NUL in a label',
          await buildPackage('b-hostile', [record(1), { ...record(2), output: { label: 'c\0t' } }]),
          400,
          /line 2:[\s\S]*output\.label/,
        ],
        [
          'a lone surrogate in a label',
          await buildPackage('b-hostile', [record(1), { ...record(2), output: { label: 'c\ud800t' } }]),
          400,
          /line 2:[\s\S]*output\.label/,
        ],
        // Bombs: refused after a few KB of inflating, not after the old 512 MB.
        ['1.1 GB of zeros in gzip members, then an empty member', zeroBomb(), 400, /malformed log package/],
        ['100 000 records in ~600 KB', manyRecords(100_000), 413, /more than the limit of 10000 \(MAX_BATCH_RECORDS\)/],
      ];
      for (const [what, bytes, status, message] of cases)
        await refused(what, () => upload(dev.token, bytes), status, message);
      await refused('no package field', () => upload(dev.token, undefined), 400, /"package"/);

      const stored = await upload(dev.token, pkg);
      assert.equal(stored.status, 201, `after all that, a valid batch is stored: ${JSON.stringify(stored.body)}`);
      const after = await footprint();
      assert.deepEqual([after.batches, after.records, after.blobs], [1, 3, [`${dev.deviceId}/b-hostile.tar.gz`]]);
    },
  );

  suite.test(
    'batch ids: another device may not take one (409); a different batch under a stored id is refused (409)',
    async () => {
      const owner = await enrol('owner');
      const thief = await enrol('thief');
      const pkg = await buildPackage('b-owned', RECORDS);
      assert.equal((await upload(owner.token, pkg)).status, 201);
      await refused(
        'the same batch id from another device',
        () => upload(thief.token, pkg),
        409,
        /taken by another device/,
      );
      // Acknowledging this as a duplicate would let the device delete records the server never stored.
      const impostor = await buildPackage('b-owned', [record(7), record(8)]);
      await refused(
        'other records under a stored batch id',
        () => upload(owner.token, impostor),
        409,
        /different content/,
      );
      assert.equal((await upload(owner.token, pkg)).status, 200, 'the identical resend is still acknowledged');
    },
  );

  suite.test(
    'sync: a foreign document (403), malformed JSON and messages (400), a revoked device (401 saying so)',
    async () => {
      const dev = await enrol('syncer');
      const other = await enrol('neighbour');
      const sync = (docId: string, token: string, raw: string) => api(`${v1}/sync/${docId}`, { token, raw });
      const ok = JSON.stringify({ have: [], changes: [] });
      await refused(
        "another device's document",
        () => sync(deviceDocId(other.deviceId), dev.token, ok),
        403,
        /only its own/,
      );
      await refused(
        'a body that is not JSON',
        () => sync(deviceDocId(dev.deviceId), dev.token, '{"have": [], "changes": ['),
        400,
        /invalid JSON/,
      );
      await refused(
        'a change that is not Automerge',
        () =>
          sync(
            deviceDocId(dev.deviceId),
            dev.token,
            JSON.stringify({ have: [], changes: [Buffer.from('not a change').toString('base64')] }),
          ),
        400,
        /./,
      );
      await refused(
        'a head that is not a hash',
        () => sync(deviceDocId(dev.deviceId), dev.token, JSON.stringify({ have: ['zz'], changes: [] })),
        400,
        /./,
      );
      await refused('a body without its fields', () => sync(deviceDocId(dev.deviceId), dev.token, '[]'), 400, /./);
      assert.equal((await sync(deviceDocId(dev.deviceId), dev.token, ok)).status, 200, 'the device still syncs');

      assert.equal((await api(`${v1}/devices/${dev.deviceId}`, { token: operator, method: 'DELETE' })).status, 200);
      await refused('a revoked device syncing', () => sync(deviceDocId(dev.deviceId), dev.token, ok), 401, /revoked/);
      await refused(
        'a revoked device uploading',
        async () => upload(dev.token, await buildPackage('b-revoked', RECORDS)),
        401,
        /revoked/,
      );
      assert.equal(
        (await sync(deviceDocId(other.deviceId), other.token, ok)).status,
        200,
        'other devices are unaffected',
      );
    },
  );

  suite.test('afterwards the server is healthy', async () => {
    const health = await api(`${suite.ctx!.servers[0]!.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
  });
});
