import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DRIFT_FLAGS, WARNING_SHIFT } from '../../../shared/drift/flags.ts';
import { buildPackage, sha256Hex } from '../../../shared/ingest/index.ts';
import { DevicesService } from '../../src/services/devices/index.ts';
import { batchBlobKey, IngestService } from '../../src/services/ingest/index.ts';
import { FsBlobStore } from '../../src/store/blobs/index.ts';
import { migrate, type Db } from '../../src/store/db/index.ts';
import { openPglite } from '../../src/store/db/pglite.ts';
import { rejectsWith } from '../support/tracking.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10);
const record = (i: number, over: Record<string, unknown> = {}) => ({ id: `r${i}`, ts: T0 + i * 1000, model: { name: 'cls', version: 1, sha256: 'x' }, output: { label: i % 3 === 0 ? 'cat' : 'dog' }, latencyMs: 2, confidence: 0.5, drift: i % 5 === 0 ? 1 : 0, ...over });
const records = (n: number, from = 0) => Array.from({ length: n }, (_, i) => record(from + i));

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
  const count = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(`SELECT (${sql})::int AS n`, params)).rows[0]!.n;

  before(async () => {
    db = await openPglite(undefined);
    await migrate(db);
    dir = await mkdtemp(path.join(os.tmpdir(), 'ingest-'));
    blobs = await FsBlobStore.open(dir);
    ingest = new IngestService(db, blobs);
    const devices = new DevicesService(db);
    const group = await devices.createGroup('lab', '', null);
    deviceA = (await devices.enrol((await devices.createCode(group.id, { uses: 2, expiresInSeconds: 60 }, null)).code, 'a')).deviceId;
    deviceB = (await devices.enrol((await devices.createCode(group.id, { uses: 1, expiresInSeconds: 60 }, null)).code, 'b')).deviceId;
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
    assert.equal(await count("SELECT sum(count) FROM inference_hourly WHERE device_id = $1", [deviceA]), 10);
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

  it('rolls records up per model version and hour, adding across batches', async () => {
    const v2 = (i: number, ts: number) => record(i, { model: { name: 'cls', version: 2, sha256: 'y' }, ts, latencyMs: 4, confidence: 0.25, drift: i === 0 ? 3 : 0, output: { label: i % 2 ? 'cat' : 'dog' } });
    await upload(deviceB, 'h1', [v2(0, T0), v2(1, T0 + 10), v2(2, T0 + HOUR + 5)]);
    await upload(deviceB, 'h2', [v2(3, T0 + 20), record(9, { model: { name: 'cls', version: 2, sha256: 'y' }, ts: T0 + 30, output: { classIndex: 7 } })]);
    const { rows } = await db.query<{ hour: Date; count: string; latency_sum: number; confidence_sum: number; drift_alarms: string; classes: Record<string, number> }>(
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
    const flags = [0, DRIFT_FLAGS.feature, DRIFT_FLAGS.confidence << WARNING_SHIFT, DRIFT_FLAGS.knn | (DRIFT_FLAGS.feature << WARNING_SHIFT), DRIFT_FLAGS.feature | DRIFT_FLAGS.prediction, (DRIFT_FLAGS.knn | DRIFT_FLAGS.prediction) << WARNING_SHIFT];
    await upload(deviceB, 'w1', flags.slice(0, 3).map((drift, i) => record(100 + i, { model: v3, ts: T0 + i, drift })));
    await upload(deviceB, 'w2', flags.slice(3).map((drift, i) => record(200 + i, { model: v3, ts: T0 + 10 + i, drift })));
    const { rows } = await db.query<{ drift_alarms: string; drift_warnings: string }>('SELECT drift_alarms, drift_warnings FROM inference_hourly WHERE device_id = $1 AND model_version = 3', [deviceB]);
    assert.deepEqual(rows.map((r) => [Number(r.drift_alarms), Number(r.drift_warnings)]), [[3, 3]], 'alarms: records 1, 3, 4; warnings: records 2, 3, 5');
  });
});
