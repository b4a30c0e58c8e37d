import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { deleteDB } from 'idb';
import { DEFAULT_MAX_BATCH_RECORDS } from '../../shared/ingest/record.ts';
import { readPackage } from '../../shared/ingest/unpack.ts';
import { DataLogger } from '../src/lcm/logger/index.ts';
import { openLcmDb } from '../src/lcm/storage/db.ts';
import { LogUploader, RetryableError, UploadRejectedError } from '../src/lcm/sync/uploader.ts';
import type { InferenceObservation } from '../src/lcm/types.ts';

const MODEL = { name: 'cls', version: 1, sha256: 'a'.repeat(64) };
const T0 = Date.UTC(2026, 0, 1, 8);
const obs = (i: number): InferenceObservation => ({
  id: `o${i}`,
  ts: T0 + i,
  model: MODEL,
  latencyMs: 1,
  classIndex: i % 2,
  label: i % 2 ? 'cat' : 'dog',
  confidence: 0.8,
  batch: 1,
});

interface Received {
  batchId: string;
  records: number;
}

/**
 * A TinySphere stand-in: unpacks each batch upload and answers `answer(n)` for the n-th upload
 * (a status, or 'network' for a failed fetch), 201 by default.
 */
function fakeServer(answer: (n: number, batch: Received) => number | 'network' = () => 201) {
  const received: Received[] = [];
  const fetch: typeof globalThis.fetch = async (_input, init) => {
    const form = init?.body as FormData;
    const pkg = await readPackage(new Uint8Array(await (form.get('package') as Blob).arrayBuffer()));
    const batch = { batchId: pkg.manifest.batchId, records: pkg.records.length };
    received.push(batch);
    const status = answer(received.length, batch);
    if (status === 'network') throw new TypeError('network connection lost');
    const body =
      status < 300 ? { ...batch, duplicate: false } : { error: { code: 'refused', message: `refused with ${status}` } };
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, received };
}

describe('LogUploader: a refused batch is set aside, not resent forever (IndexedDB, real Chromium)', () => {
  const names: string[] = [];
  const newLogger = async (batchSize = 10) => {
    const name = `uploader-${Math.random().toString(36).slice(2)}`;
    names.push(name);
    return new DataLogger(await openLcmDb(name), { batchSize, flushIntervalMs: 60_000 });
  };
  after(async () => {
    for (const n of names) await deleteDB(n);
  });

  it('a 400 sets the batch aside: the others are stored, it is kept, exported, counted, listed, and never sent again', async () => {
    const logger = await newLogger();
    for (let i = 0; i < 30; i++) logger.log(obs(i));
    const server = fakeServer((n) => (n === 2 ? 400 : 201));
    const uploader = new LogUploader({
      logger,
      url: 'https://sphere.test',
      token: 't',
      fetch: server.fetch,
      maxRecords: 10,
    });
    assert.deepEqual(await uploader.uploadOnce(), { batches: 2, records: 20, setAside: 1 });
    const refused = server.received[1]!.batchId;

    assert.deepEqual(await logger.pendingBatches(), []);
    assert.deepEqual(await uploader.uploadOnce(), { batches: 0, records: 0, setAside: 0 });
    assert.equal(server.received.length, 3, 'the refused batch is not sent again');

    const aside = await logger.setAsideBatches();
    assert.deepEqual(
      aside.map((b) => [b.batchId, b.status, b.records]),
      [[refused, 400, 10]],
    );
    assert.match(aside[0]!.message, /HTTP 400 .*refused with 400/);
    const stats = await logger.stats();
    assert.deepEqual([stats.setAsideBatches, stats.setAsideRecords, stats.count], [1, 10, 30]);

    // Kept through retention (only acknowledged records are deleted) and in the export, marked.
    await new DataLogger(logger.store.db, { retention: { maxRecords: 0 } }).enforceRetention();
    const lines = (await logger.exportText('jsonl'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; setAside?: boolean; batchId?: string });
    assert.deepEqual(
      lines.map((r) => r.id),
      Array.from({ length: 10 }, (_, i) => `o${10 + i}`),
    );
    assert.equal(
      lines.every((r) => r.setAside === true && r.batchId === refused),
      true,
    );
    assert.match((await logger.exportText('csv')).split('\r\n')[1]!, /,true$/);
  });

  it('a 413 or 422 sets aside too; 401, 403, 409, 500 and a network failure do not (the batch stays pending, the run stops)', async () => {
    for (const status of [413, 422]) {
      const logger = await newLogger();
      for (let i = 0; i < 10; i++) logger.log(obs(i));
      const server = fakeServer(() => status);
      assert.deepEqual(
        await new LogUploader({ logger, url: 'https://sphere.test', token: 't', fetch: server.fetch }).uploadOnce(),
        { batches: 0, records: 0, setAside: 1 },
      );
      assert.deepEqual(
        (await logger.setAsideBatches()).map((b) => b.status),
        [status],
      );
    }
    for (const status of [401, 403, 409, 500, 'network'] as const) {
      const logger = await newLogger();
      for (let i = 0; i < 10; i++) logger.log(obs(i));
      const server = fakeServer(() => status);
      const uploader = new LogUploader({ logger, url: 'https://sphere.test', token: 't', fetch: server.fetch });
      let error: unknown;
      await uploader.uploadOnce().catch((err: unknown) => (error = err));
      assert.ok(
        error instanceof (status === 500 || status === 'network' ? RetryableError : UploadRejectedError),
        String(status),
      );
      assert.deepEqual(await logger.setAsideBatches(), [], String(status));
      assert.equal((await logger.pendingBatches()).length, 1, String(status));
    }
  });

  it('never packs more records than the server accepts by default, whatever maxRecords or the segment size say', async () => {
    assert.throws(() => new DataLogger({} as never, { batchSize: DEFAULT_MAX_BATCH_RECORDS + 1 }), RangeError);
    const logger = await newLogger(4000);
    for (let i = 0; i < 12_000; i++) logger.log(obs(i));
    const server = fakeServer();
    const summary = await new LogUploader({
      logger,
      url: 'https://sphere.test',
      token: 't',
      fetch: server.fetch,
      maxRecords: 50_000,
    }).uploadOnce();
    assert.equal(summary.records, 12_000);
    assert.deepEqual(
      server.received.map((b) => b.records),
      [8000, 4000],
    );
  });
});
