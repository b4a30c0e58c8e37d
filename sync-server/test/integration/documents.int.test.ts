import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import http from 'node:http';
import { before, describe } from 'node:test';
import {
  acknowledgeEvent,
  appendEvent,
  deviceDocId,
  groupDocId,
  initDeviceDoc,
  labelEvent,
  report,
  setDesired,
  toBase64,
  type DeviceDoc,
} from '../../../shared/documents/index.ts';
import { DocSync } from '../../../shared/sync/documents.ts';
import { api, startServerProcess, tempDataDir } from '../../../testing/server-process.ts';
import { enrolDevice, operatorWithGroup } from '../../../testing/fleet.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';
import { createRng as rng } from '../../../shared/random/prng.ts';

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
    const sync = (docId: string, token: string, body: unknown = { have: [], changes: [] }) =>
      api(`${v1}/sync/${docId}`, { token, body });
    assert.equal((await sync(deviceDocId(dev.deviceId), dev.token)).status, 200);
    assert.equal((await sync(deviceDocId(other.deviceId), dev.token)).status, 403);
    assert.equal((await sync(groupDocId(groupId), dev.token)).status, 403);
    assert.equal((await sync(deviceDocId(dev.deviceId), operator)).status, 200);
    assert.equal((await sync(groupDocId(groupId), operator)).status, 200);
    assert.equal(
      (await api(`${v1}/sync/${deviceDocId(dev.deviceId)}`, { body: { have: [], changes: [] } })).status,
      401,
    );
    assert.equal((await sync('nonsense', operator)).status, 400);
    // Ids of no device or group: 404, and no document comes into being for them.
    assert.equal((await sync(deviceDocId(crypto.randomUUID()), operator)).status, 404);
    assert.equal((await sync(groupDocId(crypto.randomUUID()), operator)).status, 404);
    assert.equal((await sync(`device:${'-'.repeat(36)}`, operator)).status, 400);
    assert.equal((await sync(deviceDocId(dev.deviceId), dev.token, { have: [], changes: ['AQIDBA=='] })).status, 400);
    assert.equal((await sync(deviceDocId(dev.deviceId), dev.token, { have: 'x' })).status, 400);
  });

  suite.test(
    `convergence: device, server-side writer and console edit while partitioned, then heal (seed ${SEED})`,
    async (ctx) => {
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
          await r.edit((d) =>
            appendEvent(d, {
              id: marker,
              ts: new Date(step * 1000).toISOString(),
              kind: random() < 0.5 ? 'ks' : 'adwin',
              statistic: random(),
            }),
          );
          markers.push({ kind: 'event', id: marker });
        } else if (who === 1) {
          await r.edit((d) =>
            setDesired(d, { detectors: { ...(d.desired.detectors as object | undefined), [marker]: true } }),
          );
          markers.push({ kind: 'desired', id: marker });
        } else {
          // The console acts on events it has seen and has not yet acknowledged or labelled itself.
          const open = r.value.events.filter(
            (e) => !markers.some((m) => (m.kind === 'ack' || m.kind === 'label') && m.id === e.id),
          );
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
        if (m.kind === 'desired')
          assert.equal((doc.desired.detectors as Record<string, boolean>)[m.id], true, `desired ${m.id} kept`);
        if (m.kind === 'ack') assert.equal(byId.get(m.id)?.acknowledged?.by, m.value, `ack ${m.value} kept`);
        if (m.kind === 'label') assert.equal(byId.get(m.id)?.label, m.value, `label ${m.value} kept`);
      }
      // The schedule really exercised every kind of write.
      for (const [k, c] of Object.entries(counts)) assert.ok(c > 0, `no ${k} edits in this schedule`);
    },
  );

  suite.test(
    'what a device writes is bounded and checked: refused with a 4xx naming the limit or path, nothing stored',
    async () => {
      const dev = await enrol();
      const docId = deviceDocId(dev.deviceId);
      const post = (changes: Uint8Array[], token = dev.token) =>
        api(`${v1}/sync/${docId}`, { token, body: { have: [], changes: changes.map(toBase64) } });
      const heads = async () => (await post([])).body.heads as string[];
      // The device's replica as the server has it: every edit below starts from a copy of it.
      const replica = await DocSync.open<DeviceDoc>({ url, token: dev.token, docId });
      await replica.edit((d) =>
        appendEvent(d, { id: 'e1', ts: new Date(0).toISOString(), kind: 'ks', statistic: 0.5 }),
      );
      await replica.sync();
      const start = replica.value;
      const attempt = (edit: (d: A.Doc<DeviceDoc>) => A.Doc<DeviceDoc>, token?: string) =>
        post(A.getChanges(start, edit(A.clone(start))), token);
      const raw = (fn: (d: DeviceDoc) => void) => (d: A.Doc<DeviceDoc>) => A.change(d, fn);
      const before = await heads();

      // 700,000 characters in one change: refused on its bytes, before any decoding.
      const big = await attempt(
        raw((d) => void (d.reported.status = new A.ImmutableString('x'.repeat(700_000)) as unknown as string)),
      );
      assert.equal(big.status, 413, JSON.stringify(big.body));
      assert.match(big.body.error.message, /MAX_DOC_CHANGE_BYTES/);
      const refusals: [string, (d: A.Doc<DeviceDoc>) => A.Doc<DeviceDoc>, number, string][] = [
        ['acknowledged', (d) => acknowledgeEvent(d, 'e1', 'the device itself'), 403, 'events[0].acknowledged'],
        ['label', (d) => labelEvent(d, 'e1', 'self-labelled'), 403, 'events[0].label'],
        ['desired', (d) => setDesired(d, { syncIntervalSec: 1 }), 403, 'desired.syncIntervalSec'],
        [
          'model.version 2^40',
          raw((d) => void (d.reported.model = { name: 'm', version: String(2 ** 40), sha256: 'a'.repeat(64) })),
          400,
          'reported.model.version',
        ],
      ];
      for (const [what, edit, status, path] of refusals) {
        const res = await attempt(edit);
        assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.details.limit, path, what);
      }
      // A change whose parent the server never saw: refused, not stored (it would wedge the document).
      const one = report(A.clone(start), { status: 'one' });
      const two = report(A.clone(one), { status: 'two' });
      const orphan = await post(A.getChanges(one, two));
      assert.equal(orphan.status, 409, JSON.stringify(orphan.body));
      assert.deepEqual(orphan.body.error.details.missing, A.getHeads(one));
      assert.deepEqual(await heads(), before, 'nothing of any refused change was stored');
      // The console may do what the device may not; and the device's next honest sync works.
      assert.equal((await attempt((d) => acknowledgeEvent(d, 'e1', 'ops'), operator)).status, 200);
      await replica.edit((d) => report(d, { status: 'running' }));
      await replica.sync();
      assert.equal(replica.value.reported.status, 'running');
      assert.equal(replica.value.events[0]?.acknowledged?.by, 'ops');
    },
  );

  suite.test(
    '/healthz answers while a large allowed change is applied (the Automerge work runs off the event loop)',
    async (ctx) => {
      const dev = await enrol();
      const docId = deviceDocId(dev.deviceId);
      const base = initDeviceDoc(dev.deviceId);
      // About 18,000 operations in one change, under MAX_DOC_CHANGE_OPS: 80 events of long feature names.
      const big = A.change(A.clone(base), (d) => {
        for (let i = 0; i < 80; i++)
          d.events.push({
            id: `big-${i}`,
            ts: new Date(i * 1000).toISOString(),
            kind: 'ks',
            feature: 'f'.repeat(190),
            statistic: i / 80,
          });
      });
      // Counted from when the whole body is on its way: the work left is the server's.
      let sent = false;
      let settled = false;
      const body = JSON.stringify({ have: [], changes: A.getChanges(base, big).map(toBase64) });
      const sync = new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = http.request(
          `${v1}/sync/${docId}`,
          { method: 'POST', headers: { authorization: `Bearer ${dev.token}`, 'content-type': 'application/json' } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }),
            );
          },
        );
        req.on('error', reject);
        req.end(body, () => (sent = true));
      }).finally(() => (settled = true));
      let answered = 0;
      while (!settled) {
        const counts = sent;
        const h = await fetch(`${ctx.server.url}/healthz`);
        assert.equal(h.status, 200);
        await h.arrayBuffer();
        if (counts && !settled) answered++;
      }
      const res = await sync;
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.heads, A.getHeads(big));
      // Applying it on the event loop (before the fix), the server answered one or two of these, after the change was applied.
      assert.ok(answered >= 10, `only ${answered} health checks were answered while the sync ran`);
    },
  );
});
