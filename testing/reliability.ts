import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import pg from 'pg';
import { DataLogger, openLcmDb, type InferenceObservation } from '../edge-app/src/lcm/index.ts';
import { LogUploader } from '../edge-app/src/lcm/sync.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';
import { api, startServerProcess, tempDataDir, type ServerProcess } from './server-process.ts';

/**
 * Shared parts of the reliability suites (sync-server/test/integration/reliability-*.int.test.ts):
 * a seeded PRNG, enrolled devices with a real DataLogger over fake-indexeddb, and the exactly-once
 * check of what the devices logged against what PostgreSQL holds.
 */

/** The project's seeded PRNG: a failing schedule replays from its seed. */
export { createRng as rng } from '../shared/random/prng.ts';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const MODEL = { name: 'cls', version: 1, sha256: 'a'.repeat(64) };
const T0 = Date.UTC(2026, 0, 1, 8);

/**
 * One simulated device: its identity and a real logger. Each record is told apart on the server by
 * (device, ts, latency): ts steps a whole second per record and latency carries the counter, both
 * exact through timestamptz and float8, since the server does not keep the record id.
 */
export class SimDevice {
  readonly logged: string[] = [];
  private next = 0;
  private handBuiltCount = 0;

  private constructor(
    readonly deviceId: string,
    readonly token: string,
    readonly logger: DataLogger,
  ) {}

  static async create(deviceId: string, token: string, segmentSize: number): Promise<SimDevice> {
    const db = await openLcmDb(`reliability-${deviceId}`);
    return new SimDevice(deviceId, token, new DataLogger(db, { batchSize: segmentSize, flushIntervalMs: 50 }));
  }

  private observe(): InferenceObservation {
    const i = this.next++;
    const obs: InferenceObservation = {
      id: `${this.deviceId}-${i}`,
      ts: T0 + i * 1000,
      model: MODEL,
      latencyMs: i + 0.5,
      classIndex: i % 2,
      label: i % 2 ? 'cat' : 'dog',
      confidence: 0.75,
      probabilities: [0.25, 0.75],
      batch: 1,
    };
    this.logged.push(recordKey(this.deviceId, obs.ts, obs.latencyMs));
    return obs;
  }

  log(n: number): void {
    for (let k = 0; k < n; k++)
      assert.ok(this.logger.log(this.observe()), 'the default sampling policy keeps every record');
  }

  /** The device's log uploader (TinyLCM's, over this device's logger and token): the server tests meet the device here. */
  uploader(opts: { url: string; fetch: typeof fetch; maxRecords?: number }): LogUploader {
    return new LogUploader({ logger: this.logger, token: this.token, ...opts });
  }

  /** Records for a package built by hand (not through the logger), counted as logged all the same. */
  handBuilt(n: number): object[] {
    this.handBuiltCount += n;
    return Array.from({ length: n }, () => {
      const o = this.observe();
      return {
        id: o.id,
        ts: o.ts,
        model: o.model,
        output: { classIndex: o.classIndex, label: o.label },
        latencyMs: o.latencyMs,
        confidence: o.confidence,
        drift: 0,
      };
    });
  }

  /** Nothing left on the device that the server has not acknowledged. */
  async assertDrained(): Promise<void> {
    await this.logger.flush();
    const stats = await this.logger.stats();
    assert.equal(stats.unsent, 0, `device ${this.deviceId}: records in no batch`);
    assert.deepEqual(
      await this.logger.pendingBatches(),
      [],
      `device ${this.deviceId}: batches sent but not acknowledged`,
    );
    assert.equal(
      stats.count,
      this.logged.length - this.handBuiltCount,
      `device ${this.deviceId}: every logged record was stored locally`,
    );
  }
}

const recordKey = (deviceId: string, tsMs: number, latencyMs: number) => `${deviceId}|${tsMs}|${latencyMs}`;

/** An operator token, a group and `n` enrolled devices, each with a fresh logger. */
export async function enrolDevices(
  url: string,
  adminToken: string,
  n: number,
  segmentSize: number,
): Promise<SimDevice[]> {
  const v1 = `${url}/api/v1`;
  const group = await api(`${v1}/device-groups`, { token: adminToken, body: { name: `fleet-${Date.now()}` } });
  assert.equal(group.status, 201, JSON.stringify(group.body));
  const code = await api(`${v1}/device-groups/${group.body.id}/enrolment-codes`, {
    token: adminToken,
    body: { uses: n, expiresInSeconds: 600 },
  });
  assert.equal(code.status, 201, JSON.stringify(code.body));
  const devices: SimDevice[] = [];
  for (let i = 0; i < n; i++) {
    const e = await api(`${v1}/devices/enrol`, { body: { code: code.body.code, name: `dev-${i}` } });
    assert.equal(e.status, 201, JSON.stringify(e.body));
    devices.push(await SimDevice.create(e.body.deviceId, e.body.token, segmentSize));
  }
  return devices;
}

/**
 * The server holds each logged record exactly once: the multiset of (device, ts, latency) in
 * inference_records equals the one logged (no duplicate, none missing), and the batch table, the
 * hourly aggregates and the fleet summary all count the same total.
 */
export async function assertExactlyOnce(
  databaseUrl: string,
  devices: readonly SimDevice[],
  summary: { url: string; token: string },
): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ device_id: string; ts_ms: string; latency_ms: number }>(
      `SELECT device_id, round(extract(epoch FROM ts) * 1000)::bigint AS ts_ms, latency_ms FROM inference_records`,
    );
    const stored = rows.map((r) => recordKey(r.device_id, Number(r.ts_ms), r.latency_ms)).sort();
    const logged = devices.flatMap((d) => d.logged).sort();
    const seen = new Set<string>();
    const duplicates = stored.filter((k) => seen.size === seen.add(k).size);
    assert.deepEqual(duplicates.slice(0, 10), [], `${duplicates.length} record(s) stored more than once`);
    const missing = logged.filter((k) => !seen.has(k));
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} logged record(s) missing on the server`);
    assert.deepEqual(stored, logged, 'stored records are exactly the logged ones');
    const one = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]!.n);
    assert.equal(
      await one('SELECT coalesce(sum(records), 0) AS n FROM log_batches'),
      logged.length,
      'log_batches counts every record once',
    );
    assert.equal(
      await one('SELECT coalesce(sum(count), 0) AS n FROM inference_hourly'),
      logged.length,
      'hourly aggregates count every record once',
    );
  } finally {
    await client.end();
  }
  const fleet = await api(`${summary.url}/api/v1/fleet/summary`, { token: summary.token });
  assert.equal(fleet.status, 200, JSON.stringify(fleet.body));
  const total = devices.reduce((n, d) => n + d.logged.length, 0);
  assert.equal(fleet.body.records, total, 'fleet summary `records` equals the total logged');
  return total;
}

/** Replaces the origin of a request URL (devices following a server that moved). */
export function withOrigin(input: string | URL | Request, origin: string): string {
  const u = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  const o = new URL(origin);
  u.protocol = o.protocol;
  u.host = o.host;
  return u.toString();
}

export const RELIABILITY_ADMIN_TOKEN = 'reliability-admin-token-0123456789';

export interface PostgresBackend {
  database: TestDatabase;
  dataDir: string;
  /** What every TinySphere process of this backend starts with (one database, one blob folder). */
  env: Record<string, string>;
  /** The processes started so far, oldest first. */
  servers: ServerProcess[];
  start(extra?: Record<string, string>): Promise<ServerProcess>;
  /** Stops the live processes with SIGTERM (a clean exit is part of the contract), drops the database. */
  teardown(): Promise<void>;
}

/**
 * A fresh PostgreSQL database and data folder, and `instances` TinySphere processes on them,
 * started at once; undefined (suite skipped) without PostgreSQL.
 */
export async function postgresBackend(instances = 1): Promise<PostgresBackend | undefined> {
  const database = await createTestDatabase();
  if (!database) return undefined;
  const data = await tempDataDir();
  const env = {
    DATABASE_URL: database.url,
    DATA_DIR: data.dir,
    ADMIN_TOKEN: RELIABILITY_ADMIN_TOKEN,
    DEMO: '0',
    LOG_LEVEL: 'warn',
  };
  const backend: PostgresBackend = {
    database,
    dataDir: data.dir,
    env,
    servers: [],
    async start(extra = {}) {
      const server = await startServerProcess({ ...env, ...extra });
      backend.servers.push(server);
      return server;
    },
    async teardown() {
      const live = backend.servers.filter((s) => s.proc.exitCode === null && s.proc.signalCode === null);
      const exits = await Promise.all(live.map((s) => s.stop()));
      await database.drop();
      await data.remove();
      exits.forEach(({ code }, i) => assert.equal(code, 0, `clean exit on SIGTERM\n${live[i]!.stderr()}`));
    },
  };
  await Promise.all(Array.from({ length: instances }, () => backend.start()));
  return backend;
}
