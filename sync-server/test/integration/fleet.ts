import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { buildPackage } from '../../../shared/ingest/index.ts';
import { sampleModel } from '../../../shared/onnx/test-fixtures.ts';
import { DRIFT_FLAGS, WARNING_SHIFT } from '../../../shared/drift/flags.ts';
import { api, type TestServer } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';

const record = (i: number, version: number, drift: number, name = 'cls') => ({
  id: `r${i}`,
  ts: Date.UTC(2026, 0, 1) + i * 60_000,
  model: { name, version, sha256: 'x' },
  output: { label: 'cat' },
  latencyMs: 1,
  confidence: 0.9,
  drift,
});
// Names no registry holds, each its own model: without the fold into model="other" each would be a series.
const MADE_UP = Array.from({ length: 50 }, (_, i) => record(100 + i, 7, 0, `made-up-${i}`));

const { feature, confidence, prediction, knn } = DRIFT_FLAGS;
const warn = (bits: number) => bits << WARNING_SHIFT;
// 8 records, 4 per version. Alarm records (a drift bit): r2, r5, r6 → 3. Warning records (a warning
// bit): r3, r6, r7, r8 → 4. r6 is both; r7 warns on two kinds and is still one record.
const RECORDS = [
  record(1, 1, 0),
  record(2, 1, feature),
  record(3, 1, warn(feature)),
  record(4, 1, 0),
  record(5, 2, confidence),
  record(6, 2, knn | warn(prediction)),
  record(7, 2, warn(confidence | knn)),
  record(8, 2, warn(feature)),
];

/** One metric line as the text format writes it: `name{labels} value`. */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/;

/** The fleet summary and /metrics over a real server: exact counts for an upload with known flags. */
export function runFleetTests(name: string, setup: () => Promise<TestServer | undefined>): void {
  describe(`fleet summary and /metrics: ${name}`, () => {
    const suite = backendSuite(name, setup, stopServer);
    const test = suite.test;
    let v1 = '';
    let viewer = '';
    const devices: { deviceId: string; token: string }[] = [];

    before(async () => {
      const ctx = suite.ctx;
      if (!ctx) return;
      v1 = `${ctx.server.url}/api/v1`;
      const operator = (await api(`${v1}/tokens`, { token: ctx.adminToken, body: { name: 'ops', role: 'operator' } }))
        .body.token;
      viewer = (await api(`${v1}/tokens`, { token: ctx.adminToken, body: { name: 'watcher', role: 'viewer' } })).body
        .token;
      // The registry knows cls@1 only: cls@2 and the made-up names count under model="other" in /metrics.
      const model = new FormData();
      model.append('file', new Blob([sampleModel() as Uint8Array<ArrayBuffer>]), 'model.onnx');
      const registered = await fetch(`${v1}/models/cls/versions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.adminToken}` },
        body: model,
      });
      assert.equal(registered.status, 201, await registered.text());
      const group = await api(`${v1}/device-groups`, { token: operator, body: { name: 'lab' } });
      const code = await api(`${v1}/device-groups/${group.body.id}/enrolment-codes`, {
        token: operator,
        body: { uses: 2, expiresInSeconds: 600 },
      });
      for (const name of ['cam-1', 'cam-2']) {
        const enrolled = await api(`${v1}/devices/enrol`, { body: { code: code.body.code, name } });
        assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
        devices.push(enrolled.body);
      }
      const form = new FormData();
      form.append(
        'package',
        new Blob([(await buildPackage('fleet-1', RECORDS)) as Uint8Array<ArrayBuffer>]),
        'batch.tar.gz',
      );
      const res = await fetch(`${v1}/devices/me/batches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${devices[0]!.token}` },
        body: form,
      });
      assert.equal(res.status, 201, await res.text());
    });

    test('the summary counts devices, the uploader as online, records per model version, alarm records and warning records', async () => {
      const res = await api(`${v1}/fleet/summary`, { token: viewer });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      // Enrolling counts as being seen, so both are online; last_seen_at on authentication is unit-tested.
      assert.deepEqual(res.body, {
        devices: 2,
        online: 2,
        records: 8,
        byModelVersion: { 'cls@1': 4, 'cls@2': 4 },
        driftAlarms: 3,
        driftWarnings: 4,
      });
    });

    test('device tokens may not read it (403), anonymous callers neither (401)', async () => {
      const denied = await api(`${v1}/fleet/summary`, { token: devices[1]!.token });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.error.code, 'forbidden');
      assert.equal((await api(`${v1}/fleet/summary`)).status, 401);
    });

    test('/metrics is public Prometheus text with the fleet gauges and request counters', async () => {
      const ctx = suite.ctx!;
      await api(`${v1}/fleet/summary`, { token: viewer });
      const form = new FormData();
      form.append(
        'package',
        new Blob([(await buildPackage('fleet-2', MADE_UP)) as Uint8Array<ArrayBuffer>]),
        'batch.tar.gz',
      );
      const uploaded = await fetch(`${v1}/devices/me/batches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${devices[1]!.token}` },
        body: form,
      });
      assert.equal(uploaded.status, 201, await uploaded.text());
      const res = await fetch(`${ctx.server.url}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      const samples = new Map<string, number>();
      for (const line of text.split('\n')) {
        if (line === '' || line.startsWith('#')) continue;
        const m = SAMPLE.exec(line);
        assert.ok(m, `a sample line: ${line}`);
        assert.ok(!Number.isNaN(Number(m[3]!.replace('+Inf', 'Infinity'))), `a number: ${line}`);
        samples.set(m[1]! + (m[2] ?? ''), Number(m[3]));
      }
      assert.equal(samples.get('tinysphere_devices'), 2);
      assert.equal(samples.get('tinysphere_devices_online'), 2);
      assert.equal(samples.get('tinysphere_inference_records_total'), 8 + MADE_UP.length);
      assert.equal(samples.get('tinysphere_drift_alarms_total'), 3);
      assert.equal(samples.get('tinysphere_drift_warnings_total'), 4);
      assert.match(text, /^# TYPE tinysphere_drift_warnings_total counter$/m);
      // Only the registered version has its own series; cls@2 (never registered) and the made-up names fold into one.
      assert.equal(samples.get('tinysphere_model_version_records{model="cls",version="1"}'), 4);
      assert.equal(samples.get('tinysphere_model_version_records{model="other"}'), 4 + MADE_UP.length);
      assert.deepEqual([...samples.keys()].filter((k) => k.startsWith('tinysphere_model_version_records')).length, 2);
      assert.ok(!text.includes('made-up-'), 'no made-up name reaches a label');
      assert.ok(
        (samples.get('tinysphere_http_requests_total{method="GET",route="/api/v1/fleet/summary",status="200"}') ?? 0) >=
          2,
      );
      assert.equal(
        samples.get('tinysphere_http_requests_total{method="GET",route="/api/v1/fleet/summary",status="403"}'),
        1,
      );
      assert.ok(
        (samples.get('tinysphere_http_request_duration_seconds_count{method="GET",route="/api/v1/fleet/summary"}') ??
          0) >= 3,
      );
      // Routes are labelled by pattern: no label carries a device id.
      assert.ok(!text.includes(devices[0]!.deviceId));
    });
  });
}
