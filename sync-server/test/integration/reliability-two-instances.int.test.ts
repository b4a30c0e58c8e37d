import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { acknowledgeEvent, appendEvent, deviceDocId, report, type DeviceDoc } from '../../../shared/documents/index.ts';
import { buildPackage } from '../../../shared/ingest/index.ts';
import { ApiError } from '../../../shared/protocol/client.ts';
import { DocSync } from '../../../shared/sync/documents.ts';
import {
  assertExactlyOnce,
  enrolDevices,
  postgresBackend,
  RELIABILITY_ADMIN_TOKEN,
  rng,
  sleep,
  withOrigin,
  type SimDevice,
} from '../../../testing/reliability.ts';
import { api } from '../../../testing/server-process.ts';
import { backendSuite } from '../../../testing/suite.ts';

const SEED = Number(process.env.SEED ?? 2_2026);
const DEVICES = 6;
const ROUNDS = 6;

/** A document sync retried while the server sheds load (503/429): the only failure expected here. */
async function syncShedding(replica: DocSync<DeviceDoc>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await replica.sync();
    } catch (err) {
      if (attempt >= 10 || !(err instanceof ApiError && (err.status === 503 || err.status === 429))) throw err;
      await sleep(100 * (attempt + 1));
    }
  }
}

describe('reliability: two server instances on one PostgreSQL serve the same devices at once', () => {
  const suite = backendSuite(
    'PostgreSQL',
    () => postgresBackend(2),
    (backend) => backend.teardown(),
  );

  suite.test(
    `${DEVICES} devices upload and sync documents through both, concurrently (seed ${SEED})`,
    async (backend) => {
      const origins = backend.servers.map((s) => s.url);
      assert.equal(new Set(origins).size, 2);
      const random = rng(SEED);
      const served = new Map<string, number>();
      /** A load balancer in the device's fetch: each request to one instance or the other, at random. */
      const balanced: typeof fetch = (input, init) => {
        const origin = origins[Math.floor(random() * origins.length)]!;
        const target = withOrigin(input as string, origin);
        const kind = `${origin} ${new URL(target).pathname.includes('/sync/') ? 'sync' : 'upload'}`;
        served.set(kind, (served.get(kind) ?? 0) + 1);
        return fetch(target, init);
      };
      const v1 = `${origins[0]}/api/v1`;
      const operator = (
        await api(`${v1}/tokens`, { token: RELIABILITY_ADMIN_TOKEN, body: { name: 'ops', role: 'operator' } })
      ).body.token as string;
      const devices = await enrolDevices(origins[0]!, RELIABILITY_ADMIN_TOKEN, DEVICES, 20);

      /** One device: logs and uploads, appends events and reports; a console replica acknowledges its events meanwhile. */
      const run = async (device: SimDevice, index: number) => {
        const docId = deviceDocId(device.deviceId);
        const uploader = device.uploader({ url: origins[0]!, fetch: balanced, maxRecords: 40 });
        // Half the devices speak JSON, half binary frames: both go through the same store.
        const mine = await DocSync.open<DeviceDoc>({
          url: origins[0]!,
          token: device.token,
          docId,
          fetch: balanced,
          format: index % 2 ? 'json' : 'binary',
        });
        const console_ = await DocSync.open<DeviceDoc>({ url: origins[1]!, token: operator, docId, fetch: balanced });
        const events: string[] = [];
        const acks: string[] = [];

        // The same batch to both instances at the same moment: one stores it, the other answers duplicate.
        const raced = await buildPackage(`race-${index}`, device.handBuilt(5));
        const answers = await Promise.all(
          origins.map(async (origin) => {
            const form = new FormData();
            form.append('package', new Blob([raced as Uint8Array<ArrayBuffer>]), 'race.tar.gz');
            return (
              await fetch(`${origin}/api/v1/devices/me/batches`, {
                method: 'POST',
                headers: { authorization: `Bearer ${device.token}` },
                body: form,
              })
            ).status;
          }),
        );
        assert.deepEqual(answers.sort(), [200, 201], 'one instance stored the raced batch, the other saw it stored');

        for (let round = 0; round < ROUNDS; round++) {
          device.log(10 + Math.floor(random() * 40));
          const id = `${index}-${round}`;
          await Promise.all([
            uploader.uploadWithRetry({ attempts: 10, baseMs: 50, maxMs: 1000 }),
            (async () => {
              await mine.edit((d) =>
                appendEvent(report(d, { status: `round ${round}` }), {
                  id,
                  ts: new Date(round * 1000).toISOString(),
                  kind: 'ks',
                  statistic: random(),
                }),
              );
              events.push(id);
              await syncShedding(mine);
            })(),
            (async () => {
              await syncShedding(console_);
              const target = console_.value.events.find((e) => !e.acknowledged);
              if (!target) return;
              await console_.edit((d) => acknowledgeEvent(d, target.id, `ops-${round}`));
              acks.push(target.id);
              await syncShedding(console_);
            })(),
          ]);
        }
        // Heal: everything to the server, then back to both replicas (twice: a device sync may add the server's own changes).
        for (let i = 0; i < 2; i++) {
          await syncShedding(mine);
          await syncShedding(console_);
        }
        return { docId, mine, console_, events, acks };
      };

      const results = await Promise.all(devices.map(run));
      for (const o of origins) {
        assert.ok(
          (served.get(`${o} upload`) ?? 0) > 0 && (served.get(`${o} sync`) ?? 0) > 0,
          `instance ${o} served uploads and syncs: ${JSON.stringify([...served])}`,
        );
      }

      for (const { docId, mine, console_, events, acks } of results) {
        // A fresh replica from each instance: the same history, holding every write of every replica.
        const fresh = await Promise.all(
          origins.map(async (url) => {
            const r = await DocSync.open<DeviceDoc>({ url, token: operator, docId });
            await r.sync();
            return r.value;
          }),
        );
        const heads = [...fresh, mine.value, console_.value].map((d) => [...A.getHeads(d)].sort());
        for (const h of heads.slice(1))
          assert.deepEqual(h, heads[0], `${docId}: identical heads from both instances and on both replicas`);
        assert.deepEqual(A.toJS(fresh[1]!), A.toJS(fresh[0]!));
        const byId = new Map(fresh[0]!.events.map((e) => [e.id, e]));
        assert.deepEqual(
          fresh[0]!.events.map((e) => e.id).sort(),
          [...events].sort(),
          `${docId}: every appended event, once`,
        );
        for (const id of acks) assert.ok(byId.get(id)?.acknowledged, `${docId}: acknowledgement of ${id} kept`);
        assert.equal(fresh[0]!.reported.status, `round ${ROUNDS - 1}`);
      }
      assert.ok(
        results.some((r) => r.acks.length > 0),
        'the console acknowledged events while devices wrote',
      );

      for (const device of devices) await device.assertDrained();
      const total = await assertExactlyOnce(backend.database.url, devices, {
        url: origins[1]!,
        token: RELIABILITY_ADMIN_TOKEN,
      });
      const other = await api(`${origins[0]}/api/v1/fleet/summary`, { token: RELIABILITY_ADMIN_TOKEN });
      assert.equal(other.body.records, total, 'both instances count the same records');
    },
  );
});
