// The whole loop for a model that is not the demo, as a user runs it: a tabular model of
// their own (feature names with spaces and parentheses) and its training CSV go to the registry with
// `tinysphere models push --reference`; `tinylcm simulate --model --data` deploys it to simulated
// devices feeding a CSV whose second half shifts two features; an operator changes the group's
// configuration while they run, and every device reports it applied; the drift events the devices
// raise, read through GET /api/v1/drift-events, name exactly those two features.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeviceDoc } from '../../../shared/documents/index.ts';
import { DocSync } from '../../../shared/sync/documents.ts';
import { api, pgliteServer, runToExit, type TestServer } from '../../../testing/server-process.ts';
import { stopServer } from '../../../testing/suite.ts';
import { buildTabularModel } from '../../../testing/tabular-model.ts';

const FEATURES = ['Body Mass (g)', 'Flipper Length (mm)', 'Bill Depth (mm)', 'Culmen Length (mm)', 'Age (days)'];
const SHIFTED = ['Flipper Length (mm)', 'Age (days)'];
const DEVICES = 3;
const RECORDS = 800;

describe('bring your own model: push with a training CSV, simulate a fleet, configure it, drift on exactly the shifted features', () => {
  let s: TestServer;
  let dir = '';
  const at = (f: string) => path.join(dir, f);
  const tabular = buildTabularModel({ features: FEATURES, classLabels: ['Adelie', 'Chinstrap', 'Gentoo'], rows: 1500 });

  before(async () => {
    [s, dir] = await Promise.all([pgliteServer(), mkdtemp(path.join(tmpdir(), 'byom-'))]);
    const stable = tabular.sample(RECORDS / 2, 11);
    const shifted = tabular.sample(RECORDS / 2, 12, Object.fromEntries(SHIFTED.map((f) => [f, 3])));
    await Promise.all([
      writeFile(at('penguins.onnx'), tabular.onnx),
      writeFile(at('metadata.json'), JSON.stringify(tabular.metadata)),
      writeFile(at('train.csv'), tabular.csv(tabular.train, 'species')),
      writeFile(
        at('field.csv'),
        tabular.csv({ rows: [...stable.rows, ...shifted.rows], labels: [...stable.labels, ...shifted.labels] }),
      ),
      writeFile(
        at('off-from-the-start.csv'),
        tabular.csv(tabular.sample(300, 13, Object.fromEntries(SHIFTED.map((f) => [f, 3])))),
      ),
    ]);
  });
  after(async () => {
    await stopServer(s);
    await rm(dir, { recursive: true, force: true });
  });

  it('pushes, deploys, simulates and finds feature drift on exactly the two shifted features, on every device', async () => {
    assert.ok(tabular.accuracy > 0.8, `the model learnt something (${tabular.accuracy})`);
    const env = { TINYSPHERE_URL: s.server.url, TINYSPHERE_TOKEN: s.adminToken };
    const push = await runToExit(
      process.execPath,
      [
        'bin/tinysphere.js',
        'models',
        'push',
        'penguins',
        at('penguins.onnx'),
        '--metadata',
        at('metadata.json'),
        '--reference',
        at('train.csv'),
        '--label-column',
        'species',
        '--json',
      ],
      env,
    );
    assert.equal(push.code, 0, push.stderr);
    const version = (await api(`${s.server.url}/api/v1/models/penguins/versions/1`, { token: s.adminToken })).body;
    assert.deepEqual(
      version.metadata.referenceProfile.features.map((f: { name: string }) => f.name),
      FEATURES,
      'the profile covers every declared feature',
    );

    // While the fleet runs, an operator changes its group's configuration: it reaches every device.
    let groupId = '';
    const events = await simulate('field.csv', DEVICES, RECORDS, 'penguins@1', async (id) => {
      groupId = id;
      const put = await api(`${s.server.url}/api/v1/device-groups/${id}/config`, {
        token: s.adminToken,
        method: 'PUT',
        body: { syncIntervalSec: 120, falseAlarmThresholdFactor: 2 },
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(put.body.version, 1);
    });
    for (const d of await deviceDocs(groupId)) {
      assert.equal(d.desired.configVersion, 1);
      assert.equal(d.reported.configVersion, 1, `device ${d.deviceId} applied the group's config`);
      assert.equal(d.reported.configError, undefined);
      assert.equal(d.desired.syncIntervalSec, 120);
    }
    const byFeature = featureDrift(events);
    assert.deepEqual(
      [...byFeature.keys()].sort(),
      [...SHIFTED].sort(),
      `feature drift events: ${JSON.stringify([...byFeature].map(([f, d]) => [f, d.size]))}`,
    );
    for (const f of SHIFTED) assert.equal(byFeature.get(f)!.size, DEVICES, `every device saw ${f} drift`);
    assert.ok(events.every((e) => e.status === 'open'));
  });

  it('the devices judge against the training profile: a stream off from its first row is caught too', async () => {
    // Detectors that only compare a stream with its own past learn such a stream as normal; only the
    // reference profile that came down with the model tells the devices it is not.
    const events = await simulate('off-from-the-start.csv', 2, 300);
    assert.deepEqual([...featureDrift(events).keys()].sort(), [...SHIFTED].sort());
    // The same model pushed without the training CSV: the devices have nothing to compare with.
    const env = { TINYSPHERE_URL: s.server.url, TINYSPHERE_TOKEN: s.adminToken };
    const bare = await runToExit(
      process.execPath,
      ['bin/tinysphere.js', 'models', 'push', 'penguins', at('penguins.onnx'), '--metadata', at('metadata.json')],
      env,
    );
    assert.equal(bare.code, 0, bare.stderr);
    assert.deepEqual([...featureDrift(await simulate('off-from-the-start.csv', 2, 300, 'penguins@2')).keys()], []);
  });

  const groups = async (): Promise<{ id: string }[]> =>
    (await api(`${s.server.url}/api/v1/device-groups`, { token: s.adminToken })).body;

  /** The group's device documents as the server holds them (read with the admin token). */
  async function deviceDocs(groupId: string): Promise<DeviceDoc[]> {
    const devices: { id: string }[] = (
      await api(`${s.server.url}/api/v1/devices?groupId=${groupId}`, { token: s.adminToken })
    ).body;
    assert.equal(devices.length, DEVICES);
    return Promise.all(
      devices.map(async (d) => {
        const replica = await DocSync.open<DeviceDoc>({
          url: s.server.url,
          token: s.adminToken,
          docId: `device:${d.id}`,
        });
        await replica.sync();
        return replica.value;
      }),
    );
  }

  type Event = { deviceId: string; feature: string | null; kind: string; status: string };

  /** Runs a fresh simulated group on the CSV; answers the drift events its devices raised. */
  async function simulate(
    csv: string,
    devices: number,
    records: number,
    model = 'penguins@1',
    whileRunning?: (groupId: string) => Promise<void>,
  ): Promise<Event[]> {
    const before = new Set((await groups()).map((g) => g.id));
    const running = runToExit(
      process.execPath,
      [
        'bin/tinylcm.js',
        'simulate',
        '--server',
        s.server.url,
        '--token',
        s.adminToken,
        '--devices',
        String(devices),
        '--records',
        String(records),
        '--model',
        model,
        '--data',
        at(csv),
        '--timeout',
        '240',
        '--json',
      ],
      {},
      280_000,
    );
    if (whileRunning) {
      let fresh: { id: string } | undefined;
      for (let i = 0; i < 600 && !fresh; i++) {
        fresh = (await groups()).find((g) => !before.has(g.id));
        if (!fresh) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(fresh, 'the simulator made a group');
      await whileRunning(fresh.id);
    }
    const sim = await running;
    assert.equal(sim.code, 0, sim.stderr);
    const result = JSON.parse(sim.stdout);
    assert.equal(result.recordsAcknowledged, devices * records);
    const group = (await groups()).find((g) => !before.has(g.id));
    assert.ok(group, 'the simulator made a group');
    const events: Event[] = [];
    let pageToken: string | null = null;
    do {
      const q = new URLSearchParams({ model, groupId: group.id, pageSize: '500', ...(pageToken ? { pageToken } : {}) });
      const page = await api(`${s.server.url}/api/v1/drift-events?${q}`, { token: s.adminToken });
      assert.equal(page.status, 200, JSON.stringify(page.body));
      events.push(...page.body.events);
      pageToken = page.body.nextPageToken;
    } while (pageToken);
    return events;
  }
});

/** Feature → the devices that raised a drift event on it. */
function featureDrift(events: { deviceId: string; feature: string | null }[]): Map<string, Set<string>> {
  const byFeature = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.feature === null) continue;
    if (!byFeature.has(e.feature)) byFeature.set(e.feature, new Set());
    byFeature.get(e.feature)!.add(e.deviceId);
  }
  return byFeature;
}
