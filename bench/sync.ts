/**
 * Device sync against one TinySphere on PostgreSQL, the devices run by the simulator's code in
 * child processes (edge-app/src/sim/fleet-process.ts). Prints one JSON object.
 *   npm run bench -- sync [--devices 1000] [--records 500] [--spread 60] [--procs 2]
 *   quick look: npm run bench -- sync --devices 100 --spread 10
 * Before any clock: enrolment, the model pull, and each device's batch (real inferences, logged).
 * - steady: each device one exchange (document sync + one batch), arrivals evenly over --spread s
 *   → exchangeP50Ms, exchangeP99Ms;
 * - herd: every device at once, each with a new batch, retrying on 429/503 after Retry-After
 *   → herdDrainSeconds (until every batch is acknowledged), herdErrors (failures other than
 *   shedding, plus devices never acknowledged), herdShed, ingestRecordsPerSec;
 * - noChangeBytes: body bytes each way of a document sync with nothing to exchange.
 * PostgreSQL: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); a fresh
 * database is created and dropped.
 */
import { parseArgs } from 'node:util';
import { deploy, setUp } from '../edge-app/src/sim/admin.ts';
import type { ExchangeReport, FleetCommand } from '../edge-app/src/sim/fleet-process.ts';
import { quantile } from '../edge-app/src/sim/simulate.ts';
import { createTestDatabase } from '../testing/postgres.ts';
import { startServerProcess, tempDataDir } from '../testing/server-process.ts';
import { Fleet } from './support/fleet.ts';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    records: { type: 'string', default: '500' },
    spread: { type: 'string', default: '60' },
    procs: { type: 'string', default: '2' },
  },
});
const DEVICES = Number(values.devices);
const RECORDS = Number(values.records);
const SPREAD_MS = Number(values.spread) * 1000;
const PROCS = Math.min(Number(values.procs), DEVICES);
for (const [k, v] of Object.entries({ devices: DEVICES, records: RECORDS, spread: SPREAD_MS, procs: PROCS })) {
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`--${k} must be a positive number`);
}
const log = (s: string) => process.stderr.write(`[bench sync] ${s}\n`);
const TOKEN = 'bench-sync-admin-token-0123456789abcdef';

const database = await createTestDatabase();
if (!database) throw new Error('PostgreSQL is required (TEST_DATABASE_URL)');
const data = await tempDataDir();
const server = await startServerProcess({
  DATABASE_URL: database.url,
  DATA_DIR: data.dir,
  ADMIN_TOKEN: TOKEN,
  DEMO: '1',
  LOG_LEVEL: 'warn',
});
const fleets: Fleet[] = [];
try {
  const setup = await setUp(server.url, TOKEN, DEVICES);
  const all = Array.from({ length: DEVICES }, (_, i) => i);
  for (let p = 0; p < PROCS; p++) {
    fleets.push(Fleet.fork(all.filter((i) => i % PROCS === p)));
  }
  const each = <T>(cmd: (f: Fleet) => FleetCommand) => Promise.all(fleets.map((f) => f.ask<T>(cmd(f))));
  const runId = Date.now().toString(36);
  let t = performance.now();
  await each((f) => ({ type: 'enrol', server: server.url, code: setup.code, indices: f.indices, runId }));
  log(`${DEVICES} devices enrolled in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await deploy(server.url, TOKEN, setup.groupId);
  t = performance.now();
  const opened = await each<{ failed: number; withModel: number }>(() => ({ type: 'open', concurrency: 25 }));
  log(
    `model pulled by ${opened.reduce((n, o) => n + o.withModel, 0)} devices in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  await each(() => ({ type: 'fill', records: RECORDS }));

  const noChange = (await fleets[0]!.ask<{ bytes: { up: number; down: number } }>({ type: 'no-change' })).bytes;

  log(`steady: ${DEVICES} exchanges over ${SPREAD_MS / 1000} s`);
  let startAt = Date.now() + 1000;
  const steady = await each<ExchangeReport>((f) => ({
    type: 'steady',
    startAt,
    offsetsMs: f.indices.map((i) => (i * SPREAD_MS) / DEVICES),
    timeoutMs: SPREAD_MS + 120_000,
  }));
  const latencies = steady.flatMap((r) => r.latencies).sort((a, b) => a - b);

  await each(() => ({ type: 'fill', records: RECORDS }));
  log(`herd: ${DEVICES} devices at once`);
  startAt = Date.now() + 1000;
  const herd = await each<ExchangeReport>(() => ({ type: 'herd', startAt, timeoutMs: 300_000 }));
  const drainMs = Math.max(...herd.map((r) => r.lastDoneAt)) - startAt;
  const herdRecords = herd.reduce((n, r) => n + r.records, 0);
  const herdDone = herd.reduce((n, r) => n + r.done, 0);
  const herdErrors = herd.reduce((n, r) => n + r.errors.length, 0) + (DEVICES - herdDone);
  for (const e of [...new Set(herd.flatMap((r) => r.errors))].slice(0, 5)) log(`herd error: ${e}`);
  for (const e of [...new Set(steady.flatMap((r) => r.errors))].slice(0, 5)) log(`steady error: ${e}`);

  const r2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
  process.stdout.write(
    `${JSON.stringify({
      devices: DEVICES,
      recordsPerBatch: RECORDS,
      spreadSeconds: SPREAD_MS / 1000,
      processes: PROCS,
      exchangeP50Ms: r2(quantile(latencies, 0.5)),
      exchangeP99Ms: r2(quantile(latencies, 0.99)),
      steadyErrors: steady.reduce((n, r) => n + r.errors.length, 0) + (DEVICES - latencies.length),
      herdDrainSeconds: r2(drainMs / 1000),
      herdErrors,
      herdShed: herd.reduce((n, r) => n + r.shed, 0),
      ingestRecordsPerSec: Math.round(herdRecords / (drainMs / 1000)),
      noChangeBytes: noChange,
    })}\n`,
  );
} finally {
  await Promise.all(fleets.map((f) => f.ask({ type: 'exit' }).catch(() => {})));
  await server.stop();
  await database.drop();
  await data.remove();
}
