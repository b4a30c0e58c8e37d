import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeviceDoc } from '../../shared/documents/index.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/postgres.ts';
import {
  api,
  pgliteServer,
  runToExit,
  startServerProcess,
  tempDataDir,
  type ServerProcess,
  type TestServer,
} from '../../testing/server-process.ts';
import { stopServer } from '../../testing/suite.ts';
import { DocSync } from '../../shared/sync/documents.ts';

/** `tinylcm simulate` as a user runs it: the CLI as its own process against real server processes. */
const simulate = (args: string[]) => runToExit(process.execPath, ['bin/tinylcm.js', 'simulate', ...args], {}, 150_000);

interface Stats {
  devices: number;
  recordsLogged: number;
  recordsAcknowledged: number;
  exchanges: number;
  p50Ms: number;
  p99Ms: number;
}

function parseStats(stdout: string): Stats {
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, `--json prints one line\n${stdout}`);
  const stats = JSON.parse(lines[0]!) as Stats;
  assert.deepEqual(Object.keys(stats).sort(), [
    'devices',
    'exchanges',
    'p50Ms',
    'p99Ms',
    'recordsAcknowledged',
    'recordsLogged',
  ]);
  return stats;
}

/** The simulator's group (the newest sim-* group) and its devices' documents, read with the admin token. */
async function simulatedDevices(
  url: string,
  token: string,
): Promise<{ id: string; metadata: Record<string, unknown>; doc: DeviceDoc }[]> {
  const groups = (await api(`${url}/api/v1/device-groups`, { token })).body;
  const list = (Array.isArray(groups) ? groups : (groups.groups ?? groups.items)) as {
    id: string;
    name: string;
    createdAt: string;
  }[];
  const group = list.filter((g) => g.name.startsWith('sim-')).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  assert.ok(group, 'the simulator created a sim-* group');
  const devices = (await api(`${url}/api/v1/devices?groupId=${group.id}`, { token })).body;
  const rows = (Array.isArray(devices) ? devices : (devices.devices ?? devices.items)) as {
    id: string;
    metadata: Record<string, unknown>;
  }[];
  return Promise.all(
    rows.map(async (d) => {
      const replica = await DocSync.open<DeviceDoc>({ url, token, docId: `device:${d.id}` });
      await replica.sync();
      return { id: d.id, metadata: d.metadata, doc: replica.value };
    }),
  );
}

const RECORDS = 300;
const DRIFT_AT = 0.5;

describe('tinylcm simulate', { concurrency: true }, () => {
  let pglite: TestServer;
  let database: TestDatabase | undefined;
  let pair: ServerProcess[] = [];
  let shared: Awaited<ReturnType<typeof tempDataDir>> | undefined;
  const pairToken = 'sim-two-admin-token-0123456789abcdef';

  // Every server starts at once: a start (migrations, the demo model's training) is most of the time.
  before(async () => {
    const startPair = async () => {
      database = await createTestDatabase();
      if (!database) return;
      shared = await tempDataDir();
      // One blob folder for both, as one S3 bucket would be; whichever claims it first registers the demo model.
      const env = { DATABASE_URL: database.url, DATA_DIR: shared.dir, ADMIN_TOKEN: pairToken, DEMO: '1' };
      pair = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    };
    [pglite] = await Promise.all([pgliteServer({ DEMO: '1' }), startPair()]);
  });
  after(async () => {
    await stopServer(pglite);
    for (const s of pair) assert.equal((await s.stop()).code, 0);
    await database?.drop();
    await shared?.remove();
  });

  it('bad arguments: one clear line, exit 2', async () => {
    const r = await simulate(['--server', 'http://127.0.0.1:1', '--token', 't', '--devices', '0', '--records', '5']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^tinylcm simulate: --devices must be a whole number from 1 to 100000 \(got "0"\)\n$/);
    const r2 = await simulate(['--server', 'not a url', '--token', 't', '--devices', '1', '--records', '5']);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /--server: "not a url" is not a URL/);
  });

  it('3 devices × 300 records, offline 30 % of the time, drift from the middle: every record acknowledged once', async () => {
    const { url } = pglite.server;
    const token = pglite.adminToken;
    const r = await simulate([
      '--server',
      url,
      '--token',
      token,
      '--devices',
      '3',
      '--records',
      String(RECORDS),
      '--offline-rate',
      '0.3',
      '--drift-at',
      String(DRIFT_AT),
      '--timeout',
      '100',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const stats = parseStats(r.stdout);
    assert.equal(stats.devices, 3);
    assert.equal(stats.recordsLogged, 3 * RECORDS);
    assert.equal(stats.recordsAcknowledged, 3 * RECORDS);
    assert.ok(stats.exchanges >= 3, `every device exchanged at least once (${stats.exchanges})`);
    assert.ok(stats.p50Ms > 0 && stats.p50Ms <= stats.p99Ms, JSON.stringify(stats));

    const summary = (await api(`${url}/api/v1/fleet/summary`, { token })).body;
    assert.equal(summary.records, stats.recordsLogged, 'the server stored each record exactly once');
    assert.ok(summary.driftAlarms > 0, JSON.stringify(summary));

    const devices = await simulatedDevices(url, token);
    assert.equal(devices.length, 3);
    const shiftAt = Math.floor(DRIFT_AT * RECORDS);
    for (const { id, metadata, doc } of devices) {
      assert.equal(metadata.simulated, true);
      const desired = doc.desired.model;
      assert.equal(desired?.name, 'seattle-weather');
      assert.deepEqual(doc.reported.model, desired, `device ${id} reports the deployed model`);
      assert.equal(doc.reported.metrics?.inferences, RECORDS);
      // What Node has of device health (heap, uptime, its version) reached the server's series too.
      assert.match(doc.reported.health?.browser ?? '', /^node \d+\./, `device ${id} reports its health`);
      assert.ok((doc.reported.health?.heapUsedBytes ?? 0) > 0);
      assert.ok(
        (await api(`${url}/api/v1/devices/${id}/health`, { token })).body.points.length >= 1,
        `device ${id}: a stored health`,
      );
      // Event ids are `<session>-<inference number>/<channel>`: the heat wave (+15 °C) is caught once it starts, and only then.
      const at = (e: { id: string }) => Number(/-(\d+)\//.exec(e.id)?.[1]);
      const temp = doc.events.filter((e) => e.kind === 'feature' && /^temp_/.test(e.feature ?? ''));
      assert.ok(
        temp.length > 0 && temp.every((e) => at(e) > shiftAt),
        `device ${id}: temperature drift only after record ${shiftAt}: ${JSON.stringify(doc.events.map((e) => e.id))}`,
      );
    }
  });

  it('two server instances on one PostgreSQL: each exchange goes to either, nothing is lost', async (t) => {
    if (!database) return t.skip('PostgreSQL is not available');
    const urls = pair.map((s) => s.url);
    const r = await simulate([
      '--server',
      urls.join(','),
      '--token',
      pairToken,
      '--devices',
      '2',
      '--records',
      '200',
      '--offline-rate',
      '0.2',
      '--timeout',
      '100',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parseStats(r.stdout).recordsAcknowledged, 400);
    for (const url of urls)
      assert.equal((await api(`${url}/api/v1/fleet/summary`, { token: pairToken })).body.records, 400);
    // Both instances took part (request counters are per process).
    for (const url of urls) {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(
        metrics,
        /tinysphere_http_requests_total\{method="POST",route="\/api\/v1\/sync\/:docId",status="200"\} [1-9]/,
        `${url} served document syncs`,
      );
    }
  });
});
