import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deviceDocId, type DeviceDoc } from '../../shared/documents/index.ts';
import { enrolDevice, operatorWithGroup, type EnrolledDevice } from '../../testing/fleet.ts';
import { api, pgliteServer, type TestServer } from '../../testing/server-process.ts';
import { sessionBackend } from '../src/lcm/backend.ts';
import { nodeOrt } from '../src/lcm/runtime/ort-node.ts';
import { DocSync } from '../../shared/sync/documents.ts';
import { SyncEngine } from '../src/lcm/sync/engine.ts';
import { TinyLCM } from '../src/lcm/tinylcm.ts';

/** Remote configuration end to end: a server process, devices running TinyLCM + SyncEngine, the demo model deployed. */
describe('remote configuration end to end (server process, PGlite, simulated devices)', () => {
  let t: TestServer;
  let v1 = '';
  let operator = '';
  let groupId = '';
  const devices: { enrolled: EnrolledDevice; lcm: TinyLCM; engine: SyncEngine }[] = [];
  const syncAll = async () => {
    for (const d of devices) {
      const s = await d.engine.syncNow();
      assert.equal(s.ok, true, s.error);
    }
  };
  /** What the server holds of a device's document (read with the operator's token, not the device's). */
  const serverDoc = async (deviceId: string) => {
    const doc = await DocSync.open<DeviceDoc>({ url: t.server.url, token: operator, docId: deviceDocId(deviceId) });
    await doc.sync();
    return doc.value;
  };
  const featureDetector = (lcm: TinyLCM) =>
    lcm.driftState()!.channels.find((c) => c.key.startsWith('feature:'))!.detector;

  before(async () => {
    t = await pgliteServer({ DEMO: '1' });
    v1 = `${t.server.url}/api/v1`;
    ({ operator, groupId } = await operatorWithGroup(v1, t.adminToken, 'field'));
    for (const name of ['dev-a', 'dev-b']) {
      const enrolled = await enrolDevice(v1, operator, groupId, name);
      const lcm = await TinyLCM.open({
        backend: sessionBackend(nodeOrt()),
        db: `remote-config-e2e-${name}-${Date.now()}`,
        models: { storage: null },
      });
      devices.push({
        enrolled,
        lcm,
        engine: await SyncEngine.open({ lcm, url: t.server.url, token: enrolled.token, deviceId: enrolled.deviceId }),
      });
    }
    const dep = await api(`${v1}/deployments`, {
      token: operator,
      body: { groupId, model: { name: 'seattle-weather', alias: 'champion' } },
    });
    assert.equal(dep.status, 201, JSON.stringify(dep.body));
    await syncAll();
    for (const d of devices)
      assert.equal(
        featureDetector(d.lcm).name,
        'ewma-confidence',
        'the default feature detector runs before any config',
      );
  });
  after(async () => {
    for (const d of devices) {
      await d.engine.close();
      await d.lcm.close();
    }
    await t?.server.stop();
    await t?.teardown();
  });

  it('a group config change reaches every device, changes the detectors in use, and comes back as reported.configVersion', async () => {
    const put = await api(`${v1}/device-groups/${groupId}/config`, {
      token: operator,
      method: 'PUT',
      body: {
        syncIntervalSec: 90,
        detectors: { features: { detector: 'page-hinkley', params: { threshold: 40 } } },
        sampling: { everyNth: 2 },
      },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.version, 1);
    await syncAll();
    for (const d of devices) {
      assert.equal(featureDetector(d.lcm).name, 'page-hinkley');
      assert.equal(featureDetector(d.lcm).params.threshold, 40);
      assert.equal(d.engine.intervalSec(), 90);
      const doc = await serverDoc(d.enrolled.deviceId);
      assert.equal(doc.reported.configVersion, 1);
      assert.equal(doc.reported.configError, undefined);
    }
  });

  it("a device's own config reaches only that device; its configVersion is group + device version", async () => {
    const [a, b] = devices as [(typeof devices)[0], (typeof devices)[0]];
    const put = await api(`${v1}/devices/${b.enrolled.deviceId}/config`, {
      token: operator,
      method: 'PUT',
      body: { detectors: { features: { params: { threshold: 80 } } } },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.effective.configVersion, 2);
    await syncAll();
    assert.equal(featureDetector(a.lcm).params.threshold, 40);
    assert.equal(featureDetector(b.lcm).params.threshold, 80);
    assert.equal(featureDetector(b.lcm).name, 'page-hinkley', 'the group detector stays, only the override changed');
    assert.equal((await serverDoc(a.enrolled.deviceId)).reported.configVersion, 1);
    assert.equal((await serverDoc(b.enrolled.deviceId)).reported.configVersion, 2);
  });
});
