import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import pino from 'pino';
import { deviceDocId, report, type DeviceDoc, type DeviceHealth } from '../../../shared/documents/index.ts';
import { DocSync } from '../../../shared/sync/documents.ts';
import { DeviceHealthService } from '../../src/services/device-health/index.ts';
import { migrate, type Db } from '../../src/store/db/index.ts';
import { api, type ServerProcess } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';

export interface HealthServerSetup {
  server: ServerProcess;
  adminToken: string;
  teardown(): Promise<void>;
}

export interface HealthDbSetup {
  db: Db;
  teardown(): Promise<void>;
}

/** The server under test keeps one row per device per this many seconds (DEVICE_HEALTH_INTERVAL_SEC). */
export const INTERVAL_SEC = 5;
export const HEALTH_ENV = { DEVICE_HEALTH_INTERVAL_SEC: String(INTERVAL_SEC) };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until an interval has just begun (server and test share the clock), so what follows falls in one interval. */
const intervalStart = () => sleep(INTERVAL_SEC * 1000 - (Date.now() % (INTERVAL_SEC * 1000)) + 100);

interface Enrolled {
  deviceId: string;
  token: string;
  replica: DocSync<DeviceDoc>;
}

/**
 * Device health over real HTTP (a device reports `reported.health` in its document; the server
 * keeps it as a series, rate-limited, and serves it) and the attention rules on the store itself,
 * where timestamps can be set an hour back.
 */
export function runDeviceHealthTests(
  name: string,
  setup: () => Promise<HealthServerSetup | undefined>,
  openDb: () => Promise<HealthDbSetup | undefined>,
): void {
  describe(`device health over HTTP: ${name}`, () => {
    const suite = backendSuite(name, setup, stopServer);
    const test = suite.test;
    let url = '';
    let v1 = '';
    let viewer = '';
    let operator = '';
    const devices: Enrolled[] = [];

    const put = async (d: Enrolled, health: DeviceHealth) => {
      await d.replica.edit((doc) => report(doc, { health }));
      await d.replica.sync();
    };
    const series = (d: Enrolled, query = '', token = viewer) =>
      api(`${v1}/devices/${d.deviceId}/health${query}`, { token });

    before(async () => {
      const ctx = suite.ctx;
      if (!ctx) return;
      url = ctx.server.url;
      v1 = `${url}/api/v1`;
      operator = (await api(`${v1}/tokens`, { token: ctx.adminToken, body: { name: 'ops', role: 'operator' } })).body
        .token;
      viewer = (await api(`${v1}/tokens`, { token: ctx.adminToken, body: { name: 'viewer', role: 'viewer' } })).body
        .token;
      const group = await api(`${v1}/device-groups`, { token: operator, body: { name: 'kiosks' } });
      const code = await api(`${v1}/device-groups/${group.body.id}/enrolment-codes`, {
        token: operator,
        body: { uses: 3, expiresInSeconds: 600 },
      });
      for (const n of ['a', 'b', 'c']) {
        const e = await api(`${v1}/devices/enrol`, { body: { code: code.body.code, name: `kiosk-${n}` } });
        assert.equal(e.status, 201, JSON.stringify(e.body));
        const replica = await DocSync.open<DeviceDoc>({
          url,
          token: e.body.token,
          docId: deviceDocId(e.body.deviceId),
        });
        devices.push({ deviceId: e.body.deviceId, token: e.body.token, replica });
      }
    });

    test('a reported health is stored, served as a series and as the latest in the device answers; one row per interval, the newest wins', async () => {
      const [a, b] = devices as [Enrolled, Enrolled];
      const h1: DeviceHealth = {
        storageUsedBytes: 100,
        storageQuotaBytes: 1000,
        heapUsedBytes: 5e6,
        rttMs: 50,
        networkType: '4g',
        uptimeSec: 10,
        browser: 'Chrome 131',
      };
      await intervalStart();
      await put(a, h1);
      const first = await series(a);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(
        first.body.points.map((p: { health: unknown }) => p.health),
        [h1],
      );
      assert.equal(first.body.truncated, false);

      // Within the same interval: still one row, holding the newer health.
      const h2 = { ...h1, uptimeSec: 11, rttMs: 70 };
      await put(a, h2);
      assert.deepEqual(
        (await series(a)).body.points.map((p: { health: unknown }) => p.health),
        [h2],
      );

      // The next interval: a second row. An exchange that changes nothing in the health adds none.
      await intervalStart();
      const h3 = { ...h1, uptimeSec: 14, storageUsedBytes: 200 };
      await put(a, h3);
      await a.replica.edit((doc) => report(doc, { status: 'running' }));
      await a.replica.sync();
      await intervalStart();
      await a.replica.edit((doc) => report(doc, { status: 'idle' }));
      await a.replica.sync();
      const two = (await series(a)).body;
      assert.deepEqual(
        two.points.map((p: { health: unknown }) => p.health),
        [h2, h3],
        'oldest first, unchanged health not repeated',
      );
      const interval = (p: { ts: string }) => Math.floor(Date.parse(p.ts) / (INTERVAL_SEC * 1000));
      assert.equal(
        interval(two.points[1]) - interval(two.points[0]),
        1,
        `two rows, two intervals: ${JSON.stringify(two.points)}`,
      );

      const newest = await series(a, '?limit=1');
      assert.deepEqual(
        newest.body.points.map((p: { health: unknown }) => p.health),
        [h3],
      );
      assert.equal(newest.body.truncated, true);
      const before = await series(a, `?to=${encodeURIComponent(two.points[0].ts)}`);
      assert.deepEqual(before.body.points, [], '`to` is exclusive');

      const list = await api(`${v1}/devices`, { token: viewer });
      const byId = new Map(list.body.map((d: { id: string; health: unknown }) => [d.id, d.health]));
      assert.deepEqual((byId.get(a.deviceId) as { health: unknown }).health, h3);
      assert.equal(byId.get(b.deviceId), null, 'null before the first health');
      assert.deepEqual((await api(`${v1}/devices/${a.deviceId}`, { token: viewer })).body.health.health, h3);
      assert.deepEqual((await api(`${v1}/devices/me`, { token: a.token })).body.health.health, h3);
    });

    test('a device token reads only its own series (403 for another device); unknown device 404', async () => {
      const [a, b] = devices as [Enrolled, Enrolled];
      assert.equal((await series(a, '', a.token)).status, 200);
      const other = await series(a, '', b.token);
      assert.equal(other.status, 403);
      assert.equal(other.body.error.code, 'forbidden');
      const unknown = await api(`${v1}/devices/00000000-0000-4000-8000-000000000000/health`, { token: viewer });
      assert.equal(unknown.status, 404);
      assert.equal((await api(`${v1}/devices/${a.deviceId}/health`)).status, 401);
    });

    test('bad parameters are 400 naming what is wrong', async () => {
      const [a] = devices as [Enrolled];
      for (const [query, names] of [
        ['?from=yesterday', /from/],
        ['?limit=0', /limit/],
        ['?limit=10001', /limit/],
        ['?limit=ten', /limit/],
        ['?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', /`to` must be after `from`/],
      ] as const) {
        const res = await series(a, query);
        assert.equal(res.status, 400, `${query}: ${JSON.stringify(res.body)}`);
        assert.match(res.body.error.message, names, query);
      }
      const badId = await api(`${v1}/devices/not-a-uuid/health`, { token: viewer });
      assert.equal(badId.status, 400);
      assert.equal((await api(`${v1}/fleet/attention?limit=0`, { token: viewer })).status, 400);
    });

    test('a health outside the schema is refused (400 naming the field) and kept out of the series', async () => {
      const c = devices[2]!;
      // Written past the device's own validation, as a faulty or hostile client could; on a copy of
      // the device's replica, which would otherwise hold a change the server refuses.
      const faulty = await DocSync.open<DeviceDoc>({ url, token: c.token, docId: deviceDocId(c.deviceId) });
      await faulty.sync();
      await faulty.edit((doc) =>
        A.change(doc, (d) => void (d.reported.health = { batteryLevel: 5, browser: 'x'.repeat(500) })),
      );
      await assert.rejects(faulty.sync(), /HTTP 400 .*reported\.health\.batteryLevel/);
      assert.deepEqual((await series(c)).body.points, []);
    });

    test('attention over HTTP: storage over 90 % and low battery not charging are flagged; a charging device is not', async () => {
      const [a, b, c] = devices as [Enrolled, Enrolled, Enrolled];
      await put(a, { storageUsedBytes: 950, storageQuotaBytes: 1000 });
      await put(b, { batteryLevel: 0.1, charging: false });
      await put(c, { batteryLevel: 0.1, charging: true });
      const res = await api(`${v1}/fleet/attention`, { token: viewer });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(
        res.body.devices.map((d: { name: string; reasons: string[] }) => [d.name, d.reasons]),
        [
          ['kiosk-a', ['storage']],
          ['kiosk-b', ['battery']],
        ],
      );
      assert.equal(res.body.devices[0].storageShare, 0.95);
      assert.equal(res.body.total, 2);
      assert.deepEqual(res.body.thresholds, { storageShare: 0.9, batteryLevel: 0.2, notSeenMs: 3_600_000 });
      const one = await api(`${v1}/fleet/attention?limit=1`, { token: viewer });
      assert.equal(one.body.devices.length, 1);
      assert.equal(one.body.total, 2);
      assert.equal((await api(`${v1}/fleet/attention`, { token: a.token })).status, 403, 'not for device tokens');
    });
  });

  describe(`device health store: ${name}`, () => {
    const suite = backendSuite(name, openDb, (s) => s.teardown());
    const test = suite.test;
    let health: DeviceHealthService;
    const ids: Record<string, string> = {};

    before(async () => {
      const db = suite.ctx?.db;
      if (!db) return;
      await migrate(db);
      health = new DeviceHealthService(db, pino({ level: 'silent' }), { retentionDays: 30, intervalSec: 60 });
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO device_groups (name, description) VALUES ('g', '') RETURNING id`,
      );
      // Seen: now, two hours ago, never since an hour and a minute; one revoked.
      for (const [n, seen, revoked] of [
        ['full', 'now()', false],
        ['low', 'now()', false],
        ['gone', "now() - interval '2 hours'", false],
        ['edge', "now() - interval '59 minutes'", false],
        ['revoked', "now() - interval '2 hours'", true],
        ['fine', 'now()', false],
      ] as const) {
        const r = await db.query<{ id: string }>(
          `INSERT INTO devices (group_id, name, last_seen_at, revoked_at) VALUES ($1, $2, ${seen}, ${revoked ? 'now()' : 'NULL'}) RETURNING id`,
          [rows[0]!.id, n],
        );
        ids[n] = r.rows[0]!.id;
      }
    });

    test('attention: storage over 90 %, battery under 20 % not charging, not seen for an hour; revoked left out', async () => {
      await health.record(ids.full!, {
        storageUsedBytes: 901,
        storageQuotaBytes: 1000,
        batteryLevel: 0.19,
        charging: true,
      });
      await health.record(ids.low!, { storageUsedBytes: 900, storageQuotaBytes: 1000, batteryLevel: 0.19 });
      await health.record(ids.fine!, {
        storageUsedBytes: 10,
        storageQuotaBytes: 0,
        batteryLevel: 0.2,
        charging: false,
      });
      await health.record(ids.gone!, { storageUsedBytes: 999, storageQuotaBytes: 1000 });
      const a = await health.attention(100);
      assert.deepEqual(
        a.devices.map((d) => [d.name, d.reasons]),
        [
          ['full', ['storage']],
          ['gone', ['storage', 'not_seen']],
          ['low', ['battery']],
        ],
      );
      assert.equal(a.total, 3);
      const low = a.devices.find((d) => d.name === 'low')!;
      assert.deepEqual([low.storageShare, low.batteryLevel, low.charging], [0.9, 0.19, null]);
    });

    test('the same health twice is one row; rows past the retention are pruned, newer ones kept', async () => {
      const db = suite.ctx!.db;
      assert.equal(await health.record(ids.edge!, { uptimeSec: 1 }), true, 'first row');
      assert.equal(await health.record(ids.edge!, { uptimeSec: 1 }), false, 'unchanged: nothing written');
      await db.query(
        `INSERT INTO device_health (device_id, bucket, ts, health) VALUES ($1, now() - interval '40 days', now() - interval '40 days', '{"uptimeSec": 0}')`,
        [ids.edge],
      );
      const count = async () =>
        Number(
          (await db.query<{ n: string }>('SELECT count(*) AS n FROM device_health WHERE device_id = $1', [ids.edge]))
            .rows[0]!.n,
        );
      assert.equal(await count(), 2);
      assert.equal(await health.prune(new Date(Date.now() - 30 * 86_400_000)), 1);
      assert.equal(await count(), 1);
      const s = await health.series(ids.edge!, { limit: 10 });
      assert.deepEqual(
        s.points.map((p) => p.health),
        [{ uptimeSec: 1 }],
      );
      assert.equal(
        await health.record('00000000-0000-4000-8000-000000000000', { uptimeSec: 1 }),
        false,
        'an unknown device stores nothing',
      );
    });
  });
}
