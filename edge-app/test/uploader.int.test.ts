import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serverProcessDb } from '../../testing/test-db.ts';
import { api, startServerProcess, tempDataDir, type ServerProcess } from '../../testing/server-process.ts';
import { DataLogger } from '../src/lcm/logger/index.ts';
import { openLcmDb } from '../src/lcm/storage/db.ts';
import { LogUploader, RetryableError } from '../src/lcm/sync/uploader.ts';
import type { InferenceObservation } from '../src/lcm/types.ts';

const MODEL = { name: 'cls', version: 1, sha256: 'a'.repeat(64) };
const T0 = Date.UTC(2026, 0, 1, 8);
const obs = (i: number): InferenceObservation => ({
  id: `o${i}`,
  ts: T0 + i * 1000,
  model: MODEL,
  latencyMs: 1 + (i % 3),
  classIndex: i % 2,
  label: i % 2 ? 'cat' : 'dog',
  confidence: 0.8,
  probabilities: [0.2, 0.8],
  batch: 1,
});

/** The device side against a real server: a lost acknowledgement, a retry, and each record stored exactly once. */
describe('LogUploader end to end (server process, PGlite)', () => {
  let server: ServerProcess;
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  let token = '';
  let logger: DataLogger;
  let stopped = false;
  const adminToken = 'uploader-admin-token-0123456789';

  before(async () => {
    data = await tempDataDir();
    server = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: adminToken, DEMO: '0' });
    const v1 = `${server.url}/api/v1`;
    const group = await api(`${v1}/device-groups`, { token: adminToken, body: { name: 'lab' } });
    const code = await api(`${v1}/device-groups/${group.body.id}/enrolment-codes`, {
      token: adminToken,
      body: { uses: 1, expiresInSeconds: 600 },
    });
    const enrolled = await api(`${v1}/devices/enrol`, { body: { code: code.body.code } });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    token = enrolled.body.token;
    logger = new DataLogger(await openLcmDb(`uploader-e2e-${Date.now()}`), { batchSize: 100, flushIntervalMs: 60_000 });
  });
  after(async () => {
    if (!stopped) await server.stop();
    await data.remove();
  });

  it('a batch whose acknowledgement is lost is resent under the same id and stored once', async () => {
    for (let i = 0; i < 250; i++) logger.log(obs(i));
    // The request reaches the server and is stored; the answer never reaches the device.
    const lossy: typeof fetch = async (input, init) => {
      await fetch(input, init);
      throw new TypeError('network connection lost');
    };
    await assert.rejects(
      new LogUploader({ logger, url: server.url, token, fetch: lossy }).uploadOnce(),
      RetryableError,
    );
    const pending = await logger.pendingBatches();
    assert.equal(pending.length, 1, 'the batch is sent but not acknowledged: kept, not deleted');
    assert.equal((await logger.stats()).count, 250);

    let answers: number[] = [];
    const recording: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      answers.push(res.status);
      return res;
    };
    const uploader = new LogUploader({ logger, url: server.url, token, fetch: recording });
    assert.deepEqual(await uploader.uploadOnce(), { batches: 1, records: 250, setAside: 0 });
    assert.deepEqual(answers, [200], 'the resend was recognised as a duplicate');
    assert.deepEqual(await logger.pendingBatches(), []);

    // New records, and a server that is briefly unavailable: retried with backoff.
    for (let i = 250; i < 300; i++) logger.log(obs(i));
    answers = [];
    let calls = 0;
    const flaky: typeof fetch = async (input, init) =>
      ++calls === 1 ? new Response('busy', { status: 503, headers: { 'retry-after': '0' } }) : recording(input, init);
    const waits: number[] = [];
    const summary = await new LogUploader({ logger, url: server.url, token, fetch: flaky }).uploadWithRetry({
      attempts: 3,
      baseMs: 100,
      maxMs: 1000,
      random: () => 0.5,
      sleep: async (ms) => void waits.push(ms),
    });
    assert.deepEqual(summary, { batches: 1, records: 50, setAside: 0 });
    assert.deepEqual(waits, [50]);
    assert.deepEqual(answers, [201]);
    const stats = await logger.stats();
    assert.equal(stats.unsent, 0);
    assert.deepEqual(await logger.pendingBatches(), []);
    assert.deepEqual(await new LogUploader({ logger, url: server.url, token }).uploadOnce(), {
      batches: 0,
      records: 0,
      setAside: 0,
    });
  });

  it('the server holds each record exactly once', async () => {
    const { code } = await server.stop();
    stopped = true;
    assert.equal(code, 0);
    const db = await serverProcessDb(data.dir);
    try {
      const one = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);
      assert.equal(await one('SELECT count(*) AS n FROM inference_records'), 300);
      assert.equal(await one('SELECT count(DISTINCT ts) AS n FROM inference_records'), 300);
      assert.equal(await one('SELECT count(*) AS n FROM log_batches'), 2);
      assert.equal(await one('SELECT sum(count) AS n FROM inference_hourly'), 300);
    } finally {
      await db.close();
    }
  });
});
