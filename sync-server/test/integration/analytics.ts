import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { acknowledgeEvent, appendEvent, deviceDocId, report, type DeviceDoc } from '../../../shared/documents/index.ts';
import { buildPackage } from '../../../shared/ingest/index.ts';
import { DocSync } from '../../../shared/sync/documents.ts';
import { api, type TestServer } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';

const H10 = Date.UTC(2026, 0, 1, 10);
const MIN = 60_000;

interface Rec {
  at: number;
  latencyMs: number;
  confidence: number;
  label?: string;
  classIndex?: number;
  version?: number;
  drift?: number;
}
let n = 0;
const record = (r: Rec) => ({
  id: `r${++n}`,
  ts: r.at,
  model: { name: 'cls', version: r.version ?? 1, sha256: 'x' },
  output: {
    ...(r.label !== undefined ? { label: r.label } : {}),
    ...(r.classIndex !== undefined ? { classIndex: r.classIndex } : {}),
  },
  latencyMs: r.latencyMs,
  confidence: r.confidence,
  drift: r.drift ?? 0,
});

// Device A, hour 10: four cls@1 records; drift 1 is a feature alarm, 16 a feature warning.
const HOUR10 = [
  record({ at: H10 + 1 * MIN, latencyMs: 10, confidence: 0.9, label: 'cat' }),
  record({ at: H10 + 2 * MIN, latencyMs: 40, confidence: 0.8, label: 'cat', drift: 1 }),
  record({ at: H10 + 3 * MIN, latencyMs: 30, confidence: 0.7, label: 'dog' }),
  record({ at: H10 + 4 * MIN, latencyMs: 20, confidence: 0.6, classIndex: 2, drift: 16 }),
];
// Hour 11: two cls@2, one cls@1; drift 6 = confidence and prediction. Then one record on each
// side of the 10:00–12:00 window.
const HOUR11 = [
  record({ at: H10 + 61 * MIN, latencyMs: 100, confidence: 0.5, label: 'dog', version: 2, drift: 6 }),
  record({ at: H10 + 62 * MIN, latencyMs: 5, confidence: 0.4, label: 'dog', version: 2 }),
  record({ at: H10 + 63 * MIN, latencyMs: 7, confidence: 0.3, label: 'cat' }),
];
const OUTSIDE = [
  record({ at: H10 - 1, latencyMs: 1000, confidence: 1, label: 'bird' }),
  record({ at: H10 + 150 * MIN, latencyMs: 1000, confidence: 1, label: 'bird' }),
];
// Device B, another group, hour 10.
const B_RECORDS = [record({ at: H10 + 30 * MIN, latencyMs: 50, confidence: 0.1, label: 'bird', drift: 1 })];

/** PostgreSQL's percentile_cont, by hand: linear interpolation between the sorted values around p·(n−1). */
function percentileCont(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = p * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const close = (actual: number | null, expected: number, what: string) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

function assertQuantiles(
  got: { p50: number | null; p95: number | null; p99: number | null },
  records: { latencyMs: number }[],
  what: string,
) {
  const lat = records.map((r) => r.latencyMs);
  close(got.p50, percentileCont(lat, 0.5), `${what} p50`);
  close(got.p95, percentileCont(lat, 0.95), `${what} p95`);
  close(got.p99, percentileCont(lat, 0.99), `${what} p99`);
}

async function upload(v1: string, token: string, batchId: string, records: object[]) {
  const form = new FormData();
  form.append('package', new Blob([(await buildPackage(batchId, records)) as Uint8Array<ArrayBuffer>]), 'batch.tar.gz');
  const res = await fetch(`${v1}/devices/me/batches`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  assert.equal(res.status, 201, await res.text());
}

const WINDOW = `from=${new Date(H10).toISOString()}&to=${new Date(H10 + 120 * MIN).toISOString()}`;

/** Device and fleet series, the device page, over a real server: exact numbers for known uploads. */
export function runAnalyticsTests(name: string, setup: () => Promise<TestServer | undefined>): void {
  describe(`fleet analytics: ${name}`, () => {
    const suite = backendSuite(name, setup, stopServer);
    const test = suite.test;
    let v1 = '';
    let operator = '';
    let viewer = '';
    let groupA = '';
    let groupB = '';
    const dev: Record<'a' | 'b', { deviceId: string; token: string }> = {
      a: { deviceId: '', token: '' },
      b: { deviceId: '', token: '' },
    };

    before(async () => {
      const ctx = suite.ctx;
      if (!ctx) return;
      v1 = `${ctx.server.url}/api/v1`;
      operator = (await api(`${v1}/tokens`, { token: ctx.adminToken, body: { name: 'ops', role: 'operator' } })).body
        .token;
      viewer = (await api(`${v1}/tokens`, { token: ctx.adminToken, body: { name: 'watcher', role: 'viewer' } })).body
        .token;
      for (const [key, group] of [
        ['a', 'lab'],
        ['b', 'field'],
      ] as const) {
        const g = await api(`${v1}/device-groups`, { token: operator, body: { name: group } });
        if (key === 'a') groupA = g.body.id;
        else groupB = g.body.id;
        const code = await api(`${v1}/device-groups/${g.body.id}/enrolment-codes`, {
          token: operator,
          body: { uses: 1, expiresInSeconds: 600 },
        });
        const enrolled = await api(`${v1}/devices/enrol`, { body: { code: code.body.code, name: `cam-${key}` } });
        assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
        dev[key] = enrolled.body;
      }
      await upload(v1, dev.a.token, 'a-1', HOUR10);
      await upload(v1, dev.a.token, 'a-2', [...HOUR11, ...OUTSIDE]);
      await upload(v1, dev.b.token, 'b-1', B_RECORDS);
    });

    test('device metrics: per-hour counts, exact latency quantiles, confidence, classes, drift, versions', async () => {
      const res = await api(`${v1}/devices/${dev.a.deviceId}/metrics?${WINDOW}&bucket=hour`, { token: viewer });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const m = res.body;
      assert.equal(m.from, '2026-01-01T10:00:00.000Z');
      assert.equal(m.to, '2026-01-01T12:00:00.000Z');
      assert.deepEqual(
        m.buckets.map((b: any) => b.start),
        ['2026-01-01T10:00:00.000Z', '2026-01-01T11:00:00.000Z'],
      );
      const [h10, h11] = m.buckets;
      assert.equal(h10.count, 4);
      // Sorted 10, 20, 30, 40: p50 halfway between 20 and 30, p95 at 2.85 → 38.5, p99 at 2.97 → 39.7.
      close(h10.latencyMs.p50, 25, 'p50 literal');
      close(h10.latencyMs.p95, 38.5, 'p95 literal');
      close(h10.latencyMs.p99, 39.7, 'p99 literal');
      assertQuantiles(h10.latencyMs, HOUR10, 'hour 10');
      close(h10.meanLatencyMs, 25, 'hour 10 mean latency');
      close(h10.meanConfidence, mean(HOUR10.map((r) => r.confidence)), 'hour 10 confidence');
      assert.deepEqual(h10.classes, { cat: 2, dog: 1, '2': 1 });
      // One alarm record (drift 1) and one warning record (drift 16): a warning is not an alarm.
      assert.equal(h10.driftAlarms, 1);
      assert.equal(h10.driftWarnings, 1);
      assert.deepEqual(h10.drift, { feature: 1, confidence: 0, prediction: 0, knn: 0, warnings: 1 });
      assert.deepEqual(h10.byModelVersion, { 'cls@1': 4 });

      assert.equal(h11.count, 3);
      assertQuantiles(h11.latencyMs, HOUR11, 'hour 11');
      close(h11.latencyMs.p50, 7, 'hour 11 p50 literal');
      assert.deepEqual(h11.classes, { dog: 2, cat: 1 });
      assert.equal(h11.driftAlarms, 1, 'two kinds on one record: one alarm record');
      assert.equal(h11.driftWarnings, 0);
      assert.deepEqual(h11.drift, { feature: 0, confidence: 1, prediction: 1, knn: 0, warnings: 0 });
      assert.deepEqual(h11.byModelVersion, { 'cls@1': 1, 'cls@2': 2 });

      // Totals are quantiles over the whole window, not an average of the buckets'.
      const all = [...HOUR10, ...HOUR11];
      assert.equal(m.totals.count, 7);
      assertQuantiles(m.totals.latencyMs, all, 'window');
      close(m.totals.latencyMs.p50, 20, 'window p50 literal');
      assert.deepEqual(m.totals.classes, { cat: 3, dog: 3, '2': 1 });
      assert.equal(m.totals.driftAlarms, 2);
      assert.equal(m.totals.driftWarnings, 1);
      assert.deepEqual(m.totals.byModelVersion, { 'cls@1': 5, 'cls@2': 2 });
    });

    test('device metrics: a model version filter, day buckets widen the window, empty buckets are zeros', async () => {
      const only2 = await api(`${v1}/devices/${dev.a.deviceId}/metrics?${WINDOW}&modelVersion=cls@2`, {
        token: viewer,
      });
      assert.equal(only2.status, 200, JSON.stringify(only2.body));
      assert.equal(only2.body.modelVersion, 'cls@2');
      assert.deepEqual(
        only2.body.buckets.map((b: any) => b.count),
        [0, 2],
      );
      assert.deepEqual(only2.body.buckets[0].latencyMs, { p50: null, p95: null, p99: null });
      assert.equal(only2.body.buckets[0].meanConfidence, null);
      assert.deepEqual(only2.body.buckets[0].classes, {});
      close(only2.body.buckets[1].latencyMs.p50, 52.5, 'cls@2 p50');

      const days = await api(`${v1}/devices/${dev.a.deviceId}/metrics?${WINDOW}&bucket=day`, { token: viewer });
      assert.equal(days.status, 200, JSON.stringify(days.body));
      assert.equal(days.body.from, '2026-01-01T00:00:00.000Z');
      assert.equal(days.body.to, '2026-01-02T00:00:00.000Z');
      assert.equal(days.body.buckets.length, 1);
      const day = [...HOUR10, ...HOUR11, ...OUTSIDE];
      assert.equal(days.body.buckets[0].count, day.length);
      assertQuantiles(days.body.buckets[0].latencyMs, day, 'day');
      assert.deepEqual(days.body.buckets[0].classes, { cat: 3, dog: 3, '2': 1, bird: 2 });
    });

    test('fleet metrics: both devices per hour from the rollups, active devices, a group alone', async () => {
      const res = await api(`${v1}/fleet/metrics?${WINDOW}`, { token: viewer });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const [h10, h11] = res.body.buckets;
      const h10all = [...HOUR10, ...B_RECORDS];
      assert.equal(h10.count, 5);
      assert.equal(h10.activeDevices, 2);
      close(h10.meanLatencyMs, mean(h10all.map((r) => r.latencyMs)), 'fleet latency');
      close(h10.meanConfidence, mean(h10all.map((r) => r.confidence)), 'fleet confidence');
      assert.deepEqual(h10.classes, { cat: 2, dog: 1, '2': 1, bird: 1 });
      assert.equal(h10.driftAlarms, 2, 'from the rollups: device A’s alarm record and device B’s');
      assert.equal(h10.driftWarnings, 1);
      assert.deepEqual([res.body.totals.driftAlarms, res.body.totals.driftWarnings], [3, 1]);
      assert.equal(h10.latencyMs, undefined, 'no quantiles from rollups');
      assert.deepEqual(h11.byModelVersion, { 'cls@1': 1, 'cls@2': 2 });
      assert.equal(h11.activeDevices, 1);
      assert.deepEqual(res.body.totals.byModelVersion, { 'cls@1': 6, 'cls@2': 2 });
      assert.equal(res.body.totals.activeDevices, 2);
      assert.equal(res.body.totals.count, 8);

      const b = await api(`${v1}/fleet/metrics?${WINDOW}&groupId=${groupB}`, { token: viewer });
      assert.equal(b.status, 200, JSON.stringify(b.body));
      assert.equal(b.body.groupId, groupB);
      assert.deepEqual(
        b.body.buckets.map((x: any) => [x.count, x.activeDevices]),
        [
          [1, 1],
          [0, 0],
        ],
      );
      const a = await api(`${v1}/fleet/metrics?${WINDOW}&groupId=${groupA}&modelVersion=cls@2`, { token: viewer });
      assert.deepEqual(
        a.body.buckets.map((x: any) => x.count),
        [0, 2],
      );
      assert.deepEqual(
        a.body.buckets.map((x: any) => [x.driftAlarms, x.driftWarnings]),
        [
          [0, 0],
          [1, 0],
        ],
        'per model version',
      );
      const unknown = await api(`${v1}/fleet/metrics?groupId=00000000-0000-4000-8000-000000000000`, { token: viewer });
      assert.equal(unknown.status, 404);
    });

    test('windows: bad ones are a 400 saying why; no window means the last 24 hours', async () => {
      const metrics = `${v1}/devices/${dev.a.deviceId}/metrics`;
      const bad = async (query: string, pattern: RegExp) => {
        for (const url of [`${metrics}?${query}`, `${v1}/fleet/metrics?${query}`]) {
          const res = await api(url, { token: viewer });
          assert.equal(res.status, 400, `${url}: ${JSON.stringify(res.body)}`);
          assert.match(res.body.error.message, pattern);
        }
      };
      await bad('from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', /from .* must be before to/);
      await bad('from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', /must be before/);
      await bad('from=2026-01-01T00:00:00Z&to=2026-02-02T00:00:00Z&bucket=hour', /at most 744/);
      await bad('from=2025-01-01T00:00:00Z&to=2026-01-03T00:00:00Z&bucket=day', /at most 366/);
      await bad('bucket=week', /bucket/);
      await bad('from=yesterday', /from/);
      await bad('modelVersion=cls', /modelVersion/);
      // 31 days of hours is allowed.
      assert.equal(
        (await api(`${metrics}?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z`, { token: viewer })).body.buckets
          .length,
        744,
      );

      const res = await api(metrics, { token: viewer });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const span = Date.parse(res.body.to) - Date.parse(res.body.from);
      assert.ok(span === 24 * 3_600_000 || span === 25 * 3_600_000, `${span}`);
      assert.ok(Date.parse(res.body.to) >= Date.now() - 1000);
      assert.equal(res.body.totals.count, 0, 'the uploads are from 2026-01-01');
    });

    test('device detail: the row, document state with events newest first, uploads', async () => {
      const ctx = suite.ctx!;
      const docId = deviceDocId(dev.a.deviceId);
      const device = await DocSync.open<DeviceDoc>({ url: ctx.server.url, token: dev.a.token, docId });
      await device.edit((d) => report(d, { status: 'running', counters: { queuedBatches: 2 } }));
      for (const [id, minute] of [
        ['e1', 1],
        ['e2', 3],
        ['e3', 2],
      ] as const) {
        await device.edit((d) =>
          appendEvent(d, { id, ts: new Date(H10 + minute * MIN).toISOString(), kind: 'feature', statistic: minute }),
        );
      }
      await device.sync();
      const console_ = await DocSync.open<DeviceDoc>({ url: ctx.server.url, token: operator, docId });
      await console_.sync();
      await console_.edit((d) => acknowledgeEvent(d, 'e2', 'ops'));
      await console_.sync();

      const res = await api(`${v1}/devices/${dev.a.deviceId}/detail`, { token: viewer });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const d = res.body;
      assert.equal(d.device.id, dev.a.deviceId);
      assert.equal(d.device.name, 'cam-a');
      assert.equal(d.desired.syncIntervalSec, 3600);
      assert.equal(d.reported.status, 'running');
      assert.deepEqual(d.reported.counters, { queuedBatches: 2 });
      assert.deepEqual(
        d.events.map((e: any) => e.id),
        ['e2', 'e3', 'e1'],
      );
      assert.equal(d.events[0].acknowledged.by, 'ops');
      assert.equal(d.eventCount, 3);
      assert.equal(d.unacknowledgedEvents, 2);
      assert.deepEqual(d.eventSummary, { count: 0, byKind: {} });
      const { lastReceivedAt, bytes, ...uploads } = d.uploads;
      assert.deepEqual(uploads, {
        batches: 2,
        records: HOUR10.length + HOUR11.length + OUTSIDE.length,
        lastBatchId: 'a-2',
        lastRecordAt: '2026-01-01T12:30:00.000Z',
      });
      assert.ok(bytes > 0);
      assert.ok(Date.parse(lastReceivedAt) > Date.now() - 600_000);

      const quiet = await api(`${v1}/devices/${dev.b.deviceId}/detail`, { token: operator });
      assert.deepEqual(quiet.body.events, []);
      assert.equal(quiet.body.uploads.batches, 1);
    });

    test('access: people read, device tokens 403, anonymous 401; unknown device 404, bad id 400', async () => {
      const paths = [`devices/${dev.a.deviceId}/metrics`, `devices/${dev.a.deviceId}/detail`, 'fleet/metrics'];
      for (const p of paths) {
        assert.equal((await api(`${v1}/${p}`, { token: operator })).status, 200, p);
        assert.equal((await api(`${v1}/${p}`, { token: suite.ctx!.adminToken })).status, 200, p);
        const denied = await api(`${v1}/${p}`, { token: dev.a.token });
        assert.equal(denied.status, 403, p);
        assert.equal(denied.body.error.code, 'forbidden');
        assert.equal((await api(`${v1}/${p}`)).status, 401, p);
      }
      for (const p of ['metrics', 'detail']) {
        const missing = await api(`${v1}/devices/00000000-0000-4000-8000-000000000000/${p}`, { token: viewer });
        assert.equal(missing.status, 404, p);
        assert.equal(missing.body.error.code, 'not_found');
        assert.equal((await api(`${v1}/devices/nope/${p}`, { token: viewer })).status, 400, p);
      }
    });

    test('feature histogram: the stored inputs of a model version counted into the reference bins, by device and group', async () => {
      const withInput = (i: number, x: number, at: number) => ({
        ...record({ at, latencyMs: 1, confidence: 0.5, label: 'cat' }),
        id: `f${i}`,
        model: { name: 'feat', version: 1, sha256: 'x' },
        input: [x, 100 - x],
      });
      await upload(
        v1,
        dev.a.token,
        'fa',
        [0, 1, 2, 5, 9, 10, 15].map((x, i) => withInput(i, x, H10 + i * MIN)),
      );
      await upload(v1, dev.b.token, 'fb', [
        { ...withInput(99, 3, H10), id: 'fb0' },
        {
          ...record({ at: H10, latencyMs: 1, confidence: 0.5 }),
          id: 'fb1',
          model: { name: 'feat', version: 1, sha256: 'x' },
        },
      ]);
      const q = (extra: string) =>
        api(`${v1}/fleet/feature-histogram?modelVersion=feat@1&edges=1,5,10&${WINDOW}${extra}`, { token: viewer });
      // Bins: below 1 | [1, 5) | [5, 10) | from 10 up.
      const fleet = await q('&feature=0');
      assert.equal(fleet.status, 200, JSON.stringify(fleet.body));
      assert.deepEqual(
        fleet.body.counts,
        [1, 3, 2, 2],
        'A: 0 | 1, 2 | 5, 9 | 10, 15 — B: 3 (its record without input is not counted)',
      );
      assert.equal(fleet.body.total, 8);
      assert.deepEqual((await q(`&feature=0&deviceId=${dev.a.deviceId}`)).body.counts, [1, 2, 2, 2]);
      assert.deepEqual((await q(`&feature=0&groupId=${groupB}`)).body.counts, [0, 1, 0, 0]);
      assert.deepEqual((await q('&feature=1')).body.counts, [0, 0, 0, 8], 'the second input (100 - x) is always ≥ 10');
      assert.equal(
        (
          await q('&feature=0').then(() =>
            api(`${v1}/fleet/feature-histogram?modelVersion=feat@1&edges=5,1&feature=0`, { token: viewer }),
          )
        ).status,
        400,
        'edges must ascend',
      );
      assert.equal(
        (await api(`${v1}/fleet/feature-histogram?modelVersion=feat@1&edges=1&feature=0`, { token: dev.a.token }))
          .status,
        403,
      );
    });

    test('record sample: the stored inputs and labels of a window, reproducible, by device and group; bad queries 400', async () => {
      // Runs after the feature histogram test, on its records: A has inputs x = 0 1 2 5 9 10 15, B has 3 (and one record without).
      const q = (extra = '') =>
        api(`${v1}/fleet/record-sample?modelVersion=feat@1&${WINDOW}${extra}`, { token: viewer });
      const all = await q();
      assert.equal(all.status, 200, JSON.stringify(all.body));
      assert.equal(all.body.total, 8);
      assert.equal(all.body.featureNames, null, 'feat is not in the registry, so its inputs have no names');
      assert.deepEqual(
        all.body.features.map((f: number[]) => f[0]).sort((a: number, b: number) => a - b),
        [0, 1, 2, 3, 5, 9, 10, 15],
      );
      assert.ok(all.body.features.every((f: number[]) => f.length === 2 && f[0]! + f[1]! === 100));
      assert.deepEqual(new Set(all.body.labels), new Set(['cat']));
      const three = await q('&limit=3');
      assert.equal(three.body.total, 8, 'total counts the whole window');
      assert.equal(three.body.features.length, 3);
      assert.deepEqual(
        (await q('&limit=3')).body.features,
        three.body.features,
        'the same window gives the same sample',
      );
      assert.equal((await q(`&deviceId=${dev.a.deviceId}`)).body.total, 7);
      assert.deepEqual((await q(`&groupId=${groupB}`)).body.features, [[3, 97]]);
      const outside = await api(
        `${v1}/fleet/record-sample?modelVersion=feat@1&from=${new Date(H10 - 120 * MIN).toISOString()}&to=${new Date(H10).toISOString()}`,
        { token: viewer },
      );
      assert.deepEqual([outside.body.total, outside.body.features], [0, []]);
      for (const bad of ['&limit=0', '&limit=10001', '&deviceId=nope']) assert.equal((await q(bad)).status, 400, bad);
      const backwards = await api(
        `${v1}/fleet/record-sample?modelVersion=feat@1&from=${new Date(H10).toISOString()}&to=${new Date(H10 - MIN).toISOString()}`,
        { token: viewer },
      );
      assert.equal(backwards.status, 400);
      assert.match(JSON.stringify(backwards.body), /`to` must be after `from`/);
      assert.equal((await api(`${v1}/fleet/record-sample?modelVersion=nope&${WINDOW}`, { token: viewer })).status, 400);
      assert.equal(
        (await api(`${v1}/fleet/record-sample?modelVersion=feat@1&${WINDOW}`, { token: dev.a.token })).status,
        403,
      );
    });
  });
}
