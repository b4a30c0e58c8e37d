import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, pgliteServer, type TestServer } from '../../testing/server-process.ts';
import { DataLogger } from '../src/lcm/logger/index.ts';
import { openLcmDb } from '../src/lcm/storage/db.ts';
import { LogUploader, RetryableError } from '../src/lcm/sync/uploader.ts';
import type { InferenceObservation } from '../src/lcm/types.ts';

const MODEL = { name: 'cls', version: 1, sha256: 'a'.repeat(64) };
const T0 = Date.UTC(2026, 0, 1, 8);
const obs = (d: number, i: number): InferenceObservation => ({
  id: `d${d}-o${i}`,
  ts: T0 + i * 1000,
  model: MODEL,
  latencyMs: 1 + (i % 3),
  classIndex: i % 2,
  label: `class-${d}-${i}`,
  confidence: 0.8,
  probabilities: [0.2, 0.8],
  batch: 1,
});

/** A server that admits one heavy request at a time: a herd of devices is shed with 503 + Retry-After, and every batch still lands once. */
describe('LogUploader under load shedding and resumable upload (server process, PGlite)', () => {
  let ctx: TestServer;
  let v1 = '';
  const devices: { token: string; logger: DataLogger }[] = [];

  before(async () => {
    ctx = await pgliteServer({ LOAD_SHED_CONCURRENCY: '1', LOAD_SHED_QUEUE: '0' });
    v1 = `${ctx.server.url}/api/v1`;
    const group = await api(`${v1}/device-groups`, { token: ctx.adminToken, body: { name: 'herd' } });
    const code = await api(`${v1}/device-groups/${group.body.id}/enrolment-codes`, {
      token: ctx.adminToken,
      body: { uses: 10, expiresInSeconds: 600 },
    });
    for (let d = 0; d < 9; d++) {
      const enrolled = await api(`${v1}/devices/enrol`, { body: { code: code.body.code } });
      assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
      devices.push({
        token: enrolled.body.token,
        logger: new DataLogger(await openLcmDb(`herd-${d}-${Date.now()}`), { batchSize: 50, flushIntervalMs: 60_000 }),
      });
    }
  });
  after(async () => {
    const { code } = await ctx.server.stop();
    await ctx.teardown();
    assert.equal(code, 0);
  });

  const records = async () => (await api(`${v1}/fleet/summary`, { token: ctx.adminToken })).body.records as number;

  it('a herd is shed with 503 and Retry-After, which the devices wait out; each batch is acknowledged and stored once', async () => {
    const herd = devices.slice(0, 8);
    herd.forEach((d, i) => {
      for (let n = 0; n < 120; n++) d.logger.log(obs(i, n));
    });
    const shed: { retryAfter: number; code: string }[] = [];
    const waits: { ms: number; floor: number }[] = [];
    let lastRetryAfter = 0;
    const watching: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (res.status === 503) {
        lastRetryAfter = Number(res.headers.get('retry-after'));
        shed.push({
          retryAfter: lastRetryAfter,
          code: ((await res.clone().json()) as { error: { code: string } }).error.code,
        });
      }
      return res;
    };
    const summaries = await Promise.all(
      herd.map((d) =>
        new LogUploader({
          logger: d.logger,
          url: ctx.server.url,
          token: d.token,
          fetch: watching,
          maxRecords: 60,
        }).uploadWithRetry({
          attempts: 60,
          baseMs: 50,
          maxMs: 400,
          // The wait is recorded against the Retry-After that caused it, then slept a tenth of it: the test stays fast.
          sleep: async (ms) => {
            waits.push({ ms, floor: lastRetryAfter * 1000 });
            await new Promise((r) => setTimeout(r, ms / 10));
          },
        }),
      ),
    );
    assert.ok(shed.length > 0, 'one slot and no queue: some of 8 devices at once were shed');
    for (const s of shed) {
      assert.equal(s.code, 'overloaded');
      assert.ok(s.retryAfter >= 1 && s.retryAfter <= 60, `Retry-After ${s.retryAfter}`);
    }
    assert.ok(
      waits.every((w) => w.ms >= 1000),
      `every wait after a 503 honours its Retry-After: ${JSON.stringify(waits)}`,
    );
    assert.equal(
      summaries.reduce((n, s) => n + s.records, 0),
      8 * 120,
    );
    for (const d of herd) assert.deepEqual(await d.logger.pendingBatches(), []);
    assert.equal(await records(), 8 * 120, 'each record stored once');
    const metrics = await (await fetch(`${ctx.server.url}/metrics`)).text();
    assert.match(metrics, /^tinysphere_load_shed_total [1-9]\d*$/m);
  });

  it("a large batch goes up in chunks; a cut connection resumes from the server's offset and the batch is stored once", async () => {
    const device = devices[8]!;
    for (let n = 0; n < 400; n++) device.logger.log(obs(8, n));
    const before = await records();
    let puts = 0;
    const methods: string[] = [];
    // The third chunk reaches the server, its answer is lost.
    const cutting: typeof fetch = async (input, init) => {
      methods.push(init?.method ?? 'GET');
      const res = await fetch(input, init);
      if (init?.method === 'PUT' && ++puts === 3) throw new TypeError('network connection lost');
      return res;
    };
    const uploader = new LogUploader({
      logger: device.logger,
      url: ctx.server.url,
      token: device.token,
      fetch: cutting,
      maxRecords: 400,
      chunkThreshold: 2048,
      chunkSize: 1024,
    });
    await assert.rejects(uploader.uploadOnce(), RetryableError);
    assert.equal((await device.logger.pendingBatches()).length, 1, 'not acknowledged: kept');
    const [batchId] = await device.logger.pendingBatches();
    const staged = await api(`${v1}/devices/me/batches/${batchId}/upload`, { token: device.token });
    assert.equal(staged.body.offset, 3 * 1024, 'three chunks received');
    assert.equal(staged.headers.get('upload-offset'), String(3 * 1024));

    methods.length = 0;
    assert.deepEqual(await uploader.uploadOnce(), { batches: 1, records: 400, setAside: 0 });
    assert.equal(methods[0], 'GET', 'the resend asks for the offset first');
    const total = staged.body.total as number;
    assert.equal(
      methods.filter((m) => m === 'PUT').length,
      Math.ceil((total - 3 * 1024) / 1024),
      'only the rest was sent',
    );
    assert.equal((await records()) - before, 400);
    assert.deepEqual(await device.logger.pendingBatches(), []);
  });
});
