import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { acknowledgeEvent, appendEvent, deviceDocId, groupDocId, labelEvent, setDesired, type DeviceDoc } from '../../../shared/documents/index.ts';
import { DocSync } from '../../../edge-app/src/lcm/sync/documents.ts';
import { api, startServerProcess, tempDataDir } from '../../../testing/server-process.ts';
import { enrolDevice, operatorWithGroup } from '../../../testing/fleet.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';
import { createRng as rng } from '../../../shared/drift/stats/rng.ts';


const SEED = Number(process.env.SEED ?? 20261126);
const STEPS = 120;

describe('documents over HTTP: access and convergence (PGlite server process)', () => {
  const suite = backendSuite(
    'PGlite',
    async () => {
      const data = await tempDataDir();
      const adminToken = 'documents-admin-token-0123456789';
      const server = await startServerProcess({ DATA_DIR: data.dir, ADMIN_TOKEN: adminToken, DEMO: '0' });
      return { server, adminToken, teardown: data.remove };
    },
    stopServer,
  );
  let url = '';
  let v1 = '';
  let operator = '';
  let groupId = '';
  const enrol = () => enrolDevice(v1, operator, groupId);

  before(async () => {
    const ctx = suite.ctx;
    if (!ctx) return;
    url = ctx.server.url;
    v1 = `${url}/api/v1`;
    ({ operator, groupId } = await operatorWithGroup(v1, ctx.adminToken, 'docs'));
  });

  suite.test('a device token syncs only its own document; people sync any; bad input is a 4xx', async () => {
    const dev = await enrol();
    const other = await enrol();
    const sync = (docId: string, token: string, body: unknown = { have: [], changes: [] }) => api(`${v1}/sync/${docId}`, { token, body });
    assert.equal((await sync(deviceDocId(dev.deviceId), dev.token)).status, 200);
    assert.equal((await sync(deviceDocId(other.deviceId), dev.token)).status, 403);
    assert.equal((await sync(groupDocId(groupId), dev.token)).status, 403);
    assert.equal((await sync(deviceDocId(dev.deviceId), operator)).status, 200);
    assert.equal((await sync(groupDocId(groupId), operator)).status, 200);
    assert.equal((await api(`${v1}/sync/${deviceDocId(dev.deviceId)}`, { body: { have: [], changes: [] } })).status, 401);
    assert.equal((await sync('nonsense', operator)).status, 400);
    assert.equal((await sync(deviceDocId(dev.deviceId), dev.token, { have: [], changes: ['AQIDBA=='] })).status, 400);
    assert.equal((await sync(deviceDocId(dev.deviceId), dev.token, { have: 'x' })).status, 400);
  });

  suite.test(`convergence: device, server-side writer and console edit while partitioned, then heal (seed ${SEED})`, async (ctx) => {
    const random = rng(SEED);
    const dev = await enrol();
    const docId = deviceDocId(dev.deviceId);
    const open = (token: string) => DocSync.open<DeviceDoc>({ url, token, docId });
    const device = await open(dev.token);
    const server = await open(ctx.adminToken); // stands in for server-side writes (deployments)
    const console_ = await open(operator);
    const replicas = [device, server, console_];
    const online = [false, false, false];
    const markers: { kind: 'event' | 'desired' | 'ack' | 'label'; id: string; value?: string }[] = [];

    for (let step = 0; step < STEPS; step++) {
      const who = Math.floor(random() * 3);
      const r = replicas[who]!;
      if (random() < 0.15) online[who] = !online[who]; // partition or heal this replica's link
      if (online[who] && random() < 0.35) {
        await r.sync();
        continue;
      }
      const marker = `s${step}`;
      if (who === 0) {
        await r.edit((d) => appendEvent(d, { id: marker, ts: new Date(step * 1000).toISOString(), kind: random() < 0.5 ? 'ks' : 'adwin', statistic: random() }));
        markers.push({ kind: 'event', id: marker });
      } else if (who === 1) {
        await r.edit((d) => setDesired(d, { detectors: { ...(d.desired.detectors as object | undefined), [marker]: true } }));
        markers.push({ kind: 'desired', id: marker });
      } else {
        // The console acts on events it has seen and has not yet acknowledged or labelled itself.
        const open = r.value.events.filter((e) => !markers.some((m) => (m.kind === 'ack' || m.kind === 'label') && m.id === e.id));
        const target = open[Math.floor(random() * open.length)];
        if (!target) continue;
        if (random() < 0.5) {
          await r.edit((d) => acknowledgeEvent(d, target.id, marker));
          markers.push({ kind: 'ack', id: target.id, value: marker });
        } else {
          await r.edit((d) => labelEvent(d, target.id, marker));
          markers.push({ kind: 'label', id: target.id, value: marker });
        }
      }
    }

    // Heal: two rounds — the first brings everything to the server, the second back to everyone.
    for (let round = 0; round < 2; round++) for (const r of replicas) await r.sync();
    const fresh = await open(operator);
    await fresh.sync();

    const all = [...replicas, fresh].map((r) => r.value);
    const heads = all.map((d) => [...A.getHeads(d)].sort());
    for (const h of heads.slice(1)) assert.deepEqual(h, heads[0], 'every replica has the same heads');
    const json = all.map((d) => JSON.stringify(A.toJS(d)));
    for (const j of json.slice(1)) assert.equal(j, json[0], 'every replica has the same content');

    const doc = fresh.value;
    const byId = new Map(doc.events.map((e) => [e.id, e]));
    const counts = { event: 0, desired: 0, ack: 0, label: 0 };
    for (const m of markers) {
      counts[m.kind]++;
      if (m.kind === 'event') assert.ok(byId.has(m.id), `event ${m.id} kept`);
      if (m.kind === 'desired') assert.equal((doc.desired.detectors as Record<string, boolean>)[m.id], true, `desired ${m.id} kept`);
      if (m.kind === 'ack') assert.equal(byId.get(m.id)?.acknowledged?.by, m.value, `ack ${m.value} kept`);
      if (m.kind === 'label') assert.equal(byId.get(m.id)?.label, m.value, `label ${m.value} kept`);
    }
    // The schedule really exercised every kind of write.
    for (const [k, c] of Object.entries(counts)) assert.ok(c > 0, `no ${k} edits in this schedule`);
  });
});
