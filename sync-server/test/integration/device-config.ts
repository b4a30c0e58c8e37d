import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { deviceDocId, type DeviceDoc } from '../../../shared/documents/index.ts';
import { DocSync } from '../../../shared/sync/documents.ts';
import { enrolDevice, operatorWithGroup } from '../../../testing/fleet.ts';
import { api, type TestServer } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';

/** Remote configuration over real HTTP: versions, overrides, refusals that store nothing, documents' `desired`. */
export function runDeviceConfigTests(name: string, setup: () => Promise<TestServer | undefined>): void {
  describe(`remote configuration: ${name}`, () => {
    const suite = backendSuite(name, setup, stopServer);
    const test = suite.test;
    let url = '';
    let v1 = '';
    let operator = '';
    let viewer = '';
    let groupId = '';
    const put = (path: string, body: unknown, token = operator) => api(`${v1}${path}`, { token, method: 'PUT', body });
    const get = (path: string, token = operator) => api(`${v1}${path}`, { token });
    /** The device's document as the device itself syncs it (a device sync brings a lagging `desired` in line first). */
    const deviceDoc = async (dev: { deviceId: string; token: string }) => {
      const doc = await DocSync.open<DeviceDoc>({ url, token: dev.token, docId: deviceDocId(dev.deviceId) });
      await doc.sync();
      return doc.value;
    };

    before(async () => {
      const ctx = suite.ctx;
      if (!ctx) return;
      url = ctx.server.url;
      v1 = `${url}/api/v1`;
      ({ operator, groupId } = await operatorWithGroup(v1, ctx.adminToken, 'config-lab'));
      viewer = (await api(`${v1}/tokens`, { token: ctx.adminToken, body: { name: 'viewer', role: 'viewer' } })).body
        .token;
    });

    test('a group config: version 0 before, grows by one per change, an unchanged PUT keeps it; readers read, only operators write', async () => {
      const first = await get(`/device-groups/${groupId}/config`, viewer);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body, { config: {}, version: 0, updatedBy: null, updatedAt: null });
      const a = await put(`/device-groups/${groupId}/config`, { syncIntervalSec: 120, sampling: { everyNth: 5 } });
      assert.equal(a.status, 200, JSON.stringify(a.body));
      assert.equal(a.body.version, 1);
      assert.equal(a.body.updatedBy, 'ops');
      assert.deepEqual(a.body.config, { syncIntervalSec: 120, sampling: { everyNth: 5 } });
      const same = await put(`/device-groups/${groupId}/config`, { sampling: { everyNth: 5 }, syncIntervalSec: 120 });
      assert.equal(same.body.version, 1, 'a PUT that changes nothing keeps the version');
      const b = await put(`/device-groups/${groupId}/config`, {
        syncIntervalSec: 60,
        sampling: { everyNth: 5 },
        detectors: { features: { detector: 'page-hinkley', params: { threshold: 30 } } },
      });
      assert.equal(b.body.version, 2);
      assert.deepEqual((await get(`/device-groups/${groupId}/config`, viewer)).body, b.body);
      assert.equal((await put(`/device-groups/${groupId}/config`, {}, viewer)).status, 403);
      assert.equal((await get(`/device-groups/00000000-0000-4000-8000-000000000000/config`)).status, 404);
    });

    test('every refusal is a 400 naming what is wrong and leaves config and version as they were', async () => {
      const g = await enrolDevice(v1, operator, groupId, 'refusals');
      const before = (await get(`/device-groups/${groupId}/config`)).body;
      const devBefore = (await get(`/devices/${g.deviceId}/config`)).body;
      const bad: [unknown, RegExp][] = [
        [{ syncIntervalSec: 60, colour: 'red' }, /colour/],
        [{ detectors: { features: { params: { lambda: 30 } } } }, /"lambda"[\s\S]*detectors\.features\.params/],
        [
          { detectors: { features: { detector: 'page-hinkley', params: { lambdax: 1 } } } },
          /Unknown parameter "lambdax"/,
        ],
        [{ detectors: { knn: { params: { k: 1e9 } } } }, /k must be at most/],
        [{ detectors: { featurez: {} } }, /featurez/],
        [{ syncIntervalSec: 5 }, /syncIntervalSec/],
        [{ sampling: { everyNth: -1 } }, /sampling\.everyNth/],
        [{ alerts: { lowConfidence: { below: 2, rate: 0.5 } } }, /alerts\.lowConfidence\.below/],
        [{ falseAlarmThresholdFactor: 0.5 }, /falseAlarmThresholdFactor/],
        [
          {
            detectors: {
              features: { only: Array.from({ length: 900 }, (_, i) => `feature number ${i} with a long name`) },
            },
          },
          /bytes as JSON/,
        ],
      ];
      for (const [body, message] of bad) {
        for (const path of [`/device-groups/${groupId}/config`, `/devices/${g.deviceId}/config`]) {
          const res = await put(path, body);
          assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
          assert.match(res.body.error.message, message);
        }
      }
      assert.deepEqual((await get(`/device-groups/${groupId}/config`)).body, before);
      assert.deepEqual((await get(`/devices/${g.deviceId}/config`)).body, devBefore);
    });

    test("a device's config overrides its group's key by key; desired carries the merge and group + device version", async () => {
      const dev = await enrolDevice(v1, operator, groupId, 'override');
      const group = (await get(`/device-groups/${groupId}/config`)).body;
      const res = await put(`/devices/${dev.deviceId}/config`, {
        detectors: { features: { params: { mode: 'up' } } },
        alerts: { p95LatencyMs: 40 },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.version, 1);
      assert.equal(res.body.group.version, group.version);
      const effective = {
        ...group.config,
        detectors: { features: { detector: 'page-hinkley', params: { threshold: 30, mode: 'up' } } },
        alerts: { p95LatencyMs: 40 },
      };
      assert.deepEqual(res.body.effective, { config: effective, configVersion: group.version + 1 });
      const doc = await deviceDoc(dev);
      assert.deepEqual(doc.desired.config, effective);
      assert.equal(doc.desired.configVersion, group.version + 1);
      assert.equal(doc.desired.syncIntervalSec, 60);

      // A group change reaches the device with a higher configVersion; its own override stays on top.
      const next = await put(`/device-groups/${groupId}/config`, { ...group.config, syncIntervalSec: 300 });
      assert.equal(next.body.version, group.version + 1);
      const after = await deviceDoc(dev);
      assert.equal(after.desired.configVersion, group.version + 2);
      assert.equal(after.desired.syncIntervalSec, 300);
      assert.deepEqual((after.desired.config as { alerts?: unknown }).alerts, { p95LatencyMs: 40 });

      // A device's own detector parameters are checked merged: a page-hinkley parameter is valid on top of this group.
      const own = await put(`/devices/${dev.deviceId}/config`, {
        detectors: { features: { params: { mode: 'up', threshold: 80 } } },
        alerts: { p95LatencyMs: 40 },
      });
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.equal(own.body.version, 2);
      const lonely = await enrolDevice(v1, operator, groupId, 'lonely');
      const refused = await put(`/devices/${lonely.deviceId}/config`, {
        detectors: { features: { detector: 'adwin', params: { threshold: 80 } } },
      });
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.match(refused.body.error.message, /Unknown parameter "threshold" for detector "adwin"/);
      assert.equal((await get(`/devices/${lonely.deviceId}/config`)).body.version, 0);
      await put(`/devices/${dev.deviceId}/config`, {
        detectors: { features: { params: { mode: 'up' } } },
        alerts: { p95LatencyMs: 40 },
      });

      // A group config that clashes with the override (a `mode` under adwin, which has none) is refused for the whole group.
      const clash = await put(`/device-groups/${groupId}/config`, { detectors: { features: { detector: 'adwin' } } });
      assert.equal(clash.status, 400, JSON.stringify(clash.body));
      assert.match(
        clash.body.error.message,
        new RegExp(`device ${dev.deviceId}'s own config[\\s\\S]*Unknown parameter "mode" for detector "adwin"`),
      );
      assert.equal((await get(`/device-groups/${groupId}/config`)).body.version, group.version + 1);
    });

    test('a device enrolled after the change gets the config on its first sync', async () => {
      const group = (await get(`/device-groups/${groupId}/config`)).body;
      const late = await enrolDevice(v1, operator, groupId, 'late');
      const doc = await deviceDoc(late);
      assert.equal(doc.desired.configVersion, group.version);
      assert.deepEqual(doc.desired.config, group.config);
    });
  });
}
