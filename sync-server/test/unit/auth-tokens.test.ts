import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateTokenSchema } from '../../../shared/protocol/index.ts';
import { AuthService, hashToken } from '../../src/services/auth.ts';
import { DevicesService } from '../../src/services/devices/index.ts';
import { loadMigrations, migrate, type Db } from '../../src/store/db/index.ts';
import { openPglite } from '../../src/store/db/pglite.ts';
import { rejectsWith } from '../support/tracking.ts';
import { migratedPglite } from '../../../testing/test-db.ts';

const DAY = 86_400_000;
const LEGACY = 'legacy-admin-token-0123456789';
const NEXT = 'next-admin-token-0123456789';

/** Human tokens: expiry, listing, last use, revocation, and ADMIN_TOKEN rotation (one PGlite database, tests in order). */
describe('AuthService tokens (PGlite)', () => {
  let db: Db;
  let auth: AuthService;
  before(async () => {
    // Made before migration 014, as a server of the previous release would have left it.
    db = await openPglite(undefined);
    const all = await loadMigrations();
    await migrate(
      db,
      all.slice(
        0,
        all.findIndex((m) => m.name === 'token_expiry'),
      ),
    );
    await db.query(
      `INSERT INTO api_tokens (name, role, token_hash) VALUES ('ADMIN_TOKEN', 'admin', $1), ('ops', 'admin', $2)`,
      [hashToken(LEGACY), hashToken('ops-admin-token-0123456789')],
    );
    await migrate(db);
    auth = new AuthService(db);
  });
  after(() => db.close());

  const row = async (id: string) =>
    (
      await db.query<{ last_used_at: Date | null; revoked_at: Date | null }>(
        'SELECT last_used_at, revoked_at FROM api_tokens WHERE id = $1',
        [id],
      )
    ).rows[0]!;

  it('migration 014 marks the token ADMIN_TOKEN made as the bootstrap token, and not the others', async () => {
    const { rows } = await db.query<{ name: string; bootstrap: boolean }>(
      'SELECT name, bootstrap FROM api_tokens ORDER BY name',
    );
    assert.deepEqual(rows, [
      { name: 'ADMIN_TOKEN', bootstrap: true },
      { name: 'ops', bootstrap: false },
    ]);
  });

  it('the same ADMIN_TOKEN keeps working; a new one revokes the previous bootstrap token only; going back to a revoked one changes nothing', async () => {
    await auth.bootstrap(LEGACY);
    assert.equal((await auth.verify(LEGACY))?.role, 'admin');
    await auth.bootstrap(NEXT);
    await rejectsWith(auth.verify(LEGACY), 'unauthorized', /token revoked/);
    assert.equal((await auth.verify(NEXT))?.name, 'ADMIN_TOKEN');
    assert.equal(
      (await auth.verify('ops-admin-token-0123456789'))?.role,
      'admin',
      'a token an admin made is not a bootstrap token',
    );
    await auth.bootstrap(NEXT);
    assert.equal((await auth.verify(NEXT))?.role, 'admin');
    await auth.bootstrap(LEGACY);
    await rejectsWith(auth.verify(LEGACY), 'unauthorized', /token revoked/);
    assert.equal((await auth.verify(NEXT))?.role, 'admin', 'the revoked one does not take the current one with it');
  });

  it('the admin token printed on a first start is the bootstrap token a later ADMIN_TOKEN replaces', async () => {
    const fresh = await migratedPglite();
    try {
      const a = new AuthService(fresh);
      const printed = await a.bootstrap(undefined);
      assert.ok(printed);
      assert.equal(await a.bootstrap(undefined), undefined, 'printed once');
      await a.bootstrap(NEXT);
      await rejectsWith(a.verify(printed), 'unauthorized', /token revoked/);
      assert.equal((await a.verify(NEXT))?.role, 'admin');
    } finally {
      await fresh.close();
    }
  });

  it('an expiry is given in days or as a time in the future, at most 10 years ahead', async () => {
    const before = Date.now();
    const inDays = await auth.create({ name: 'ci', role: 'operator', expiresInDays: 30 });
    const at = Date.parse(inDays.expiresAt!);
    assert.ok(at >= before + 30 * DAY && at <= Date.now() + 30 * DAY);
    const exact = new Date(Date.now() + 3600_000).toISOString();
    assert.equal((await auth.create({ name: 'demo', role: 'viewer', expiresAt: exact })).expiresAt, exact);
    assert.equal((await auth.create({ name: 'forever', role: 'viewer' })).expiresAt, null);
    await rejectsWith(
      auth.create({ name: 'x', role: 'viewer', expiresAt: new Date(Date.now() - 1000).toISOString() }),
      'validation_failed',
      /expiresAt must be in the future/,
    );
    await rejectsWith(
      auth.create({ name: 'x', role: 'viewer', expiresAt: new Date(Date.now() + 3651 * DAY).toISOString() }),
      'validation_failed',
      /at most 3650 days/,
    );
    for (const bad of [
      { expiresInDays: 0 },
      { expiresInDays: 3651 },
      { expiresInDays: 1.5 },
      { expiresAt: 'tomorrow' },
      { expiresAt: exact, expiresInDays: 3 },
    ]) {
      assert.equal(
        CreateTokenSchema.safeParse({ name: 'x', role: 'viewer', ...bad }).success,
        false,
        JSON.stringify(bad),
      );
    }
  });

  it('an expired token is refused with a message that says it expired', async () => {
    const t = await auth.create({ name: 'short', role: 'viewer', expiresInDays: 1 });
    assert.equal((await auth.verify(t.token))?.name, 'short');
    await db.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [t.id]);
    await rejectsWith(auth.verify(t.token), 'unauthorized', /^token expired at \d{4}-/);
  });

  it('lists human tokens newest first without secrets; device tokens are not listed', async () => {
    const devices = new DevicesService(db);
    const group = await devices.createGroup('lab', '', null);
    const device = await devices.enrol(
      (await devices.createCode(group.id, { uses: 1, expiresInSeconds: 600 }, null)).code,
      'cam',
      {},
    );
    const tokens = await auth.list();
    assert.deepEqual(tokens.map((t) => t.name).slice(0, 5), ['short', 'forever', 'demo', 'ci', 'ADMIN_TOKEN']);
    assert.ok(!tokens.some((t) => t.role === ('device' as string) || t.name.startsWith('device:')), 'no device token');
    const principal = await auth.verify(device.token);
    assert.ok(!tokens.some((t) => t.id === principal!.tokenId));
    assert.deepEqual(Object.keys(tokens[0]!).sort(), [
      'bootstrap',
      'createdAt',
      'expiresAt',
      'id',
      'lastUsedAt',
      'name',
      'revokedAt',
      'role',
    ]);
    assert.deepEqual(
      tokens
        .filter((t) => t.bootstrap)
        .map((t) => [t.name, t.revokedAt === null])
        .sort(),
      [
        ['ADMIN_TOKEN', false],
        ['ADMIN_TOKEN', true],
      ],
    );
  });

  it('last_used_at is written when a token authenticates, at most once a minute', async () => {
    const t = await auth.create({ name: 'used', role: 'viewer' });
    assert.equal((await row(t.id)).last_used_at, null);
    const a = new AuthService(db);
    await a.verify(t.token);
    const first = (await row(t.id)).last_used_at;
    assert.ok(first && Date.now() - first.getTime() < 5000);
    assert.equal((await auth.list()).find((x) => x.id === t.id)?.lastUsedAt, first.toISOString());

    await db.query(`UPDATE api_tokens SET last_used_at = now() - interval '30 seconds' WHERE id = $1`, [t.id]);
    const thirty = (await row(t.id)).last_used_at;
    await new AuthService(db).verify(t.token);
    assert.deepEqual((await row(t.id)).last_used_at, thirty, 'used 30 s ago (another instance): not rewritten');
    await db.query(`UPDATE api_tokens SET last_used_at = now() - interval '1 hour' WHERE id = $1`, [t.id]);
    const hour = (await row(t.id)).last_used_at;
    await a.verify(t.token);
    assert.deepEqual((await row(t.id)).last_used_at, hour, 'the same process does not write again within the minute');
  });

  it('revoke: idempotent, 404 for unknown and device tokens, and never the last usable admin token', async () => {
    const viewer = await auth.create({ name: 'temp', role: 'viewer' });
    const revoked = await auth.revoke(viewer.id);
    assert.ok(revoked.revokedAt);
    assert.deepEqual(await auth.revoke(viewer.id), revoked, 'revoking again answers the same');
    await rejectsWith(auth.verify(viewer.token), 'unauthorized', /token revoked/);
    await rejectsWith(auth.revoke('00000000-0000-4000-8000-000000000000'), 'not_found', /no token with id/);
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM api_tokens WHERE role = 'device' LIMIT 1`);
    await rejectsWith(auth.revoke(rows[0]!.id), 'not_found', /revoked with its device/);

    // Usable admins now: NEXT (bootstrap) and ops. An expired admin token does not count.
    const ops = (await auth.list()).find((t) => t.name === 'ops')!;
    const expiring = await auth.create({ name: 'old admin', role: 'admin', expiresInDays: 1 });
    await db.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiring.id]);
    await auth.revoke(ops.id);
    const next = (await auth.list()).find((t) => t.bootstrap && !t.revokedAt)!;
    await rejectsWith(auth.revoke(next.id), 'conflict', /last usable admin token/);
    assert.equal((await row(next.id)).revoked_at, null);
    assert.ok((await auth.revoke(expiring.id)).revokedAt, 'an expired admin token can be revoked');
    await auth.create({ name: 'second admin', role: 'admin' });
    assert.ok((await auth.revoke(next.id)).revokedAt, 'with another admin token, the bootstrap one can go');
  });
});
