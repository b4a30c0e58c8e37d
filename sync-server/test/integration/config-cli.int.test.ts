import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CliHost, startCliHost } from '../../../testing/cli-host.ts';
import { enrolDevice, operatorWithGroup } from '../../../testing/fleet.ts';
import {
  api,
  runToExit,
  startServerProcess,
  tempDataDir,
  type ServerProcess,
} from '../../../testing/server-process.ts';

describe('tinysphere config (CLI against a running server)', () => {
  let server: ServerProcess;
  let data: Awaited<ReturnType<typeof tempDataDir>>;
  let v1 = '';
  let operator = '';
  let groupId = '';
  const admin = 'config-cli-admin-token-0123456789';
  let host: CliHost;
  /** Through the CLI host; `real` runs that call as its own process (one per file: it must exit by itself). */
  const cli = (args: string[], real = false) => {
    const env = { TINYSPHERE_URL: server.url, TINYSPHERE_TOKEN: operator };
    return real
      ? runToExit(process.execPath, ['bin/tinysphere.js', 'config', ...args], env)
      : host.run(['config', ...args], env);
  };
  const groupConfig = async () => (await api(`${v1}/device-groups/${groupId}/config`, { token: operator })).body;

  before(async () => {
    data = await tempDataDir();
    server = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: admin, DEMO: '0' });
    v1 = `${server.url}/api/v1`;
    ({ operator, groupId } = await operatorWithGroup(v1, admin, 'kiosks'));
    host = await startCliHost('tinysphere');
  });
  after(async () => {
    await host.close();
    await server.stop();
    await data.remove();
  });

  it('set takes dotted keys (JSON values, else strings; null removes) by group name, get prints it back', async () => {
    const set = await cli(
      [
        'set',
        'kiosks',
        'syncIntervalSec=120',
        'sampling.everyNth=4',
        'detectors.features.detector=page-hinkley',
        'detectors.features.params.threshold=30',
        '--json',
      ],
      true,
    );
    assert.equal(set.code, 0, set.stderr);
    const saved = JSON.parse(set.stdout);
    assert.equal(saved.version, 1);
    assert.deepEqual(saved.config, {
      syncIntervalSec: 120,
      sampling: { everyNth: 4 },
      detectors: { features: { detector: 'page-hinkley', params: { threshold: 30 } } },
    });
    // A second set changes only what it names; null removes a key.
    const more = await cli(['set', groupId, 'sampling=null', 'detectors.features.params.delta=0.1', '--json']);
    assert.equal(more.code, 0, more.stderr);
    assert.deepEqual(JSON.parse(more.stdout).config, {
      syncIntervalSec: 120,
      detectors: { features: { detector: 'page-hinkley', params: { threshold: 30, delta: 0.1 } } },
    });
    const get = await cli(['get', 'kiosks']);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /^group: version 2 \(by ops at /);
    assert.match(get.stdout, /"delta": 0.1/);
  });

  it('--device writes the device own config and get shows own, group and effective', async () => {
    const dev = await enrolDevice(v1, operator, groupId, 'kiosk-1');
    const set = await cli(['set', 'kiosks', 'alerts.p95LatencyMs=25', '--device', dev.deviceId]);
    assert.equal(set.code, 0, set.stderr);
    const get = await cli(['get', 'kiosks', '--device', dev.deviceId, '--json']);
    const a = JSON.parse(get.stdout);
    assert.deepEqual(a.config, { alerts: { p95LatencyMs: 25 } });
    assert.equal(a.effective.configVersion, a.group.version + 1);
    assert.equal(a.effective.config.alerts.p95LatencyMs, 25);
    assert.equal(a.effective.config.syncIntervalSec, 120);
  });

  it('wrong input exits 2 with a clear message and changes nothing; a refused config exits 1 with the server reason', async () => {
    const before = await groupConfig();
    const usage: [string[], RegExp][] = [
      [['set', 'kiosks'], /set needs at least one key=value/],
      [['set', 'kiosks', 'syncIntervalSec'], /"syncIntervalSec" is not key=value/],
      [['set', 'kiosks', 'sampling..everyNth=3'], /is not a dotted key/],
      [['set', 'kiosks', '__proto__.x=1'], /is not a dotted key/],
      [['set', 'kiosks', 'syncIntervalSec.x=1'], /syncIntervalSec is 120, not an object/],
      [['set', 'nowhere', 'syncIntervalSec=60'], /no device group named or with id "nowhere"/],
      [['get', 'kiosks', '--device', 'cam-1'], /--device needs a device id/],
      [['get', 'kiosks', 'extra'], /get takes only GROUP/],
      [['frob', 'kiosks'], /unknown subcommand "frob"/],
      [['get'], /GROUP is needed/],
    ];
    for (const [args, message] of usage) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /usage: tinysphere config get/);
    }
    const refused = await cli(['set', 'kiosks', 'detectors.features.params.lambda=30']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /Unknown parameter "lambda" for detector "page-hinkley".*HTTP 400/s);
    const unknown = await cli(['set', 'kiosks', 'colour=red']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /colour/);
    assert.deepEqual(await groupConfig(), before);
  });
});
