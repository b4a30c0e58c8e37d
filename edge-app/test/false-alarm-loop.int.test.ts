import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, pgliteServer, type TestServer } from '../../testing/server-process.ts';
import { sessionBackend } from '../src/lcm/backend.ts';
import { nodeOrt } from '../src/lcm/runtime/ort-node.ts';
import { MemoryMarkStore } from '../src/lcm/sync/console-marks.ts';
import { SyncEngine } from '../src/lcm/sync/engine.ts';
import { TinyLCM } from '../src/lcm/tinylcm.ts';
import { demoExpectations } from './fixtures/models.ts';

/**
 * The acknowledgement loop end to end: a real TinySphere process (PGlite, demo model) and a real
 * device (TinyLCM + SyncEngine). The device raises drift events, the API marks one a false alarm
 * and acknowledges another, and the device's next sync resets that detector — once.
 */
describe('false alarm loop: API verdicts reach the device (server process, PGlite)', () => {
  let t: TestServer;
  let v1 = '';
  let device: { deviceId: string; token: string; groupId: string };
  let lcm: TinyLCM;
  let engine: SyncEngine;
  const marks = new MemoryMarkStore();
  const resets: { channels: string[]; ids: string[]; factor: number }[] = [];
  /** The channel the false alarm was about. */
  let resetKey = '';
  const days = demoExpectations(150).map(({ features: [precipitation, temp_max, temp_min, wind] }) => ({
    precipitation: precipitation!,
    temp_max: temp_max!,
    temp_min: temp_min!,
    wind: wind!,
  }));
  const channel = (key: string) => lcm.driftState()!.channels.find((c) => c.key === key)!;
  const open = async () => {
    const e = await SyncEngine.open({ lcm, url: t.server.url, token: device.token, deviceId: device.deviceId, marks });
    e.addEventListener('false-alarms', (ev) =>
      resets.push((ev as CustomEvent<{ channels: string[]; ids: string[]; factor: number }>).detail),
    );
    return e;
  };

  before(async () => {
    t = await pgliteServer({ DEMO: '1' });
    v1 = `${t.server.url}/api/v1`;
    const group = await api(`${v1}/device-groups`, { token: t.adminToken, body: { name: 'kiosks' } });
    const code = await api(`${v1}/device-groups/${group.body.id}/enrolment-codes`, {
      token: t.adminToken,
      body: { uses: 1, expiresInSeconds: 600 },
    });
    device = (await api(`${v1}/devices/enrol`, { body: { code: code.body.code } })).body;
    lcm = await TinyLCM.open({
      backend: sessionBackend(nodeOrt()),
      db: `false-alarm-loop-${Date.now()}`,
      models: { storage: null },
    });
    engine = await open();
    const dep = await api(`${v1}/deployments`, {
      token: t.adminToken,
      body: { groupId: device.groupId, model: { name: 'seattle-weather', alias: 'champion' } },
    });
    assert.equal(dep.status, 201, JSON.stringify(dep.body));
    const s = await engine.syncNow();
    assert.equal(s.ok, true, s.error);
    assert.equal(s.modelChanged, true);
  });
  after(async () => {
    await engine?.close();
    await lcm?.close();
    await t?.server.stop();
    await t?.teardown();
  });

  it('the device raises drift events; the API lists them after its sync', async () => {
    for (const d of days) await lcm.infer(d);
    // A heat wave the training years never saw: temp_max and temp_min drift.
    for (const d of days.concat(days)) await lcm.infer({ ...d, temp_max: d.temp_max + 15, temp_min: d.temp_min + 15 });
    const s = await engine.syncNow();
    assert.equal(s.ok, true, s.error);
    const listed = await api(`${v1}/drift-events?deviceId=${device.deviceId}&pageSize=500`, { token: t.adminToken });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.equal(listed.body.events.length, engine.doc.value.events.length);
    assert.ok(
      listed.body.events.some(
        (e: { kind: string; feature: string | null }) =>
          e.kind === 'feature' && (e.feature === 'temp_max' || e.feature === 'temp_min'),
      ),
    );
    assert.ok(
      listed.body.events.every(
        (e: { model: string; status: string }) =>
          e.model === `seattle-weather@${lcm.model!.version}` && e.status === 'open',
      ),
    );
    assert.deepEqual(resets, [], 'nothing marked yet: nothing reset');
  });

  it('a false alarm by API resets that detector on the next sync; an acknowledgement shows on the device', async () => {
    const listed = (await api(`${v1}/drift-events?deviceId=${device.deviceId}&pageSize=500`, { token: t.adminToken }))
      .body.events as { id: string; kind: string; feature: string | null }[];
    const target = listed.find((e) => e.kind === 'feature')!;
    const other = listed.find((e) => e.id !== target.id)!;
    const key = `feature:${target.feature}`;
    resetKey = key;
    const before = channel(key);
    assert.ok(before.statistics.length > 0, 'the detector has a window before the reset');
    assert.equal(
      (
        await api(`${v1}/drift-events/${device.deviceId}/${encodeURIComponent(target.id)}/false-alarm`, {
          token: t.adminToken,
          body: {},
        })
      ).status,
      200,
    );
    assert.equal(
      (
        await api(`${v1}/drift-events/${device.deviceId}/${encodeURIComponent(other.id)}/acknowledge`, {
          token: t.adminToken,
          body: {},
        })
      ).status,
      200,
    );
    assert.equal(engine.eventStatuses().get(other.id), 'open', 'the device has not synced yet');

    const s = await engine.syncNow();
    assert.equal(s.ok, true, s.error);
    assert.deepEqual(resets, [{ channels: [key], ids: [target.id], factor: 1 }]);
    const after = channel(key);
    assert.deepEqual(after.statistics, [], 'the window is empty');
    assert.notDeepEqual(after.detector.state, before.detector.state, 'the detector starts over');
    assert.deepEqual(after.detector.params, before.detector.params, 'no factor configured: the threshold stays');
    assert.equal(engine.eventStatuses().get(target.id), 'false_alarm');
    assert.equal(engine.eventStatuses().get(other.id), 'acknowledged');
    const shown = (await api(`${v1}/drift-events?status=false_alarm`, { token: t.adminToken })).body.events.map(
      (e: { id: string }) => e.id,
    );
    assert.deepEqual(shown, [target.id]);
  });

  it('each false alarm is acted on once, also by an engine opened afresh (the handled ids are kept)', async () => {
    for (const d of days.slice(0, 20)) await lcm.infer(d);
    const key = resetKey;
    const before = channel(key);
    assert.ok(before.statistics.length > 0);
    assert.equal((await engine.syncNow()).ok, true);
    await engine.close();
    engine = await open();
    assert.equal((await engine.syncNow()).ok, true);
    assert.equal(resets.length, 1, 'no second reset');
    assert.deepEqual(channel(key).statistics, before.statistics);
  });

  it("with the group's falseAlarmThresholdFactor the next false alarm also raises that detector's threshold", async () => {
    const put = await api(`${v1}/device-groups/${device.groupId}/config`, {
      token: t.adminToken,
      method: 'PUT',
      body: { falseAlarmThresholdFactor: 2 },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    // The heat wave goes on: the detectors (one of them reset) alarm again.
    for (const d of days) await lcm.infer({ ...d, temp_max: d.temp_max + 15, temp_min: d.temp_min + 15 });
    assert.equal((await engine.syncNow()).ok, true);
    const open = (
      await api(`${v1}/drift-events?deviceId=${device.deviceId}&status=open&pageSize=500`, { token: t.adminToken })
    ).body.events as { id: string; kind: string; feature: string | null }[];
    const target = open.find((e) => e.kind === 'feature')!;
    assert.ok(target, 'an open feature event is left');
    const key = `feature:${target.feature}`;
    const limits = channel(key).detector.params;
    assert.equal(
      (
        await api(`${v1}/drift-events/${device.deviceId}/${encodeURIComponent(target.id)}/false-alarm`, {
          token: t.adminToken,
          body: {},
        })
      ).status,
      200,
    );
    assert.equal((await engine.syncNow()).ok, true);
    assert.deepEqual(resets.at(-1), { channels: [key], ids: [target.id], factor: 2 });
    const raised = channel(key).detector.params;
    assert.equal(raised.driftLimit, (limits.driftLimit as number) * 2);
    assert.equal(raised.warningLimit, (limits.warningLimit as number) * 2);
  });
});
