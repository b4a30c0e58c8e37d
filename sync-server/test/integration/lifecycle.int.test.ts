import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { buildDemoModel } from '../../../shared/demo/seattle-weather.ts';
import { api, runToExit, startServerProcess, tempDataDir } from '../../../testing/server-process.ts';
import { seattleWeatherCsvUrl } from '../../../shared/demo/dataset.ts';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('TinySphere process lifecycle', () => {
  it('registers the demo model on the first start of an empty registry, with its profile, unless DEMO=0', async () => {
    const data = await tempDataDir();
    const off = await tempDataDir();
    try {
      const token = 'lifecycle-admin-token-0123456789';
      const server = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: token });
      const v = await api(`${server.url}/api/v1/models/seattle-weather/versions/champion`, { token });
      assert.equal(v.status, 200);
      const csv = await readFile(new URL(seattleWeatherCsvUrl(import.meta.resolve)), 'utf8');
      const expected = buildDemoModel(csv);
      assert.equal(
        v.body.sha256,
        createHash('sha256').update(expected.onnx).digest('hex'),
        'the same bytes as a local build',
      );
      assert.deepEqual(v.body.metadata.classLabels, ['drizzle', 'fog', 'rain', 'snow', 'sun']);
      assert.deepEqual(v.body.inputs, [{ name: 'features', type: 'float32', shape: ['batch', 4] }]);
      assert.equal(v.body.metadata.referenceProfile.rows, expected.metadata.training.rows);
      assert.ok(v.body.metadata.training.accuracy > v.body.metadata.training.majorityBaseline.accuracy);
      assert.equal((await server.stop()).code, 0);

      const none = await startServerProcess({ DATA_DIR: off.dir, ADMIN_TOKEN: token, DEMO: '0' });
      assert.deepEqual((await api(`${none.url}/api/v1/models`, { token })).body.items, []);
      assert.equal((await none.stop()).code, 0);
    } finally {
      await data.remove();
      await off.remove();
    }
  });

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
      const created = await api(`${first.url}/api/v1/tokens`, {
        token: first.printedToken,
        body: { name: 'ops', role: 'operator' },
      });
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
      const demo = await api(`${second.url}/api/v1/models/seattle-weather`, { token: first.printedToken });
      assert.deepEqual(
        [demo.status, demo.body.versionCount, demo.body.aliases],
        [200, 1, { champion: 1 }],
        'the demo model is registered once',
      );
      assert.equal((await second.stop('SIGTERM')).code, 0);
    } finally {
      await data.remove();
    }
  });
});
