import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { api, type ServerProcess } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';

export interface DeviceSetup {
  server: ServerProcess;
  adminToken: string;
  teardown(): Promise<void>;
}

/** Enrolment and device identity over real HTTP: codes, device tokens, isolation, revocation, roles. */
export function runDeviceTests(name: string, setup: () => Promise<DeviceSetup | undefined>): void {
  describe(`devices and enrolment: ${name}`, () => {
    const suite = backendSuite(name, setup, stopServer);
    const test = suite.test;
    let v1 = '';
    let operator = '';
    let viewer = '';
    let groupId = '';

    const newCode = async (uses = 1, expiresInSeconds = 3600) => {
      const res = await api(`${v1}/device-groups/${groupId}/enrolment-codes`, {
        token: operator,
        body: { uses, expiresInSeconds },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as { id: string; code: string; usesLeft: number };
    };
    const enrol = (code: string, deviceName?: string) =>
      api(`${v1}/devices/enrol`, { body: { code, name: deviceName, metadata: { ua: 'test' } } });
    const enrolOk = async (deviceName?: string) => {
      const res = await enrol((await newCode()).code, deviceName);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as { deviceId: string; token: string; groupId: string };
    };

    before(async () => {
      const ctx = suite.ctx;
      if (!ctx) return;
      v1 = `${ctx.server.url}/api/v1`;
      const admin = ctx.adminToken;
      operator = (await api(`${v1}/tokens`, { token: admin, body: { name: 'ops', role: 'operator' } })).body.token;
      viewer = (await api(`${v1}/tokens`, { token: admin, body: { name: 'viewer', role: 'viewer' } })).body.token;
      const group = await api(`${v1}/device-groups`, { token: operator, body: { name: 'lab', description: 'bench' } });
      assert.equal(group.status, 201, JSON.stringify(group.body));
      groupId = group.body.id;
    });

    test('groups: an operator creates, a viewer lists but may not create (403), a taken name is 409', async () => {
      const denied = await api(`${v1}/device-groups`, { token: viewer, body: { name: 'nope' } });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.error.code, 'forbidden');
      assert.equal((await api(`${v1}/device-groups`, { token: operator, body: { name: 'lab' } })).status, 409);
      const list = await api(`${v1}/device-groups`, { token: viewer });
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.map((g: { name: string }) => g.name),
        ['lab'],
      );
      assert.equal(
        (await api(`${v1}/device-groups/${groupId}/enrolment-codes`, { token: viewer, body: { uses: 1 } })).status,
        403,
      );
    });

    test('the code is shown once: listing codes does not reveal it', async () => {
      const c = await newCode(2);
      const list = await api(`${v1}/device-groups/${groupId}/enrolment-codes`, { token: operator });
      assert.equal(list.status, 200);
      const listed = list.body.find((x: { id: string }) => x.id === c.id);
      assert.equal(listed.usesLeft, 2);
      assert.ok(!JSON.stringify(list.body).includes(c.code));
    });

    test('a device enrols and its token reaches /devices/me and itself', async () => {
      const e = await enrolOk('cam-1');
      assert.equal(e.groupId, groupId);
      const me = await api(`${v1}/devices/me`, { token: e.token });
      assert.equal(me.status, 200, JSON.stringify(me.body));
      assert.equal(me.body.id, e.deviceId);
      assert.equal(me.body.name, 'cam-1');
      assert.deepEqual(me.body.metadata, { ua: 'test' });
      assert.equal((await api(`${v1}/devices/${e.deviceId}`, { token: e.token })).status, 200);
      const who = await api(`${v1}/me`, { token: e.token });
      assert.equal(who.body.role, 'device');
      assert.equal(who.body.deviceId, e.deviceId);
    });

    test('a device token may not read another device (403) nor list devices or groups', async () => {
      const a = await enrolOk('a');
      const b = await enrolOk('b');
      const res = await api(`${v1}/devices/${b.deviceId}`, { token: a.token });
      assert.equal(res.status, 403);
      assert.match(res.body.error.message, /only its own device/);
      assert.equal((await api(`${v1}/devices`, { token: a.token })).status, 403);
      assert.equal((await api(`${v1}/device-groups`, { token: a.token })).status, 403);
      assert.equal((await api(`${v1}/devices/${b.deviceId}`, { token: viewer })).status, 200);
    });

    test('people list devices, by group too; /devices/me needs a device token', async () => {
      const e = await enrolOk();
      const all = await api(`${v1}/devices?groupId=${groupId}`, { token: viewer });
      assert.equal(all.status, 200);
      assert.ok(all.body.some((d: { id: string }) => d.id === e.deviceId));
      assert.equal((await api(`${v1}/devices/me`, { token: viewer })).status, 403);
      assert.equal((await api(`${v1}/devices/not-a-uuid`, { token: viewer })).status, 400);
      assert.equal((await api(`${v1}/devices/00000000-0000-4000-8000-000000000000`, { token: viewer })).status, 404);
    });

    test('a revoked device gets 401 saying it was revoked', async () => {
      const e = await enrolOk('doomed');
      assert.equal((await api(`${v1}/devices/${e.deviceId}`, { token: viewer, method: 'DELETE' })).status, 403);
      const revoked = await api(`${v1}/devices/${e.deviceId}`, { token: operator, method: 'DELETE' });
      assert.equal(revoked.status, 200);
      assert.ok(revoked.body.revokedAt);
      const res = await api(`${v1}/devices/me`, { token: e.token });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'unauthorized');
      assert.match(res.body.error.message, /device was revoked/);
    });

    test('an N-use code works N times, then refuses with a clear message', async () => {
      const c = await newCode(3);
      for (let i = 0; i < 3; i++) assert.equal((await enrol(c.code, `n-${i}`)).status, 201);
      const res = await enrol(c.code, 'n-3');
      assert.equal(res.status, 403);
      assert.match(res.body.error.message, /used up/);
    });

    test('concurrent enrolments on a single-use code: exactly one wins', async () => {
      const c = await newCode(1);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => enrol(c.code, `race-${i}`)));
      assert.deepEqual(results.map((r) => r.status).sort(), [201, ...Array(9).fill(403)]);
    });

    test('an expired, a revoked or an unknown code is refused', async () => {
      const expiring = await newCode(5, 1);
      await new Promise((r) => setTimeout(r, 1200));
      const late = await enrol(expiring.code);
      assert.equal(late.status, 403);
      assert.match(late.body.error.message, /expired/);
      const c = await newCode(5);
      assert.equal((await api(`${v1}/enrolment-codes/${c.id}`, { token: viewer, method: 'DELETE' })).status, 403);
      assert.equal((await api(`${v1}/enrolment-codes/${c.id}`, { token: operator, method: 'DELETE' })).status, 200);
      const revoked = await enrol(c.code);
      assert.equal(revoked.status, 403);
      assert.match(revoked.body.error.message, /revoked/);
      const unknown = await enrol('tse_not-a-code');
      assert.equal(unknown.status, 401);
      assert.match(unknown.body.error.message, /enrolment code is not valid/);
      assert.equal((await api(`${v1}/devices/enrol`, { body: {} })).status, 400);
    });
  });
}
