import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requireOwnDevice } from '../../src/auth/own-device.ts';
import { AuthService } from '../../src/services/auth.ts';
import { DevicesService } from '../../src/services/devices/index.ts';
import type { Db } from '../../src/store/db/index.ts';
import { migratedPglite } from '../../../testing/test-db.ts';
import { rejectsWith } from '../support/tracking.ts';

describe('DevicesService: groups, enrolment codes, devices (PGlite)', () => {
  let db: Db;
  let devices: DevicesService;
  let auth: AuthService;
  let groupId = '';
  before(async () => {
    db = await migratedPglite();
    devices = new DevicesService(db);
    auth = new AuthService(db);
    groupId = (await devices.createGroup('lab', 'bench devices', 'alice')).id;
  });
  after(() => db.close());

  const code = (uses = 1, expiresInSeconds = 3600) => devices.createCode(groupId, { uses, expiresInSeconds }, 'alice');

  it('creates and lists groups; a taken name is a conflict', async () => {
    await devices.createGroup('field', '', null);
    assert.deepEqual(
      (await devices.listGroups()).map((g) => g.name),
      ['field', 'lab'],
    );
    await rejectsWith(devices.createGroup('lab', '', null), 'conflict', /already exists/);
  });

  it('stores only a hash of the code, and a code for a missing group is not found', async () => {
    const created = await code(3);
    assert.match(created.code, /^tse_/);
    assert.equal(created.uses, 3);
    assert.equal(created.usesLeft, 3);
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM enrolment_codes WHERE code_hash = sha256(convert_to($1, 'UTF8'))",
      [created.code],
    );
    assert.equal(rows[0]!.n, 1);
    const dump = JSON.stringify((await db.query('SELECT * FROM enrolment_codes')).rows);
    assert.ok(!dump.includes(created.code));
    await rejectsWith(
      devices.createCode('00000000-0000-4000-8000-000000000000', { uses: 1, expiresInSeconds: 60 }, null),
      'not_found',
    );
  });

  it('enrols a device whose token authenticates as that device', async () => {
    const c = await code();
    const answer = await devices.enrol(c.code, 'cam-1', { ua: 'test' });
    assert.equal(answer.groupId, groupId);
    const principal = await auth.verify(answer.token);
    assert.equal(principal?.role, 'device');
    assert.equal(principal?.deviceId, answer.deviceId);
    const device = await devices.getDevice(answer.deviceId);
    assert.equal(device.name, 'cam-1');
    assert.deepEqual(device.metadata, { ua: 'test' });
    assert.equal(device.revokedAt, null);
  });

  it('a device without a name gets one from its id', async () => {
    const answer = await devices.enrol((await code()).code, undefined);
    assert.equal((await devices.getDevice(answer.deviceId)).name, `device-${answer.deviceId.slice(0, 8)}`);
  });

  it('concurrent enrolments on a single-use code: exactly one wins', async () => {
    const c = await code(1);
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => devices.enrol(c.code, `race-${i}`)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.match((r.reason as Error).message, /used up/);
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM devices WHERE name LIKE 'race-%'");
    assert.equal(rows[0]!.n, 1);
  });

  it('an N-use code works N times, then refuses', async () => {
    const c = await code(3);
    for (let i = 0; i < 3; i++) await devices.enrol(c.code, `n-${i}`);
    await rejectsWith(devices.enrol(c.code, 'n-3'), 'forbidden', /used up \(it allowed 3 enrolments\)/);
  });

  it('refuses an expired, a revoked and an unknown code', async () => {
    const expired = await code(5, 1);
    await db.query("UPDATE enrolment_codes SET expires_at = now() - interval '1 second' WHERE id = $1", [expired.id]);
    await rejectsWith(devices.enrol(expired.code, 'late'), 'forbidden', /expired/);
    const revoked = await code(5);
    assert.notEqual((await devices.revokeCode(revoked.id)).revokedAt, null);
    await rejectsWith(devices.enrol(revoked.code, 'x'), 'forbidden', /revoked/);
    await rejectsWith(devices.enrol('tse_nope', 'x'), 'unauthorized', /not valid/);
    await rejectsWith(devices.revokeCode('00000000-0000-4000-8000-000000000000'), 'not_found');
  });

  it('a refused enrolment consumes no use', async () => {
    const c = await code(1);
    await db.query("UPDATE enrolment_codes SET expires_at = now() - interval '1 second' WHERE id = $1", [c.id]);
    await assert.rejects(devices.enrol(c.code, 'x'));
    const { rows } = await db.query<{ uses_left: number }>('SELECT uses_left FROM enrolment_codes WHERE id = $1', [
      c.id,
    ]);
    assert.equal(rows[0]!.uses_left, 1);
  });

  it('lists devices, all or by group', async () => {
    const other = await devices.createGroup('other', '', null);
    const c = await devices.createCode(other.id, { uses: 1, expiresInSeconds: 60 }, null);
    const { deviceId } = await devices.enrol(c.code, 'elsewhere');
    assert.deepEqual(
      (await devices.listDevices(other.id)).map((d) => d.id),
      [deviceId],
    );
    const all = await devices.listDevices();
    assert.ok(all.length > 1 && all.some((d) => d.id === deviceId));
  });

  it('revoking a device revokes its token, and the token then says the device was revoked', async () => {
    const answer = await devices.enrol((await code()).code, 'doomed');
    const revoked = await devices.revokeDevice(answer.deviceId);
    assert.notEqual(revoked.revokedAt, null);
    await rejectsWith(auth.verify(answer.token), 'unauthorized', /device was revoked/);
    await rejectsWith(devices.revokeDevice('00000000-0000-4000-8000-000000000000'), 'not_found');
    await rejectsWith(devices.getDevice('00000000-0000-4000-8000-000000000000'), 'not_found');
  });

  it('a revoked person token is a 401 that says it was revoked', async () => {
    const t = await auth.create({ name: 'temp', role: 'viewer' });
    await db.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1', [t.id]);
    await rejectsWith(auth.verify(t.token), 'unauthorized', /token revoked/);
  });
});

describe('requireOwnDevice', () => {
  const tokenId = '00000000-0000-4000-8000-000000000001';
  const me = '00000000-0000-4000-8000-00000000000a';
  const other = '00000000-0000-4000-8000-00000000000b';
  it('lets a device reach itself and people through, and stops a device at another device', () => {
    requireOwnDevice({ tokenId, name: 'd', role: 'device', deviceId: me }, me);
    requireOwnDevice({ tokenId, name: 'ops', role: 'operator' }, other);
    requireOwnDevice({ tokenId, name: 'root', role: 'admin' }, other);
    assert.throws(
      () => requireOwnDevice({ tokenId, name: 'd', role: 'device', deviceId: me }, other),
      /only its own device/,
    );
    assert.throws(() => requireOwnDevice({ tokenId, name: 'd', role: 'device' }, other), /only its own device/);
    assert.throws(() => requireOwnDevice(undefined, other), /Bearer/);
  });
});
