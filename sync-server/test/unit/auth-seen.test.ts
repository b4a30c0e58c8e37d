import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Logger } from 'pino';
import { AuthService } from '../../src/services/auth.ts';
import { DevicesService } from '../../src/services/devices/index.ts';
import type { Db } from '../../src/store/db/index.ts';
import { migratedPglite } from '../../../testing/test-db.ts';

describe('AuthService marks devices seen (PGlite)', () => {
  let db: Db;
  let device = { deviceId: '', token: '' };
  before(async () => {
    db = await migratedPglite();
    const devices = new DevicesService(db);
    const group = await devices.createGroup('lab', '', null);
    const code = await devices.createCode(group.id, { uses: 1, expiresInSeconds: 600 }, null);
    device = await devices.enrol(code.code, 'cam', {});
  });
  after(() => db.close());

  const setSeenAgo = (seconds: number) =>
    db.query(`UPDATE devices SET last_seen_at = now() - make_interval(secs => $2) WHERE id = $1`, [
      device.deviceId,
      seconds,
    ]);
  const seenAgo = async () => {
    const { rows } = await db.query<{ ago: number }>(
      `SELECT extract(epoch FROM now() - last_seen_at)::float8 AS ago FROM devices WHERE id = $1`,
      [device.deviceId],
    );
    return rows[0]!.ago;
  };

  it('refreshes last_seen_at when a device token authenticates', async () => {
    await setSeenAgo(3600);
    assert.equal((await new AuthService(db).verify(device.token))?.deviceId, device.deviceId);
    assert.ok((await seenAgo()) < 5);
  });

  it('writes at most once a minute: skipped in SQL across instances, and in memory within one', async () => {
    await setSeenAgo(30);
    await new AuthService(db).verify(device.token);
    assert.ok((await seenAgo()) >= 30, 'another instance seen 30 s ago: not rewritten');

    const auth = new AuthService(db);
    await setSeenAgo(3600);
    await auth.verify(device.token);
    await setSeenAgo(3600);
    await auth.verify(device.token);
    assert.ok((await seenAgo()) >= 3600, 'the same process does not query again within the minute');
  });

  it('a failing update is logged and the token still authenticates', async () => {
    const failing: Db = {
      ...db,
      kind: db.kind,
      transaction: db.transaction.bind(db),
      close: db.close.bind(db),
      query: (sql, params) =>
        sql.startsWith('UPDATE devices') ? Promise.reject(new Error('disk full')) : db.query(sql, params),
    };
    const warnings: unknown[] = [];
    const logger = { warn: (obj: unknown) => warnings.push(obj) } as unknown as Logger;
    const principal = await new AuthService(failing, logger).verify(device.token);
    assert.equal(principal?.deviceId, device.deviceId);
    assert.equal(warnings.length, 1);
  });
});
