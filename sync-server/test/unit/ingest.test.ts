import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createTar } from 'nanotar';
import { after, before, describe, it } from 'node:test';
import { DRIFT_FLAGS, WARNING_SHIFT } from '../../../shared/drift/flags.ts';
import { buildPackage, sha256Hex } from '../../../shared/ingest/index.ts';
import { DevicesService } from '../../src/services/devices/index.ts';
import { batchBlobKey, IngestService } from '../../src/services/ingest/index.ts';
import { FsBlobStore } from '../../src/store/blobs/index.ts';
import type { Db } from '../../src/store/db/index.ts';
import { rejectsWith } from '../support/tracking.ts';
import { migratedPglite } from '../../../testing/test-db.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10);
const record = (i: number, over: Record<string, unknown> = {}) => ({
  id: `r${i}`,
  ts: T0 + i * 1000,
  model: { name: 'cls', version: 1, sha256: 'x' },
  output: { label: i % 3 === 0 ? 'cat' : 'dog' },
  latencyMs: 2,
  confidence: 0.5,
  drift: i % 5 === 0 ? 1 : 0,
  ...over,
});
const records = (n: number, from = 0) => Array.from({ length: n }, (_, i) => record(from + i));

/** A package around records.jsonl text as it is, its manifest claiming `claimed` records (default: its lines). */
function rawPackage(batchId: string, jsonl: string, claimed?: number): Uint8Array {
  const data = Buffer.from(jsonl);
  const manifest = {
    batchId,
    records: claimed ?? jsonl.split('\n').length - 1,
    files: [{ name: 'records.jsonl', sha256: createHash('sha256').update(data).digest('hex'), size: data.length }],
    createdAt: new Date(T0).toISOString(),
  };
  return new Uint8Array(
    gzipSync(
      createTar([
        { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) },
        { name: 'records.jsonl', data },
      ]),
    ),
  );
}

/** 1.1 GB of zeros as 137 gzip members of 8 MB, then an empty member: ~1.1 MB, built in a fraction of a second. */
function zeroBomb(): Uint8Array {
  const member = gzipSync(Buffer.alloc(8 * 1024 * 1024), { level: 9 });
  return new Uint8Array(Buffer.concat([...Array.from({ length: 137 }, () => member), gzipSync(Buffer.alloc(0))]));
}

describe('IngestService: log batches exactly once (PGlite)', () => {
  let db: Db;
  let blobs: FsBlobStore;
  let dir = '';
  let ingest: IngestService;
  let deviceA = '';
  let deviceB = '';
  const upload = async (device: string, batchId: string, recs: object[]) => {
    const bytes = await buildPackage(batchId, recs);
    return ingest.ingest(device, bytes, await sha256Hex(bytes));
  };
  const count = async (sql: string, params: unknown[] = []) =>
    (await db.query<{ n: number }>(`SELECT (${sql})::int AS n`, params)).rows[0]!.n;

  before(async () => {
    db = await migratedPglite();
    dir = await mkdtemp(path.join(os.tmpdir(), 'ingest-'));
    blobs = await FsBlobStore.open(dir);
    ingest = new IngestService(db, blobs);
    const devices = new DevicesService(db);
    const group = await devices.createGroup('lab', '', null);
    deviceA = (
      await devices.enrol((await devices.createCode(group.id, { uses: 2, expiresInSeconds: 60 }, null)).code, 'a')
    ).deviceId;
    deviceB = (
      await devices.enrol((await devices.createCode(group.id, { uses: 1, expiresInSeconds: 60 }, null)).code, 'b')
    ).deviceId;
  });
  after(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores a batch once: a resend is a duplicate and adds nothing', async () => {
    assert.deepEqual(await upload(deviceA, 'b1', records(10)), { batchId: 'b1', records: 10, duplicate: false });
    assert.deepEqual(await upload(deviceA, 'b1', records(10)), { batchId: 'b1', records: 10, duplicate: true });
    assert.equal(await count("SELECT count(*) FROM inference_records WHERE batch_id = 'b1'"), 10);
    assert.equal(await count("SELECT count(*) FROM log_batches WHERE batch_id = 'b1'"), 1);
    assert.equal(await count('SELECT sum(count) FROM inference_hourly WHERE device_id = $1', [deviceA]), 10);
    assert.ok(await blobs.stat(batchBlobKey(deviceA, 'b1')));
  });

  it('two identical uploads racing store the batch once', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => upload(deviceA, 'race', records(50, 100))));
    assert.deepEqual(results.map((r) => r.duplicate).sort(), [false, true, true, true]);
    assert.equal(await count("SELECT count(*) FROM inference_records WHERE batch_id = 'race'"), 50);
  });

  it("another device's batch id is a conflict and stores nothing", async () => {
    await rejectsWith(upload(deviceB, 'b1', records(3)), 'conflict');
    assert.equal(await count('SELECT count(*) FROM inference_records WHERE device_id = $1', [deviceB]), 0);
    assert.equal(await blobs.stat(batchBlobKey(deviceB, 'b1')), undefined);
  });

  it('a malformed package is a bad request and stores nothing', async () => {
    await rejectsWith(ingest.ingest(deviceB, new Uint8Array([1, 2, 3]), 'x'), 'bad_request', /malformed log package/);
    const wrongDevice = await buildPackage('named', records(1), {}, { deviceId: deviceA });
    await rejectsWith(ingest.ingest(deviceB, wrongDevice, 'x'), 'forbidden');
    assert.equal(await count('SELECT count(*) FROM log_batches WHERE device_id = $1', [deviceB]), 0);
  });

  const footprint = async (device: string) => ({
    batches: await count('SELECT count(*) FROM log_batches WHERE device_id = $1', [device]),
    records: await count('SELECT count(*) FROM inference_records WHERE device_id = $1', [device]),
    blobs: await countBlobs(`batches/${device}/`),
  });
  const countBlobs = async (prefix: string) => {
    let n = 0;
    for await (const _ of blobs.list(prefix)) n++;
    return n;
  };

  it('a gzip bomb (1.1 GB of zeros in many members, then an empty one) is refused early, storing nothing', async () => {
    const before = await footprint(deviceB);
    const usedBefore = process.memoryUsage().rss;
    await rejectsWith(
      ingest.ingest(deviceB, zeroBomb(), 'x'),
      'bad_request',
      /malformed log package: (no manifest|data after the end)/,
    );
    // Streaming: the refusal comes after a few KB of output, not after inflating a limit's worth.
    assert.ok(process.memoryUsage().rss - usedBefore < 200 * 1024 * 1024, 'not inflated into memory');
    assert.deepEqual(await footprint(deviceB), before);
  });

  it('a package of 100 000 records (~600 KB) is refused with 413 naming MAX_BATCH_RECORDS; a lying manifest is caught at the limit too', async () => {
    const line = `${JSON.stringify({ id: 'r', ts: T0, model: { name: 'm', version: 1 }, output: {}, latencyMs: 1, drift: 0 })}\n`;
    const many = rawPackage('many', line.repeat(100_000));
    assert.ok(many.length < 700_000, `${many.length} bytes`);
    await rejectsWith(
      ingest.ingest(deviceB, many, 'x'),
      'payload_too_large',
      /manifest says 100000 records, more than the limit of 10000 \(MAX_BATCH_RECORDS\)/,
    );
    // A manifest that lies about the count: refused at the first record beyond it, not after all of them.
    await rejectsWith(
      ingest.ingest(deviceB, rawPackage('liar', line.repeat(100_000), 5), 'x'),
      'bad_request',
      /more records than the 5 the manifest says/,
    );
    const small = new IngestService(db, blobs, { maxRecords: 3, maxRecordBytes: 200 });
    await rejectsWith(
      small.ingest(deviceB, await buildPackage('four', records(4)), 'x'),
      'payload_too_large',
      /limit of 3 \(MAX_BATCH_RECORDS\)/,
    );
    const long = record(1, { output: { label: 'x'.repeat(150) } });
    await rejectsWith(
      small.ingest(deviceB, await buildPackage('long', [long]), 'x'),
      'payload_too_large',
      /line 1 is longer than the limit of 200 bytes \(MAX_RECORD_BYTES\)/,
    );
    assert.deepEqual(await footprint(deviceB), { batches: 0, records: 0, blobs: 0 });
  });

  it('a package split over two gzip members is one package', async () => {
    const pkg = Buffer.from(await buildPackage('members', records(3)));
    const tar = gunzipSync(pkg);
    const two = new Uint8Array(Buffer.concat([gzipSync(tar.subarray(0, 700)), gzipSync(tar.subarray(700))]));
    assert.deepEqual(await ingest.ingest(deviceA, two, await sha256Hex(two)), {
      batchId: 'members',
      records: 3,
      duplicate: false,
    });
  });

  it('values the columns cannot hold are a 400 naming the field and line, leaving no blob and no row', async () => {
    const before = await footprint(deviceB);
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['ts 1e300', { ts: 1e300 }, /line 2:[\s\S]*ts/],
      [
        'model.version 2**40',
        { model: { name: 'cls', version: 2 ** 40, sha256: 'x' } },
        /line 2:[\s\S]*model\.version/,
      ],
      ['drift 2**40', { drift: 2 ** 40 }, /line 2:[\s\S]*drift/],
      ['a NUL in a label', { output: { label: 'ca\0t' } }, /line 2:[\s\S]*NUL[\s\S]*output\.label/],
      [
        'a lone surrogate in a label',
        { output: { label: 'ca\ud800t' } },
        /line 2:[\s\S]*surrogate[\s\S]*output\.label/,
      ],
      ['a NUL in a model name', { model: { name: 'c\0ls', version: 1, sha256: 'x' } }, /line 2:[\s\S]*model\.name/],
      ['latency 1e308 (hourly sums overflow)', { latencyMs: 1e308 }, /line 2:[\s\S]*latencyMs/],
    ];
    for (const [what, over, message] of cases) {
      const bytes = await buildPackage('hostile', [record(1), record(2, over)]);
      await assert.rejects(ingest.ingest(deviceB, bytes, 'x'), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'bad_request', `${what}: ${e.message}`);
        assert.match(e.message, message, what);
        return true;
      });
    }
    assert.deepEqual(await footprint(deviceB), before);
  });

  it('inputs a real[] cannot hold are not stored as features (the record is)', async () => {
    await upload(deviceA, 'features', [
      record(1, { input: [1, 2] }),
      record(2, { input: [1e39, 1] }),
      record(3, { input: [1e-50] }),
    ]);
    const { rows } = await db.query<{ features: number[] | null }>(
      "SELECT features FROM inference_records WHERE batch_id = 'features' ORDER BY seq",
    );
    assert.deepEqual(
      rows.map((r) => r.features),
      [[1, 2], null, null],
    );
  });

  it('a failing statement removes the blob it just wrote (no orphan), and the batch can be sent again', async () => {
    const failing = new Proxy(db, {
      get: (target, prop) =>
        prop === 'query'
          ? (sql: string, params?: unknown[]) =>
              sql.includes('WITH claim') ? Promise.reject(new Error('connection lost')) : target.query(sql, params)
          : Reflect.get(target, prop),
    });
    const bytes = await buildPackage('doomed', records(3));
    await assert.rejects(
      new IngestService(failing, blobs).ingest(deviceB, bytes, await sha256Hex(bytes)),
      /connection lost/,
    );
    assert.equal(await blobs.stat(batchBlobKey(deviceB, 'doomed')), undefined);
    assert.equal((await ingest.ingest(deviceB, bytes, await sha256Hex(bytes))).duplicate, false);
    assert.ok(await blobs.stat(batchBlobKey(deviceB, 'doomed')));
  });

  it('rolls records up per model version and hour, adding across batches', async () => {
    const v2 = (i: number, ts: number) =>
      record(i, {
        model: { name: 'cls', version: 2, sha256: 'y' },
        ts,
        latencyMs: 4,
        confidence: 0.25,
        drift: i === 0 ? 3 : 0,
        output: { label: i % 2 ? 'cat' : 'dog' },
      });
    await upload(deviceB, 'h1', [v2(0, T0), v2(1, T0 + 10), v2(2, T0 + HOUR + 5)]);
    await upload(deviceB, 'h2', [
      v2(3, T0 + 20),
      record(9, { model: { name: 'cls', version: 2, sha256: 'y' }, ts: T0 + 30, output: { classIndex: 7 } }),
    ]);
    const { rows } = await db.query<{
      hour: Date;
      count: string;
      latency_sum: number;
      confidence_sum: number;
      drift_alarms: string;
      classes: Record<string, number>;
    }>(
      'SELECT hour, count, latency_sum, confidence_sum, drift_alarms, classes FROM inference_hourly WHERE device_id = $1 AND model_version = 2 ORDER BY hour',
      [deviceB],
    );
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!.hour.getTime(), T0);
    assert.equal(Number(rows[0]!.count), 4);
    assert.equal(rows[0]!.latency_sum, 4 + 4 + 4 + 2);
    assert.equal(rows[0]!.confidence_sum, 0.25 * 3 + 0.5);
    assert.equal(Number(rows[0]!.drift_alarms), 1);
    assert.deepEqual(rows[0]!.classes, { dog: 1, cat: 2, '7': 1 });
    assert.equal(Number(rows[1]!.count), 1);
    assert.equal(await count("SELECT count(*) FROM inference_records WHERE batch_id = 'h2' AND label = '7'"), 1);
  });

  it('counts alarm records and warning records apart, from each record’s flags', async () => {
    const v3 = { name: 'cls', version: 3, sha256: 'z' };
    // quiet, feature alarm, confidence warning, alarm and warning at once, two alarm kinds, two warning kinds
    const flags = [
      0,
      DRIFT_FLAGS.feature,
      DRIFT_FLAGS.confidence << WARNING_SHIFT,
      DRIFT_FLAGS.knn | (DRIFT_FLAGS.feature << WARNING_SHIFT),
      DRIFT_FLAGS.feature | DRIFT_FLAGS.prediction,
      (DRIFT_FLAGS.knn | DRIFT_FLAGS.prediction) << WARNING_SHIFT,
    ];
    await upload(
      deviceB,
      'w1',
      flags.slice(0, 3).map((drift, i) => record(100 + i, { model: v3, ts: T0 + i, drift })),
    );
    await upload(
      deviceB,
      'w2',
      flags.slice(3).map((drift, i) => record(200 + i, { model: v3, ts: T0 + 10 + i, drift })),
    );
    const { rows } = await db.query<{ drift_alarms: string; drift_warnings: string }>(
      'SELECT drift_alarms, drift_warnings FROM inference_hourly WHERE device_id = $1 AND model_version = 3',
      [deviceB],
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.drift_alarms), Number(r.drift_warnings)]),
      [[3, 3]],
      'alarms: records 1, 3, 4; warnings: records 2, 3, 5',
    );
  });
});
