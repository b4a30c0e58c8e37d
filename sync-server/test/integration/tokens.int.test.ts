/**
 * Tokens over HTTP and through `tinysphere tokens`, on one PGlite server; then the same data
 * directory started again with another ADMIN_TOKEN, which revokes the first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { enrolDevice, operatorWithGroup } from '../../../testing/fleet.ts';
import {
  api,
  runToExit,
  startServerProcess,
  tempDataDir,
  type ExitResult,
  type ServerProcess,
} from '../../../testing/server-process.ts';

const FIRST = 'tokens-first-admin-token-0123456789';
const SECOND = 'tokens-second-admin-token-0123456789';
/** Runs the tokens command for each argument list in process.argv[1], capturing what it writes; prints the results as JSON. */
const BATCH = `
const { tokens } = await import('./sync-server/src/cli/tokens.ts');
const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
const results = [];
for (const args of JSON.parse(process.argv[1])) {
  const r = { stdout: '', stderr: '' };
  process.stdout.write = (c) => ((r.stdout += c), true);
  process.stderr.write = (c) => ((r.stderr += c), true);
  r.code = await tokens.run(args);
  process.stdout.write = write.out;
  process.stderr.write = write.err;
  results.push(r);
}
write.out(JSON.stringify(results));
`;

const error = (res: { status: number; body: any }, status: number, message: RegExp) => {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.body.error.message, message);
};

describe('tokens: list, create with expiry, revoke, last use; ADMIN_TOKEN rotation (PGlite)', () => {
  let server: ServerProcess;
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  let v1 = '';
  const made: Record<string, { id: string; token: string }> = {};
  /**
   * `tinysphere tokens …` once per argument list, all in one child process (a process per call costs
   * CI seconds each; the test runner's own output is on this process's stdout, so not here).
   */
  const cli = async (calls: [args: string[], token?: string][]): Promise<ExitResult[]> => {
    const argv = calls.map(([args, token = FIRST]) => [...args, '--server', server.url, '--token', token]);
    const r = await runToExit(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', BATCH, JSON.stringify(argv)],
      {},
    );
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const list = async (token = FIRST) => (await api(`${v1}/tokens`, { token })).body.tokens as any[];

  before(async () => {
    data = await tempDataDir();
    server = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: FIRST, DEMO: '0' });
    v1 = `${server.url}/api/v1`;
  });
  after(async () => {
    await server.stop();
    await data.remove();
  });

  it('an admin lists human tokens with last use, expiry and state, never a secret; others may not', async () => {
    for (const [name, role, expiresInDays] of [
      ['dashboard', 'viewer', 30],
      ['ci', 'operator', undefined],
    ] as const) {
      const res = await api(`${v1}/tokens`, { token: FIRST, body: { name, role, expiresInDays } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      made[name] = res.body;
    }
    assert.ok(
      Math.abs(
        Date.parse((await api(`${v1}/tokens`, { token: FIRST })).body.tokens[1].expiresAt) -
          Date.now() -
          30 * 86_400_000,
      ) < 60_000,
    );
    await api(`${v1}/me`, { token: made.dashboard!.token });
    const { groupId } = await operatorWithGroup(v1, FIRST, 'lab');
    const device = await enrolDevice(v1, made.ci!.token, groupId);

    const res = await api(`${v1}/tokens`, { token: FIRST });
    assert.equal(res.status, 200);
    const listed = res.body.tokens as any[];
    assert.deepEqual(
      listed.map((t) => [t.name, t.role, t.bootstrap]),
      [
        ['ops', 'operator', false],
        ['ci', 'operator', false],
        ['dashboard', 'viewer', false],
        ['ADMIN_TOKEN', 'admin', true],
      ],
    );
    const dashboard = listed.find((t) => t.name === 'dashboard');
    assert.ok(dashboard.lastUsedAt && Date.now() - Date.parse(dashboard.lastUsedAt) < 60_000, 'used just now');
    assert.equal(listed.find((t) => t.name === 'ci').expiresAt, null);
    const text = JSON.stringify(res.body);
    for (const secret of [FIRST, made.dashboard!.token, made.ci!.token, device.token])
      assert.ok(!text.includes(secret));
    assert.doesNotMatch(text, /hash/i);
    error(await api(`${v1}/tokens`, { token: made.dashboard!.token }), 403, /role viewer may not/);
    error(await api(`${v1}/tokens`, { token: made.ci!.token }), 403, /role operator may not/);

    // A device's token is its device's: not listed, not revoked here.
    const deviceTokenId = (await api(`${v1}/me`, { token: device.token })).body.tokenId;
    assert.ok(!listed.some((t) => t.id === deviceTokenId));
    error(
      await api(`${v1}/tokens/${deviceTokenId}`, { token: FIRST, method: 'DELETE' }),
      404,
      /revoked with its device/,
    );
  });

  it('a bad expiry is a 400 naming the field, and stores nothing', async () => {
    const count = (await list()).length;
    const cases: [object, RegExp][] = [
      [{ expiresAt: new Date(Date.now() - 60_000).toISOString() }, /expiresAt must be in the future/],
      [
        { expiresAt: new Date(Date.now() + 3651 * 86_400_000).toISOString() },
        /expiresAt must be at most 3650 days ahead/,
      ],
      [{ expiresAt: 'next tuesday' }, /expiresAt/],
      [{ expiresInDays: 0 }, /expiresInDays/],
      [
        { expiresInDays: 1, expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
        /expiresAt or expiresInDays, not both/,
      ],
    ];
    for (const [extra, message] of cases)
      error(await api(`${v1}/tokens`, { token: FIRST, body: { name: 'bad', role: 'viewer', ...extra } }), 400, message);
    assert.equal((await list()).length, count);
  });

  it('revoke: the token stops at once with 401 "token revoked"; again answers the same; unknown 404; the last admin token 409', async () => {
    const first = await api(`${v1}/tokens/${made.dashboard!.id}`, { token: FIRST, method: 'DELETE' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.ok(first.body.revokedAt);
    error(await api(`${v1}/me`, { token: made.dashboard!.token }), 401, /^token revoked/);
    assert.deepEqual(
      (await api(`${v1}/tokens/${made.dashboard!.id}`, { token: FIRST, method: 'DELETE' })).body,
      first.body,
    );
    error(
      await api(`${v1}/tokens/00000000-0000-4000-8000-000000000000`, { token: FIRST, method: 'DELETE' }),
      404,
      /no token with id/,
    );
    error(await api(`${v1}/tokens/not-a-uuid`, { token: FIRST, method: 'DELETE' }), 400, /id/);
    const adminId = (await list()).find((t) => t.bootstrap).id;
    error(await api(`${v1}/tokens/${adminId}`, { token: FIRST, method: 'DELETE' }), 409, /last usable admin token/);
    assert.equal((await api(`${v1}/me`, { token: FIRST })).status, 200);
    const doc = (await api(`${v1}/openapi.json`)).body;
    assert.ok(
      doc.paths['/api/v1/tokens'].get && doc.paths['/api/v1/tokens'].post && doc.paths['/api/v1/tokens/{id}'].delete,
    );
  });

  it('tinysphere tokens: list as a table or JSON, create with an expiry, revoke; wrong input exits 2 with usage', async () => {
    const [created, json] = await cli([
      [['create', '--name', 'grafana', '--role', 'viewer', '--expires-in-days', '90']],
      [['list', '--json']],
    ]);
    assert.equal(created!.code, 0, created!.stderr);
    assert.match(
      created!.stdout,
      /created viewer token "grafana" \([0-9a-f-]{36}\), expires \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
    );
    const secret = /^\s+(tsk_\S+)$/m.exec(created!.stdout)?.[1];
    assert.equal((await api(`${v1}/me`, { token: secret })).body.name, 'grafana');
    const grafana = (JSON.parse(json!.stdout) as any[]).find((t) => t.name === 'grafana');
    assert.equal(grafana.role, 'viewer');

    // Through the real entry point once: the command is registered.
    const table = await runToExit(process.execPath, ['bin/tinysphere.js', 'tokens', 'list'], {
      TINYSPHERE_URL: server.url,
      TINYSPHERE_TOKEN: FIRST,
    });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout.split('\n')[0]!, /^ID\s+NAME\s+ROLE\s+STATUS\s+CREATED\s+LAST USED\s+EXPIRES$/);
    assert.match(table.stdout, /grafana\s+viewer\s+active\s/);
    assert.match(table.stdout, /dashboard\s+viewer\s+revoked\s/);
    assert.match(table.stdout, /ADMIN_TOKEN \(bootstrap\)\s+admin\s+active\s/);

    const adminId = (await list()).find((t) => t.bootstrap).id;
    const usage: [string[], RegExp][] = [
      [['create', '--role', 'viewer'], /create needs --name/],
      [['create', '--name', 'x'], /create needs --role/],
      [
        ['create', '--name', 'x', '--role', 'king'],
        /--role must be one of admin, scientist, operator, viewer, got "king"/,
      ],
      [
        ['create', '--name', 'x', '--role', 'viewer', '--expires-in-days', '0'],
        /--expires-in-days needs a whole number of days from 1 to 3650, got "0"/,
      ],
      [
        ['create', '--name', 'x', '--role', 'viewer', '--expires-in-days', '1.5'],
        /--expires-in-days needs a whole number/,
      ],
      [['revoke'], /revoke needs a token ID/],
      [['revoke', 'grafana'], /revoke needs a token ID \(a UUID, see tokens list\), got "grafana"/],
      [['list', 'extra'], /list takes no arguments/],
      [['create', '--name', 'x', '--role', 'viewer', '--colour', 'red'], /colour/],
      [['rotate'], /unknown subcommand "rotate"/],
      [[], /a subcommand is needed/],
    ];
    const [revoked, last, operator, unknown, ...wrong] = await cli([
      [['revoke', grafana.id, '--json']],
      [['revoke', adminId]],
      [['list'], made.ci!.token],
      [['revoke', '00000000-0000-4000-8000-000000000000']],
      ...usage.map(([args]): [string[]] => [args]),
    ]);
    assert.equal(revoked!.code, 0, revoked!.stderr);
    assert.ok(JSON.parse(revoked!.stdout).revokedAt);
    error(await api(`${v1}/me`, { token: secret }), 401, /token revoked/);
    assert.equal(last!.code, 1, last!.stderr);
    assert.match(last!.stderr, /last usable admin token.*HTTP 409/);
    assert.equal(operator!.code, 4, 'an operator may not list tokens');
    assert.equal(unknown!.code, 5);
    for (const [i, [args, message]] of usage.entries()) {
      assert.equal(wrong[i]!.code, 2, `${args.join(' ')}: ${wrong[i]!.stderr}`);
      assert.match(wrong[i]!.stderr, message);
      assert.match(wrong[i]!.stderr, /usage: tinysphere tokens list/);
    }
    assert.equal((await list()).filter((t) => t.name === 'x').length, 0, 'wrong input made no token');
  });

  it('a restart with a new ADMIN_TOKEN revokes the previous one; the tokens it made keep working', async () => {
    assert.equal((await server.stop()).code, 0);
    server = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: SECOND, DEMO: '0' });
    v1 = `${server.url}/api/v1`;
    error(await api(`${v1}/me`, { token: FIRST }), 401, /^token revoked/);
    assert.equal((await api(`${v1}/me`, { token: SECOND })).body.role, 'admin');
    assert.equal((await api(`${v1}/me`, { token: made.ci!.token })).body.role, 'operator');
    const bootstrap = (await list(SECOND)).filter((t) => t.bootstrap).map((t) => [t.name, t.revokedAt === null]);
    assert.deepEqual(bootstrap, [
      ['ADMIN_TOKEN', true],
      ['ADMIN_TOKEN', false],
    ]);
    assert.match(server.stdout(), /previous bootstrap admin token is revoked/);
  });
});
