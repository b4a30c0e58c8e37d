import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, pgliteServer, type TestServer } from '../../testing/server-process.ts';
import { sessionBackend } from '../src/lcm/backend.ts';
import { nodeOrt } from '../src/lcm/runtime/ort-node.ts';
import { SyncEngine, type SyncSummary } from '../src/lcm/sync/engine.ts';
import type { PullProgress } from '../src/lcm/sync/model-pull.ts';
import { TinyLCM } from '../src/lcm/tinylcm.ts';
import { demoExpectations } from './fixtures/models.ts';

/** One device against a real TinySphere (PGlite, demo model registered): deploy, sync, pull, run, report. */
describe('SyncEngine end to end (server process, PGlite)', () => {
  let t: TestServer;
  let v1 = '';
  let device: { deviceId: string; token: string; groupId: string };
  let lcm: TinyLCM;
  let engine: SyncEngine;
  /** While set, model artifacts reach the device with their last byte flipped (a corrupted download). */
  let corrupt = false;
  /** While set, the device's requests (method and path) are recorded here. */
  let requests: string[] | undefined;
  const deviceFetch: typeof fetch = async (input, init) => {
    requests?.push(
      `${init?.method ?? 'GET'} ${decodeURIComponent(new URL(String(input)).pathname).replace(/[0-9a-f-]{36}/g, ':id')}`,
    );
    const res = await fetch(input, init);
    if (!corrupt || !/\/devices\/me\/models\/[0-9a-f]{64}$/.test(String(input))) return res;
    const bytes = new Uint8Array(await res.arrayBuffer());
    bytes[bytes.length - 1]! ^= 0xff;
    return new Response(bytes, { status: res.status, headers: res.headers });
  };

  before(async () => {
    t = await pgliteServer({ DEMO: '1' });
    v1 = `${t.server.url}/api/v1`;
    const group = await api(`${v1}/device-groups`, { token: t.adminToken, body: { name: 'kiosks' } });
    const code = await api(`${v1}/device-groups/${group.body.id}/enrolment-codes`, {
      token: t.adminToken,
      body: { uses: 1, expiresInSeconds: 600 },
    });
    const enrolled = await api(`${v1}/devices/enrol`, { body: { code: code.body.code } });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    device = enrolled.body;
    lcm = await TinyLCM.open({
      backend: sessionBackend(nodeOrt()),
      db: `sync-engine-${Date.now()}`,
      models: { storage: null },
    });
    engine = await SyncEngine.open({
      lcm,
      url: t.server.url,
      token: device.token,
      deviceId: device.deviceId,
      appVersion: 'test-1',
      fetch: deviceFetch,
      keepEvents: 1,
    });
  });
  after(async () => {
    await lcm?.close();
    await t?.server.stop();
    await t?.teardown();
  });

  it('with nothing deployed a sync succeeds and changes no model', async () => {
    const s = await engine.syncNow();
    assert.equal(s.ok, true, s.error);
    assert.equal(s.modelChanged, false);
    assert.equal(lcm.model?.sha256, undefined);
    assert.equal(engine.doc.value.reported.appVersion, 'test-1');
  });

  it('a deployment to the group is pulled, verified, activated and reported; GET /deployments/:id shows it', async () => {
    const created = await api(`${v1}/deployments`, {
      token: t.adminToken,
      body: { groupId: device.groupId, model: { name: 'seattle-weather', alias: 'champion' }, reason: 'first rollout' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const dep = created.body;

    // A download corrupted on the way is refused: nothing runs, the device says why, the sync counts as failed.
    corrupt = true;
    const failed = await engine.syncNow();
    corrupt = false;
    assert.equal(failed.ok, false);
    assert.match(failed.error ?? '', /sha256 mismatch/);
    assert.equal(lcm.model?.sha256, undefined, 'nothing runs');
    assert.match(engine.doc.value.reported.status ?? '', /^error: .*sha256 mismatch/);
    assert.equal(engine.doc.value.reported.model, undefined);

    const summaries: SyncSummary[] = [];
    const progress: PullProgress[] = [];
    engine.addEventListener('sync', (e) => summaries.push((e as CustomEvent<SyncSummary>).detail));
    engine.addEventListener('download-progress', (e) => progress.push((e as CustomEvent<PullProgress>).detail));
    const s = await engine.syncNow();
    assert.equal(s.ok, true, s.error);
    assert.equal(s.modelChanged, true);
    assert.deepEqual(summaries, [s]);
    assert.equal(lcm.model?.sha256, dep.model.sha256);
    assert.equal(lcm.model?.version, dep.model.version);
    assert.ok(
      progress.length > 0 && progress.at(-1)!.received === progress.at(-1)!.total,
      JSON.stringify(progress.at(-1)),
    );
    const reported = engine.doc.value.reported;
    assert.deepEqual(
      { ...reported.model },
      { name: 'seattle-weather', version: String(dep.model.version), sha256: dep.model.sha256 },
    );
    assert.equal(reported.status, 'running');

    const detail = await api(`${v1}/deployments/${dep.id}`, { token: t.adminToken });
    assert.equal(detail.status, 200, JSON.stringify(detail.body));
    assert.deepEqual(
      detail.body.progress.reported,
      { [`seattle-weather@${dep.model.version}`]: 1 },
      JSON.stringify(detail.body.progress),
    );
  });

  it('inferences are uploaded, metrics and drift events reported (older events compacted); a second sync pulls nothing', async () => {
    // 2015 days (the hold-out year), then the same days in a heat wave the training years never saw.
    const days = demoExpectations(150).map(({ features: [precipitation, temp_max, temp_min, wind] }) => ({
      precipitation: precipitation!,
      temp_max: temp_max!,
      temp_min: temp_min!,
      wind: wind!,
    }));
    for (const d of days) await lcm.infer(d);
    for (const d of days.concat(days)) await lcm.infer({ ...d, temp_max: d.temp_max + 15, temp_min: d.temp_min + 15 });
    await lcm.persist();
    const s = await engine.syncNow();
    assert.equal(s.ok, true, s.error);
    assert.equal(s.modelChanged, false);
    assert.equal(s.uploaded, 450);
    const doc = engine.doc.value;
    const m = doc.reported.metrics!;
    assert.equal(m.inferences, 450);
    assert.ok(m.driftAlarms >= 2, `drift alarms: ${m.driftAlarms}`);
    assert.equal(doc.events.length, 1, 'only the newest event stays in the document');
    // driftAlarms counts records with an alarm bit; each raised one event per detector that fired (visible or summarised).
    assert.ok(
      doc.events.length + doc.eventSummary.count >= m.driftAlarms,
      `${doc.events.length + doc.eventSummary.count} events, ${m.driftAlarms} alarm records`,
    );
    assert.ok(m.driftWarnings !== undefined && m.driftWarnings > 0, `drift warnings: ${m.driftWarnings}`);
    assert.ok(
      doc.events.every(
        (e) => e.kind === 'feature' || e.kind === 'confidence' || e.kind === 'prediction' || e.kind === 'knn',
      ),
    );
    assert.equal(m.errors, 0);
    assert.ok(m.p95Ms !== null && m.p95Ms > 0);
    assert.ok(m.meanConfidence != null && m.meanConfidence > 0 && m.meanConfidence <= 1);
    assert.equal(m.model?.sha256, lcm.model?.sha256);
    const fleet = await api(`${v1}/fleet/summary`, { token: t.adminToken });
    assert.equal(fleet.body.records, 450, JSON.stringify(fleet.body));
    // One meaning on both sides: every record was uploaded, so the server counts what the device reports.
    assert.deepEqual(
      [fleet.body.driftAlarms, fleet.body.driftWarnings],
      [m.driftAlarms, m.driftWarnings],
      JSON.stringify(fleet.body),
    );
    // The server's replica holds the same report: a fresh replica of the device document sees it.
    const again = await SyncEngine.open({ lcm, url: t.server.url, token: device.token, deviceId: device.deviceId });
    await again.doc.sync();
    assert.equal(again.doc.value.reported.metrics?.inferences, 450);
    assert.equal(again.doc.value.eventSummary.count, doc.eventSummary.count);
    await again.close();
  });

  it('a quiet exchange is one document sync carrying the report, and one upload', async () => {
    const days = demoExpectations(20).map(({ features: [precipitation, temp_max, temp_min, wind] }) => ({
      precipitation: precipitation!,
      temp_max: temp_max!,
      temp_min: temp_min!,
      wind: wind!,
    }));
    for (const d of days) await lcm.infer(d);
    await lcm.persist();
    requests = [];
    try {
      const s = await engine.syncNow();
      assert.equal(s.ok, true, s.error);
      assert.equal(s.uploaded, 20);
      assert.deepEqual(
        requests,
        ['POST /api/v1/sync/device::id', 'POST /api/v1/devices/me/batches'],
        requests.join(', '),
      );
    } finally {
      requests = undefined;
    }
    const again = await SyncEngine.open({ lcm, url: t.server.url, token: device.token, deviceId: device.deviceId });
    await again.doc.sync();
    assert.equal(
      again.doc.value.reported.metrics?.inferences,
      470,
      'the metrics reached the server with that one sync',
    );
    await again.close();
  });
});
