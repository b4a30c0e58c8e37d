import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { before, describe } from 'node:test';
import { DocSync } from '../../../shared/sync/documents.ts';
import {
  appendEvent,
  compactEvents,
  deviceDocId,
  report,
  type DeviceDoc,
  type NewDriftEvent,
} from '../../../shared/documents/index.ts';
import { enrolDevice, operatorWithGroup, type EnrolledDevice } from '../../../testing/fleet.ts';
import { api, type TestServer } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';
import { signature } from '../../src/services/drift-events/webhook.ts';

const SECRET = 'drift-webhook-secret-0123456789';
const SHA = (c: string) => c.repeat(64);

/** A local receiver that answers 500 to the first delivery of every event, then 200. */
async function flakyReceiver() {
  const deliveries: { body: string; signature: string | undefined; status: number }[] = [];
  const seen = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = (JSON.parse(body) as { event: { id: string } }).event.id;
      const status = seen.has(id) ? 200 : 500;
      seen.add(id);
      deliveries.push({ body, signature: req.headers['x-tinysphere-signature'] as string | undefined, status });
      res.writeHead(status).end(status === 200 ? 'ok' : 'try again');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    deliveries,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

type Receiver = Awaited<ReturnType<typeof flakyReceiver>>;

/**
 * GET /drift-events and the actions on one event over real HTTP, with devices that sync real
 * Automerge documents, and the webhook against a real local receiver.
 */
export function runDriftEventTests(
  name: string,
  start: (env: Record<string, string>) => Promise<TestServer | undefined>,
): void {
  describe(`drift events: ${name}`, () => {
    let receiver: Receiver;
    const suite = backendSuite(
      name,
      async () => {
        receiver = await flakyReceiver();
        const t = await start({
          DRIFT_WEBHOOK_URL: receiver.url,
          DRIFT_WEBHOOK_SECRET: SECRET,
          DRIFT_WEBHOOK_BACKOFF_MS: '100',
          DRIFT_WEBHOOK_MAX_ATTEMPTS: '4',
        });
        if (!t) await receiver.close();
        return t;
      },
      async (t) => {
        await stopServer(t);
        await receiver.close();
      },
    );
    const test = suite.test;
    let url = '';
    let v1 = '';
    let operator = '';
    let viewer = '';
    let groupA = '';
    let groupB = '';
    let devA: EnrolledDevice;
    let devB: EnrolledDevice;
    let replicaA: DocSync<DeviceDoc>;

    const ev = (id: string, ts: string, kind: string, extra: Partial<NewDriftEvent> = {}): NewDriftEvent => ({
      id,
      ts,
      kind,
      detector: kind === 'feature' ? 'ewma' : 'ewma-confidence',
      statistic: 1.5,
      ...extra,
    });
    /** A device's replica: reports the model it runs, appends events, syncs. */
    async function deviceSync(
      dev: EnrolledDevice,
      model: { name: string; version: string; sha256: string },
      events: NewDriftEvent[],
      replica?: DocSync<DeviceDoc>,
    ) {
      const r = replica ?? (await DocSync.open<DeviceDoc>({ url, token: dev.token, docId: deviceDocId(dev.deviceId) }));
      await r.sync();
      await r.edit((d) => events.reduce((doc, e) => appendEvent(doc, e), report(d, { model })));
      await r.sync();
      return r;
    }
    const list = async (query: Record<string, string | number>, token = viewer) => {
      const res = await api(
        `${v1}/drift-events?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`,
        { token },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as {
        events: {
          id: string;
          deviceId: string;
          ts: string;
          status: string;
          feature: string | null;
          model?: string;
          label?: string;
        }[];
        nextPageToken: string | null;
      };
    };
    const ids = (page: { events: { id: string }[] }) => page.events.map((e) => e.id);

    before(async () => {
      const ctx = suite.ctx;
      if (!ctx) return;
      url = ctx.server.url;
      v1 = `${url}/api/v1`;
      ({ operator, groupId: groupA } = await operatorWithGroup(v1, ctx.adminToken, 'drift-a'));
      viewer = (await api(`${v1}/tokens`, { token: ctx.adminToken, body: { name: 'vera', role: 'viewer' } })).body
        .token;
      groupB = (await api(`${v1}/device-groups`, { token: operator, body: { name: 'drift-b' } })).body.id;
      devA = await enrolDevice(v1, operator, groupA, 'a');
      devB = await enrolDevice(v1, operator, groupB, 'b');
      replicaA = await deviceSync(devA, { name: 'weather', version: '1', sha256: SHA('a') }, [
        ev('a1', '2026-03-01T10:00:00.000Z', 'feature', { feature: 'Body Mass (g)' }),
        ev('a2', '2026-03-01T11:00:00.000Z', 'feature', { feature: 'temp_max' }),
        ev('a3', '2026-03-01T12:00:00.000Z', 'confidence'),
      ]);
      await deviceSync(devB, { name: 'weather', version: '2', sha256: SHA('b') }, [
        ev('b1', '2026-03-01T11:30:00.000Z', 'feature', { feature: 'temp_max' }),
        ev('b2', '2026-03-01T12:30:00.000Z', 'knn', { detector: 'knn-distance' }),
      ]);
    });

    test('events appear in the API after a device sync, newest first, with the model the device reported', async () => {
      const page = await list({});
      assert.deepEqual(ids(page), ['b2', 'a3', 'b1', 'a2', 'a1']);
      assert.equal(page.nextPageToken, null);
      const a1 = page.events.find((e) => e.id === 'a1')!;
      assert.deepEqual(a1, {
        id: 'a1',
        deviceId: devA.deviceId,
        ts: '2026-03-01T10:00:00.000Z',
        kind: 'feature',
        feature: 'Body Mass (g)',
        detector: 'ewma',
        statistic: 1.5,
        status: 'open',
        model: 'weather@1',
      });
      assert.equal(page.events.find((e) => e.id === 'b2')!.feature, null, 'not a feature detector: feature is null');
      // A second sync of the same document adds nothing and changes nothing.
      await replicaA.sync();
      assert.deepEqual(ids(await list({})), ['b2', 'a3', 'b1', 'a2', 'a1']);
    });

    test('every filter: model, group, device, feature, status, from/to', async () => {
      assert.deepEqual(ids(await list({ model: 'weather@1' })), ['a3', 'a2', 'a1']);
      assert.deepEqual(ids(await list({ model: 'weather@2' })), ['b2', 'b1']);
      assert.deepEqual(ids(await list({ model: 'weather@3' })), []);
      assert.deepEqual(ids(await list({ groupId: groupB })), ['b2', 'b1']);
      assert.deepEqual(ids(await list({ deviceId: devA.deviceId })), ['a3', 'a2', 'a1']);
      assert.deepEqual(ids(await list({ feature: 'temp_max' })), ['b1', 'a2']);
      assert.deepEqual(ids(await list({ feature: 'Body Mass (g)' })), ['a1']);
      assert.deepEqual(ids(await list({ from: '2026-03-01T11:00:00Z', to: '2026-03-01T12:00:00Z' })), [
        'a3',
        'b1',
        'a2',
      ]);
      // An offset counts: 11:15+01:00 is 10:15Z.
      assert.deepEqual(ids(await list({ from: '2026-03-01T11:15:00+01:00' })), ['b2', 'a3', 'b1', 'a2']);
      assert.deepEqual(ids(await list({ groupId: groupA, feature: 'temp_max', model: 'weather@1' })), ['a2']);
      assert.deepEqual(ids(await list({ status: 'open', deviceId: devB.deviceId })), ['b2', 'b1']);
    });

    test('keyset paging walks every event once, newest first, whatever the page size', async () => {
      for (const pageSize of [1, 2, 3]) {
        const seen: string[] = [];
        let token: string | null = null;
        do {
          const page = await list({ pageSize, ...(token ? { pageToken: token } : {}) });
          assert.ok(page.events.length <= pageSize);
          seen.push(...ids(page));
          token = page.nextPageToken;
        } while (token);
        assert.deepEqual(seen, ['b2', 'a3', 'b1', 'a2', 'a1'], `pageSize ${pageSize}`);
      }
      const filtered = await list({ pageSize: 1, feature: 'temp_max' });
      assert.deepEqual(ids(await list({ pageSize: 1, feature: 'temp_max', pageToken: filtered.nextPageToken! })), [
        'a2',
      ]);
    });

    test('bad query parameters are 400 naming the parameter', async () => {
      const bad: [string, RegExp][] = [
        ['model=weather', /model must be NAME@VERSION/],
        ['model=weather@x', /model must be NAME@VERSION/],
        ['groupId=nope', /groupId must be a UUID/],
        ['deviceId=nope', /deviceId must be a UUID/],
        ['status=closed', /status/],
        ['from=yesterday', /from must be an ISO 8601 time/],
        ['to=2026-13-01', /to must be an ISO 8601 time/],
        ['from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', /from must not be after to/],
        ['pageSize=0', /pageSize must be 1 to 500/],
        ['pageSize=501', /pageSize must be 1 to 500/],
        ['pageSize=ten', /pageSize must be a whole number/],
        ['pageToken=garbage', /pageToken is not one this server gave out/],
        ['colour=red', /colour/],
      ];
      for (const [qs, message] of bad) {
        const res = await api(`${v1}/drift-events?${qs}`, { token: viewer });
        assert.equal(res.status, 400, qs);
        assert.match(res.body.error.message, message, qs);
      }
      assert.equal((await api(`${v1}/drift-events`)).status, 401);
      assert.equal((await api(`${v1}/drift-events`, { token: devA.token })).status, 403);
    });

    test('acknowledge, false alarm and label by API land in the device document and the table', async () => {
      const act = (dev: string, id: string, what: string, body: unknown = {}, token = operator) =>
        api(`${v1}/drift-events/${dev}/${id}/${what}`, { token, body });
      assert.equal((await act(devA.deviceId, 'a1', 'acknowledge', {}, viewer)).status, 403, 'a viewer may not');
      const ack = await act(devA.deviceId, 'a1', 'acknowledge');
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      assert.equal(ack.body.status, 'acknowledged');
      assert.equal(ack.body.acknowledged.by, 'ops');
      const fa = await act(devA.deviceId, 'a2', 'false-alarm');
      assert.equal(fa.body.status, 'false_alarm');
      const label = await act(devA.deviceId, 'a3', 'label', { label: 'sensor swapped' });
      assert.equal(label.status, 200, JSON.stringify(label.body));
      assert.equal(label.body.label, 'sensor swapped');
      assert.equal(label.body.status, 'open');

      // The device's next sync brings the verdicts down.
      await replicaA.sync();
      const byId = Object.fromEntries(replicaA.value.events.map((e) => [e.id, e]));
      assert.equal(byId.a1?.acknowledged?.by, 'ops');
      assert.equal(byId.a2?.falseAlarm?.by, 'ops');
      assert.equal(byId.a3?.label, 'sensor swapped');
      assert.deepEqual(ids(await list({ status: 'acknowledged' })), ['a1']);
      assert.deepEqual(ids(await list({ status: 'false_alarm' })), ['a2']);
      assert.deepEqual(ids(await list({ status: 'open' })), ['b2', 'a3', 'b1']);
      // A later device sync (with a new event) keeps them.
      await deviceSync(
        devA,
        { name: 'weather', version: '1', sha256: SHA('a') },
        [ev('a4', '2026-03-01T13:00:00.000Z', 'prediction', { detector: 'prediction-distribution' })],
        replicaA,
      );
      assert.deepEqual(ids(await list({ status: 'false_alarm' })), ['a2']);
      assert.equal((await list({ deviceId: devA.deviceId })).events[0]!.id, 'a4');
    });

    test('refusals: unknown event or device 404, compacted 409, empty label 400 — none changes anything', async () => {
      const act = (dev: string, id: string, what: string, body: unknown = {}) =>
        api(`${v1}/drift-events/${dev}/${id}/${what}`, { token: operator, body });
      assert.equal((await act(devB.deviceId, 'nope', 'acknowledge')).status, 404);
      assert.equal((await act('00000000-0000-4000-8000-000000000000', 'b1', 'acknowledge')).status, 404);
      assert.equal((await act('not-a-uuid', 'b1', 'acknowledge')).status, 400);
      const empty = await act(devB.deviceId, 'b1', 'label', { label: '  ' });
      assert.equal(empty.status, 400);
      assert.match(empty.body.error.message, /label must not be empty/);
      // The device compacts b1 away: the table still lists it, but it can no longer be changed.
      const replicaB = await DocSync.open<DeviceDoc>({ url, token: devB.token, docId: deviceDocId(devB.deviceId) });
      await replicaB.sync();
      await replicaB.edit((d) => compactEvents(d, 1));
      await replicaB.sync();
      const compacted = await act(devB.deviceId, 'b1', 'false-alarm');
      assert.equal(compacted.status, 409);
      assert.match(compacted.body.error.message, /compacted/);
      const b1 = (await list({ deviceId: devB.deviceId })).events.find((e) => e.id === 'b1')!;
      assert.equal(b1.status, 'open');
      assert.equal(b1.label, undefined);
      // An event whose time is not one stays in the document only, and is refused without an edit.
      await deviceSync(
        devB,
        { name: 'weather', version: '2', sha256: SHA('b') },
        [ev('b3', 'yesterday', 'confidence')],
        replicaB,
      );
      assert.ok(!ids(await list({ deviceId: devB.deviceId })).includes('b3'));
      const odd = await act(devB.deviceId, 'b3', 'acknowledge');
      assert.equal(odd.status, 400);
      assert.match(odd.body.error.message, /no valid time/);
      await replicaB.sync();
      assert.equal(replicaB.value.events.find((e) => e.id === 'b3')?.acknowledged, undefined);
    });

    test('webhook: each new event is POSTed, signed, retried after a 500 until the receiver takes it', async () => {
      const want = ['a1', 'a2', 'a3', 'a4', 'b1', 'b2'];
      const deadline = Date.now() + 20_000;
      const delivered = () =>
        receiver.deliveries
          .filter((d) => d.status === 200)
          .map((d) => (JSON.parse(d.body) as { event: { id: string } }).event.id);
      while (delivered().length < want.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(delivered().sort(), want, 'every event delivered exactly once with success');
      for (const id of want) {
        const tries = receiver.deliveries.filter(
          (d) => (JSON.parse(d.body) as { event: { id: string } }).event.id === id,
        );
        assert.deepEqual(
          tries.map((t) => t.status),
          [500, 200],
          `${id}: refused once, then delivered`,
        );
        assert.equal(tries[0]!.body, tries[1]!.body, 'a retry sends the same body');
      }
      for (const d of receiver.deliveries) assert.equal(d.signature, signature(SECRET, d.body));
      const first = JSON.parse(receiver.deliveries.find((d) => d.body.includes('"b2"'))!.body);
      assert.deepEqual(first, {
        type: 'drift_event',
        event: {
          id: 'b2',
          deviceId: devB.deviceId,
          ts: '2026-03-01T12:30:00.000Z',
          kind: 'knn',
          feature: null,
          detector: 'knn-distance',
          statistic: 1.5,
          status: 'open',
          model: 'weather@2',
        },
      });
    });
  });
}
