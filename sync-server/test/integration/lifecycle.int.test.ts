import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, runToExit, startServerProcess, tempDataDir } from '../../../testing/server-process.ts';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('TinySphere process lifecycle', () => {
  it('`PORT=abc npm start` exits non-zero with one line naming PORT', async () => {
    const r = await runToExit(npm, ['start', '--silent'], { PORT: 'abc' });
    assert.notEqual(r.code, 0);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^tinysphere: PORT: /);
  });

  it('an unreachable DATABASE_URL stops the start with a line naming DATABASE_URL', async () => {
    const data = await tempDataDir();
    const r = await runToExit(process.execPath, ['--import', 'tsx', 'sync-server/src/main.ts'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/postgres',
      DATA_DIR: data.dir,
      PORT: '0',
    });
    await data.remove();
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^tinysphere: DATABASE_URL: cannot connect to the database: .*ECONNREFUSED/m);
  });

  it('an unreachable S3_ENDPOINT stops the start with a line naming S3_ENDPOINT', async () => {
    const data = await tempDataDir();
    const r = await runToExit(process.execPath, ['--import', 'tsx', 'sync-server/src/main.ts'], {
      S3_ENDPOINT: 'http://127.0.0.1:1',
      S3_ACCESS_KEY: 'a',
      S3_SECRET_KEY: 'b',
      DATA_DIR: data.dir,
      PORT: '0',
    });
    await data.remove();
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^tinysphere: S3_ENDPOINT: /m);
  });

  it('a second start reuses the data: no new admin token, the first one still works; SIGTERM exits 0 within 10 s', async () => {
    const data = await tempDataDir();
    try {
      const first = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: '' });
      assert.ok(first.printedToken, 'first start prints an admin token');
      const created = await api(`${first.url}/api/v1/tokens`, { token: first.printedToken, body: { name: 'ops', role: 'operator' } });
      assert.equal(created.status, 201);
      const stop1 = await first.stop('SIGTERM');
      assert.equal(stop1.code, 0);
      assert.ok(stop1.ms < 10_000, `stopped in ${stop1.ms} ms`);
      assert.match(first.stdout(), /"msg":"stopped"/);

      const second = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: '' });
      assert.equal(second.printedToken, undefined, 'the token is printed once only');
      assert.doesNotMatch(second.stdout(), /tsk_/);
      assert.equal((await api(`${second.url}/api/v1/me`, { token: first.printedToken })).body.role, 'admin');
      assert.equal((await api(`${second.url}/api/v1/me`, { token: created.body.token })).body.role, 'operator');
      assert.equal((await second.stop('SIGTERM')).code, 0);
    } finally {
      await data.remove();
    }
  });
});
