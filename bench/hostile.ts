/**
 * Hostile clients against one TinySphere on PostgreSQL while a real device syncs. Prints one JSON object.
 *   npm run bench -- hostile [--seconds 15] [--sockets 16] [--change-kb 900] [--every-ms 1000]
 * Two phases of the same length, `/healthz` probed every 20 ms in both:
 * - quiet: only the device (the simulator's TinyLCM, its own sync engine, in a child process)
 *   exchanging with the server back to back (inferences logged, document synced, batch uploaded);
 * - attack: the same device, plus `--sockets` unauthenticated sockets each announcing a sync body
 *   and trickling it a byte at a time (re-opened as the server closes them), plus a second enrolled
 *   device sending one Automerge change of `--change-kb` KB (random text, so it does not compress)
 *   every `--every-ms`.
 * Goal (issue 13): in the attack, every device exchange succeeds and `/healthz` answers within
 * 100 ms (`goalMet`). `healthzMaxRatio` compares the attack's slowest probe with the quiet one's.
 * PostgreSQL: TEST_DATABASE_URL (a fresh database is created and dropped).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deviceDocId } from '../shared/documents/index.ts';
import { deploy, setUp } from '../edge-app/src/sim/admin.ts';
import type { ExchangeReport } from '../edge-app/src/sim/fleet-process.ts';
import { quantile } from '../edge-app/src/sim/simulate.ts';
import { enrolDevice } from '../testing/fleet.ts';
import { syncHead, trickle } from '../testing/hostile-clients.ts';
import { createTestDatabase } from '../testing/postgres.ts';
import { startServerProcess, tempDataDir } from '../testing/server-process.ts';
import type { BigChangesCommand, BigChangesReport } from './support/big-changes.ts';
import { Fleet } from './support/fleet.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    sockets: { type: 'string', default: '16' },
    'change-kb': { type: 'string', default: '900' },
    'every-ms': { type: 'string', default: '1000' },
  },
});
const SECONDS = Number(values.seconds);
const SOCKETS = Number(values.sockets);
const CHANGE_BYTES = Number(values['change-kb']) * 1024;
const EVERY_MS = Number(values['every-ms']);
for (const [k, v] of Object.entries({
  seconds: SECONDS,
  sockets: SOCKETS,
  'change-kb': CHANGE_BYTES,
  'every-ms': EVERY_MS,
})) {
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`--${k} must be a positive number`);
}
const log = (s: string) => process.stderr.write(`[bench hostile] ${s}\n`);
const TOKEN = 'bench-hostile-admin-token-0123456789abcdef';
const BIG_CHANGES = fileURLToPath(new URL('./support/big-changes.ts', import.meta.url));
const r1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
const count = (xs: (number | string)[]) =>
  xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});

/** Probes `/healthz` every 20 ms until stopped; the latencies in ms. */
function probe(url: string) {
  const latencies: number[] = [];
  let failures = 0;
  let running = true;
  const done = (async () => {
    while (running) {
      const t = performance.now();
      const next = t + 20;
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) });
        await res.arrayBuffer();
        if (res.ok) latencies.push(performance.now() - t);
        else failures++;
      } catch {
        failures++;
      }
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      const sorted = latencies.sort((a, b) => a - b);
      return {
        probes: sorted.length,
        failures,
        p50Ms: r1(quantile(sorted, 0.5)),
        p99Ms: r1(quantile(sorted, 0.99)),
        maxMs: r1(sorted.at(-1) ?? null),
      };
    },
  };
}

/** The device exchanging back to back until `until`: each round logs a few inferences and syncs them. */
async function deviceLoop(fleet: Fleet, until: number) {
  const latencies: number[] = [];
  const errors: string[] = [];
  while (Date.now() < until) {
    await fleet.ask({ type: 'fill', records: 5 });
    const r = await fleet.ask<ExchangeReport>({
      type: 'steady',
      startAt: Date.now(),
      offsetsMs: [0],
      timeoutMs: 30_000,
    });
    latencies.push(...r.latencies);
    errors.push(...r.errors);
    if (r.done === 0 && r.errors.length === 0) errors.push('exchange did not finish');
  }
  const sorted = latencies.sort((a, b) => a - b);
  return { exchanges: latencies.length, errors, p50Ms: r1(quantile(sorted, 0.5)), maxMs: r1(sorted.at(-1) ?? null) };
}

/** `n` strangers trickling sync bodies, each re-opened when the server closes it; their answers' statuses. */
function strangers(url: string, docId: string, n: number) {
  const statuses: number[] = [];
  const open = new Set<ReturnType<typeof trickle>>();
  let running = true;
  const start = () => {
    const s = trickle(url, syncHead(url, docId), 100);
    open.add(s);
    void s.answered.then((a) => {
      statuses.push(a.status);
      s.close();
      open.delete(s);
      if (running) start();
    });
  };
  for (let i = 0; i < n; i++) start();
  return {
    stop: () => {
      running = false;
      for (const s of open) s.close();
      return count(statuses);
    },
  };
}

/** An enrolled device sending a fresh big change every `EVERY_MS` until `until`, from its own process (bench/support/big-changes.ts). */
async function bigChanges(url: string, deviceId: string, token: string, until: number) {
  const child = fork(BIG_CHANGES, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const report = await new Promise<BigChangesReport>((resolve, reject) => {
    child.once('message', (m) => resolve(m as BigChangesReport));
    child.once('exit', (code) => reject(new Error(`big-changes process exited (${code})`)));
    child.send({ url, deviceId, token, bytes: CHANGE_BYTES, everyMs: EVERY_MS, until } satisfies BigChangesCommand);
  });
  const sorted = report.ms.sort((a, b) => a - b);
  return {
    changeBytes: report.changeBytes,
    statuses: count(report.statuses),
    p50Ms: r1(quantile(sorted, 0.5)),
    maxMs: r1(sorted.at(-1) ?? null),
  };
}

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
const fleet = Fleet.fork([0]);
try {
  const v1 = `${server.url}/api/v1`;
  const setup = await setUp(server.url, TOKEN, 1);
  await fleet.ask({
    type: 'enrol',
    server: server.url,
    code: setup.code,
    indices: [0],
    runId: Date.now().toString(36),
  });
  await deploy(server.url, TOKEN, setup.groupId);
  const opened = await fleet.ask<{ failed: number; withModel: number }>({ type: 'open', concurrency: 1 });
  if (opened.withModel !== 1) throw new Error('the device did not pull the deployed model');
  const attacker = await enrolDevice(v1, TOKEN, setup.groupId, 'attacker');

  log(`quiet: ${SECONDS} s`);
  let p = probe(server.url);
  const quietDevice = await deviceLoop(fleet, Date.now() + SECONDS * 1000);
  const quiet = await p.stop();

  log(`attack: ${SECONDS} s, ${SOCKETS} trickling strangers, a ${CHANGE_BYTES / 1024} KB change every ${EVERY_MS} ms`);
  const until = Date.now() + SECONDS * 1000;
  p = probe(server.url);
  const s = strangers(server.url, deviceDocId(attacker.deviceId), SOCKETS);
  const [attackDevice, change] = await Promise.all([
    deviceLoop(fleet, until),
    bigChanges(server.url, attacker.deviceId, attacker.token, until),
  ]);
  const strangerStatuses = s.stop();
  const attack = await p.stop();

  for (const e of [...new Set(attackDevice.errors)].slice(0, 5)) log(`device error: ${e}`);
  process.stdout.write(
    `${JSON.stringify({
      seconds: SECONDS,
      sockets: SOCKETS,
      quiet: { healthz: quiet, device: { ...quietDevice, errors: quietDevice.errors.length } },
      attack: {
        healthz: attack,
        device: { ...attackDevice, errors: attackDevice.errors.length },
        bigChange: change,
        strangerStatuses,
      },
      healthzMaxRatio: quiet.maxMs && attack.maxMs ? r1(attack.maxMs / quiet.maxMs) : null,
      goalMet:
        attack.failures === 0 &&
        (attack.maxMs ?? Infinity) < 100 &&
        attackDevice.errors.length === 0 &&
        attackDevice.exchanges > 0,
    })}\n`,
  );
} finally {
  await fleet.ask({ type: 'exit' }).catch(() => {});
  await server.stop();
  await database.drop();
  await data.remove();
}
