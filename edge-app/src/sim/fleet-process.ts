/**
 * A child process running many simulated devices for a benchmark, driven by its parent over IPC
 * (`fork`): each command is one message, answered by one message with the same `type` plus
 * results. The devices are SimDevices — the simulator's code — always online, one server.
 */
import 'fake-indexeddb/auto';
import { SimDevice } from './device.ts';
import { pool } from './simulate.ts';
import { loadWeatherRows } from './stream.ts';

export type FleetCommand =
  | { type: 'enrol'; server: string; code: string; indices: number[]; runId: string }
  | { type: 'open'; concurrency: number }
  | { type: 'fill'; records: number }
  | { type: 'steady'; startAt: number; offsetsMs: number[]; timeoutMs: number }
  | { type: 'herd'; startAt: number; timeoutMs: number }
  | { type: 'no-change' }
  | { type: 'exit' };

export interface ExchangeReport {
  /** Latencies of successful exchanges (ms). */
  latencies: number[];
  /** Epoch ms the last device finished. */
  lastDoneAt: number;
  done: number;
  shed: number;
  errors: string[];
  records: number;
}

const send = (msg: unknown) => new Promise<void>((resolve) => process.send!(msg, () => resolve()));
let devices: SimDevice[] = [];
/** Records per device handed to the next phase (filled before its clock starts). */
let perDevice = 0;

async function exchangeAll(
  startAt: number,
  offsets: (i: number) => number,
  timeoutMs: number,
): Promise<ExchangeReport> {
  const report: ExchangeReport = { latencies: [], lastDoneAt: 0, done: 0, shed: 0, errors: [], records: 0 };
  const deadline = startAt + timeoutMs;
  await Promise.all(
    devices.map(async (d, i) => {
      const wait = startAt + offsets(i) - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const before = d.acknowledged;
      const out = await d.exchangeUntilDone(deadline);
      report.shed += out.shed;
      report.errors.push(...out.errors);
      if (out.ok) {
        report.latencies.push(out.ms!);
        report.done++;
        report.lastDoneAt = Math.max(report.lastDoneAt, Date.now());
        report.records += d.acknowledged - before;
      }
    }),
  );
  return report;
}

async function handle(cmd: FleetCommand): Promise<unknown> {
  switch (cmd.type) {
    case 'enrol': {
      const rows = await loadWeatherRows();
      devices = cmd.indices.map(
        (index) =>
          new SimDevice({
            index,
            runId: cmd.runId,
            servers: [cmd.server],
            code: cmd.code,
            records: Number.MAX_SAFE_INTEGER,
            driftAt: 1,
            offlineRate: 0,
            seed: 1_000_003 + index,
            rows,
          }),
      );
      await pool(devices, 20, (d) => d.enrol(Date.now() + 120_000));
      return { devices: devices.length };
    }
    case 'open': {
      // Opening pulls the deployed model: the first exchange, before any clock.
      let failed = 0;
      await pool(devices, cmd.concurrency, async (d) => {
        await d.open();
        if (!(await d.exchangeUntilDone(Date.now() + 120_000)).ok) failed++;
      });
      return { failed, withModel: devices.filter((d) => d.lcm?.model).length };
    }
    case 'fill': {
      perDevice = cmd.records;
      // The batches are packed here, before any clock: an exchange then only sends them.
      for (const d of devices) {
        await d.infer(cmd.records);
        await d.lcm!.persist();
        await d.sync!.prepare();
      }
      return { records: perDevice * devices.length };
    }
    case 'steady':
      return exchangeAll(cmd.startAt, (i) => cmd.offsetsMs[i]!, cmd.timeoutMs);
    case 'herd':
      return exchangeAll(cmd.startAt, () => 0, cmd.timeoutMs);
    case 'no-change': {
      const d = devices[0]!;
      await d.sync!.docSync();
      await d.sync!.docSync();
      return { bytes: d.sync!.lastDocExchange };
    }
    case 'exit':
      await Promise.all(devices.map((d) => d.close().catch(() => {})));
      setImmediate(() => process.exit(0));
      return {};
  }
}

process.on('message', (cmd: FleetCommand) => {
  handle(cmd).then(
    (result) => send({ type: cmd.type, ok: true, result }),
    (err: unknown) =>
      send({ type: cmd.type, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
