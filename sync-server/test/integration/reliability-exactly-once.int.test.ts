import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { RetryableError } from '../../../shared/sync/http-errors.ts';
import {
  assertExactlyOnce,
  enrolDevices,
  postgresBackend,
  RELIABILITY_ADMIN_TOKEN,
  rng,
  sleep,
  withOrigin,
  type PostgresBackend,
  type SimDevice,
} from '../../../testing/reliability.ts';
import { backendSuite } from '../../../testing/suite.ts';

const SEED = Number(process.env.SEED ?? 6_2026);
const DEVICES = 8;
const ROUNDS = 6;
const KILLS = 3;
/** Which kill comes right after an answer (the others land mid-request); odd kills restart on a new port. */
const AFTER_ANSWER_KILL = 1;

/**
 * The backend's one TinySphere process, which the test kills (SIGKILL) and starts again, alternately
 * on the same port and on a new one; `origin` is where it listens now, and devices follow it.
 */
class KilledServer {
  kills = 0;
  /** Kills issued while at least one request was in flight, and how many requests they caught. */
  midRequestKills = 0;
  requestsInFlightAtKills = 0;
  inflight = 0;
  private busy = false;

  constructor(private readonly backend: PostgresBackend) {}

  get origin(): string {
    return this.backend.servers.at(-1)!.url;
  }

  /** Claims the next kill; false while one is under way (one crash at a time) or all are spent. */
  claim(): boolean {
    if (this.busy || this.kills >= KILLS) return false;
    this.busy = true;
    return true;
  }

  /** Gives a claimed kill back unused. */
  release(): void {
    this.busy = false;
  }

  async killAndRestart(): Promise<void> {
    const n = this.kills++;
    if (this.inflight > 0) this.midRequestKills++;
    this.requestsInFlightAtKills += this.inflight;
    const server = this.backend.servers.at(-1)!;
    const { code } = await server.stop('SIGKILL');
    assert.equal(code, null, 'killed by the signal, not exited');
    await this.backend.start({ PORT: n % 2 === 0 ? new URL(server.url).port : '0' });
    this.busy = false;
  }
}

describe('reliability: exactly once while the server is SIGKILLed mid-upload (PostgreSQL)', () => {
  const suite = backendSuite(
    'PostgreSQL',
    () => postgresBackend(1),
    (backend) => backend.teardown(),
  );

  suite.test(
    `${DEVICES} devices, random offline periods, ${KILLS} kills and restarts (seed ${SEED})`,
    async (backend) => {
      const cluster = new KilledServer(backend);
      const random = rng(SEED);
      const devices = await enrolDevices(cluster.origin, RELIABILITY_ADMIN_TOKEN, DEVICES, 25);
      const offlineUntil = devices.map(() => 0);
      const counts = { offlineRefusals: 0, exhaustedRetries: 0, cutByKill: 0, answers: new Map<number, number>() };
      const killing: Promise<void>[] = [];
      const restartFailures: unknown[] = [];
      // Awaited after the run; a failed restart fails the test there rather than as an unhandled rejection.
      const track = (p: Promise<void>) => void killing.push(p.catch((err: unknown) => void restartFailures.push(err)));

      /**
       * The device's network: refuses while the device is offline, follows the server to its current
       * origin, and now and then crashes the server — either after a random few ms while the upload
       * is in flight, or right after the server answered (stored, but the acknowledgement is lost).
       */
      const networkOf =
        (index: number): typeof fetch =>
        async (input, init) => {
          if (Date.now() < offlineUntil[index]!) {
            counts.offlineRefusals++;
            throw new TypeError('fetch failed: device offline');
          }
          const target = withOrigin(input as string, cluster.origin);
          const kill = random() < 0.25 && cluster.claim();
          const afterAnswer = kill && cluster.kills === AFTER_ANSWER_KILL;
          const epoch = cluster.kills;
          cluster.inflight++;
          try {
            if (kill && !afterAnswer) track(sleep(random() * 15).then(() => cluster.killAndRestart()));
            const res = await fetch(target, init);
            counts.answers.set(res.status, (counts.answers.get(res.status) ?? 0) + 1);
            if (!afterAnswer) return res;
            // Only a fresh store makes the lost acknowledgement interesting: its resend must be a duplicate.
            if (res.status !== 201) {
              cluster.release();
              return res;
            }
            await res.arrayBuffer();
            cluster.inflight--; // answered: this one is not cut by the kill
            track(cluster.killAndRestart());
            cluster.inflight++;
            throw new TypeError('fetch failed: connection lost before the answer arrived');
          } catch (err) {
            if (cluster.kills > epoch && !(err instanceof TypeError && /before the answer/.test(err.message)))
              counts.cutByKill++;
            throw err;
          } finally {
            cluster.inflight--;
          }
        };

      const backoff = { attempts: 8, baseMs: 50, maxMs: 800, random };
      const run = async (device: SimDevice, index: number) => {
        const uploader = device.uploader({ url: cluster.origin, fetch: networkOf(index), maxRecords: 60 });
        // Rounds go on until every kill has happened, so each one lands among uploads.
        for (let round = 0; round < ROUNDS || (cluster.kills < KILLS && round < 60); round++) {
          device.log(20 + Math.floor(random() * 80));
          if (random() < 0.3) offlineUntil[index] = Date.now() + 100 + random() * 600;
          try {
            await uploader.uploadWithRetry(backoff);
          } catch (err) {
            // Out of attempts while offline or while the server restarts: the records wait for the next round.
            if (!(err instanceof RetryableError)) throw err;
            counts.exhaustedRetries++;
          }
          await sleep(random() * 40);
        }
        return uploader;
      };

      const uploaders = await Promise.all(devices.map(run));
      await Promise.all(killing);
      if (restartFailures.length) throw restartFailures[0];
      const origins = new Set(backend.servers.map((s) => s.url));
      assert.equal(cluster.kills, KILLS, 'every planned kill happened');
      assert.ok(origins.size > 1, 'the server came back on another URL at least once, and the devices followed it');
      assert.ok(
        cluster.midRequestKills >= 1,
        `some kills landed while requests were in flight (${cluster.midRequestKills} of ${KILLS})`,
      );
      assert.ok(counts.cutByKill >= 1, 'some requests in flight were cut by a kill');
      assert.ok(counts.offlineRefusals >= 1, 'devices were offline at times');

      // Healed: every device online, the server up; whatever is left goes now.
      offlineUntil.fill(0);
      for (const uploader of uploaders) await uploader.uploadWithRetry({ attempts: 10, baseMs: 50, maxMs: 500 });
      assert.ok(
        (counts.answers.get(200) ?? 0) >= 1,
        'the batch stored just before a crash was resent and answered as a duplicate',
      );
      for (const device of devices) await device.assertDrained();
      const total = await assertExactlyOnce(backend.database.url, devices, {
        url: cluster.origin,
        token: RELIABILITY_ADMIN_TOKEN,
      });
      assert.ok(total >= DEVICES * ROUNDS * 20);
      console.log(
        JSON.stringify({
          records: total,
          kills: cluster.kills,
          midRequestKills: cluster.midRequestKills,
          requestsInFlightAtKills: cluster.requestsInFlightAtKills,
          ...counts,
          answers: Object.fromEntries(counts.answers),
        }),
      );
    },
  );
});
