import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { DriftEventRecord } from '../../../shared/protocol/index.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import {
  backoff,
  DriftWebhook,
  LEASE_MARGIN_MS,
  signature,
  type WebhookConfig,
} from '../../src/services/drift-events/webhook.ts';
import { migrate, openDb, type Db } from '../../src/store/db/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../testing/postgres.ts';
import { migratedPglite } from '../../../testing/test-db.ts';

const logger = pino({ level: 'silent' });
const config: WebhookConfig = {
  url: 'http://receiver.invalid/hook',
  secret: 's'.repeat(16),
  maxAttempts: 3,
  timeoutMs: 100,
  backoffMs: 1,
};
const event = (i: number): DriftEventRecord => ({
  id: `e${i}`,
  deviceId: randomUUID(),
  ts: new Date(1_700_000_000_000 + i).toISOString(),
  kind: 'feature',
  feature: 'x',
  detector: 'ewma',
  statistic: i,
  status: 'open',
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A receiver as a fetch: records each body, answers with `status(body)`. */
function receiver(status: (body: string) => number = () => 200) {
  const bodies: string[] = [];
  const fetchFn = (async (_url: string, init: RequestInit) => {
    const body = String(init.body);
    bodies.push(body);
    assert.equal((init.headers as Record<string, string>)['X-TinySphere-Signature'], signature(config.secret, body));
    await sleep(2);
    return new Response('', { status: status(body) });
  }) as unknown as typeof fetch;
  return { bodies, fetchFn, ids: () => bodies.map((b) => (JSON.parse(b) as { event: { id: string } }).event.id) };
}

describe('drift webhook configuration and backoff', () => {
  it('needs the secret with the URL and the URL with the secret; validates the numbers', () => {
    assert.equal(loadConfig({}).driftWebhook, undefined);
    assert.throws(
      () => loadConfig({ DRIFT_WEBHOOK_URL: 'https://hooks.example/x' }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'DRIFT_WEBHOOK_SECRET',
    );
    assert.throws(
      () => loadConfig({ DRIFT_WEBHOOK_SECRET: 'x'.repeat(16) }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'DRIFT_WEBHOOK_URL',
    );
    assert.throws(
      () => loadConfig({ DRIFT_WEBHOOK_URL: 'https://hooks.example/x', DRIFT_WEBHOOK_SECRET: 'short' }),
      /DRIFT_WEBHOOK_SECRET: must be at least 16/,
    );
    assert.throws(() => loadConfig({ DRIFT_WEBHOOK_URL: 'ftp://x' }), /DRIFT_WEBHOOK_URL: must be a URL/);
    assert.throws(() => loadConfig({ DRIFT_WEBHOOK_MAX_ATTEMPTS: '0' }), /DRIFT_WEBHOOK_MAX_ATTEMPTS/);
    assert.throws(() => loadConfig({ DRIFT_WEBHOOK_TIMEOUT_MS: 'soon' }), /DRIFT_WEBHOOK_TIMEOUT_MS/);
    const c = loadConfig({ DRIFT_WEBHOOK_URL: 'https://hooks.example/x', DRIFT_WEBHOOK_SECRET: 'x'.repeat(16) });
    assert.deepEqual(c.driftWebhook, {
      url: 'https://hooks.example/x',
      secret: 'x'.repeat(16),
      maxAttempts: 8,
      timeoutMs: 10_000,
      backoffMs: 1_000,
    });
  });

  it('backs off exponentially with jitter in [half, full], capped at an hour', () => {
    assert.equal(
      backoff(1000, 1, () => 0),
      500,
    );
    assert.equal(
      backoff(1000, 1, () => 1),
      1000,
    );
    assert.equal(
      backoff(1000, 4, () => 0),
      4000,
    );
    assert.equal(
      backoff(1000, 4, () => 1),
      8000,
    );
    assert.equal(
      backoff(1000, 40, () => 1),
      3_600_000,
    );
  });

  it('signs the body with HMAC-SHA256 under the secret', () => {
    // RFC 4231 test case 2.
    assert.equal(
      signature('Jefe', 'what do ya want for nothing?'),
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});

/** The outbox on each backend: shared work, no event lost across a sender's death, bounded attempts. */
for (const backend of ['PGlite', 'PostgreSQL'] as const) {
  describe(`drift webhook outbox: ${backend}`, () => {
    let db: Db | undefined;
    let database: TestDatabase | undefined;
    before(async () => {
      if (backend === 'PGlite') db = await migratedPglite();
      else {
        database = await createTestDatabase();
        if (database) db = await openDb({ databaseUrl: database.url, dataDir: '', poolSize: 6 });
        if (db) await migrate(db);
      }
    });
    after(async () => {
      await db?.close();
      await database?.drop();
    });
    const enqueue = async (events: DriftEventRecord[]) => {
      await db!.transaction((tx) => new DriftWebhook(db!, config, logger).enqueue(tx, events));
    };
    const outbox = async () =>
      (await db!.query<{ n: string }>('SELECT count(*) AS n FROM drift_webhook_outbox')).rows[0]!.n;

    it('two senders share the queue: every event delivered exactly once', async (t) => {
      if (!db) return t.skip(`${backend} is not available`);
      const events = Array.from({ length: 60 }, (_, i) => event(i));
      await enqueue(events);
      const r = receiver();
      await Promise.all([
        new DriftWebhook(db, config, logger, r.fetchFn).drain(),
        new DriftWebhook(db, config, logger, r.fetchFn).drain(),
      ]);
      assert.deepEqual(r.ids().sort(), events.map((e) => e.id).sort());
      assert.equal(await outbox(), '0', 'delivered rows are deleted');
    });

    it('a sender that dies mid-delivery loses nothing: the row comes back when its lease runs out', async (t) => {
      if (!db) return t.skip(`${backend} is not available`);
      await enqueue([event(100)]);
      // This sender's request never returns (the process "died" holding the claim).
      const hung = new DriftWebhook(db, config, logger, (() => new Promise(() => {})) as unknown as typeof fetch);
      void hung.drain();
      await sleep(50);
      const r = receiver();
      const other = new DriftWebhook(db, config, logger, r.fetchFn);
      await other.drain();
      assert.deepEqual(r.ids(), [], 'leased: not sent twice at once');
      await sleep(config.timeoutMs + LEASE_MARGIN_MS + 100);
      await other.drain();
      assert.deepEqual(r.ids(), ['e100']);
      assert.equal(await outbox(), '0');
    });

    it('retries a failing receiver with backoff, then gives up after the last attempt and keeps the error', async (t) => {
      if (!db) return t.skip(`${backend} is not available`);
      await enqueue([event(200)]);
      const r = receiver(() => 503);
      const w = new DriftWebhook(db, config, logger, r.fetchFn);
      for (let i = 0; i < 10 && r.bodies.length < config.maxAttempts; i++) {
        await w.drain();
        await sleep(20);
      }
      assert.equal(r.bodies.length, config.maxAttempts);
      await sleep(20);
      await w.drain();
      assert.equal(r.bodies.length, config.maxAttempts, 'no attempt after the last');
      const { rows } = await db.query<{ attempts: number; gave_up_at: Date | null; last_error: string }>(
        'SELECT attempts, gave_up_at, last_error FROM drift_webhook_outbox',
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.attempts, config.maxAttempts);
      assert.ok(rows[0]!.gave_up_at);
      assert.match(rows[0]!.last_error, /^HTTP 503/);
    });
  });
}
