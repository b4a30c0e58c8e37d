// Simulated devices keep their IndexedDB in memory, each under its own database name.
import 'fake-indexeddb/auto';
import { deploy, setUp, type Setup } from './admin.ts';
import { offline, SimDevice } from './device.ts';
import { loadWeatherRows } from './stream.ts';
import type { CsvFeed, ModelSpec } from './csv-feed.ts';

export interface SimulationOptions {
  servers: readonly string[];
  /** An admin or operator token: the simulator makes its own group, code and deployment. */
  token: string;
  devices: number;
  records: number;
  offlineRate: number;
  driftAt: number;
  /** `--model`: the version to deploy (default: the demo model's champion). */
  model?: ModelSpec;
  /** `--data`: the CSV rows every device feeds instead of the weather stream. */
  feed?: CsvFeed;
  timeoutMs: number;
  /** Devices running at once (default 50); the others wait for a slot. */
  concurrency?: number;
  seed?: number;
  onProgress?: (p: Progress) => void;
  /** How often onProgress is called (default 3 s). */
  progressEveryMs?: number;
}

export interface SimulationStats {
  devices: number;
  recordsLogged: number;
  recordsAcknowledged: number;
  exchanges: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface Progress extends SimulationStats {
  elapsedMs: number;
  failedExchanges: number;
  /** A few distinct failure messages seen since the last report (offline failures excluded). */
  errors: string[];
}

export interface SimulationResult {
  stats: SimulationStats;
  setup: Setup;
  /** True when every record of every device was acknowledged before the timeout. */
  complete: boolean;
  failedExchanges: number;
  deviceIds: string[];
  /** Devices that gave up (e.g. their enrolment was refused), with why. */
  deviceErrors: string[];
}

/** The q-quantile (nearest rank) of ascending values, or null when there are none. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

/** Runs `fn` over items with at most `limit` at once. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * `tinylcm simulate`: sets up a group and a deployment, then runs `devices` SimDevices in this
 * process (async, `concurrency` at a time) until every record is acknowledged or time is up.
 */
export async function runSimulation(opts: SimulationOptions): Promise<SimulationResult> {
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  const setup = await setUp(opts.servers[0]!, opts.token, opts.devices);
  const rows = opts.feed ? [] : await loadWeatherRows();
  const runId = Date.now().toString(36);
  const seed = opts.seed ?? 1;
  const latencies: number[] = [];
  let failed = 0;
  const errors = new Set<string>();
  const deviceErrors: string[] = [];
  const devices = Array.from(
    { length: opts.devices },
    (_, index) =>
      new SimDevice({
        index,
        runId,
        servers: opts.servers,
        code: setup.code,
        records: opts.records,
        driftAt: opts.driftAt,
        offlineRate: opts.offlineRate,
        seed: seed * 1_000_003 + index,
        rows,
        ...(opts.feed ? { feed: opts.feed } : {}),
        onExchange: (ms) => latencies.push(ms),
        onFailure: (err) => {
          failed++;
          if (!offline(err)) errors.add((err as Error).message?.slice(0, 300) ?? String(err));
        },
      }),
  );

  const stats = (): SimulationStats => {
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      devices: opts.devices,
      recordsLogged: devices.reduce((n, d) => n + d.logged, 0),
      recordsAcknowledged: devices.reduce((n, d) => n + d.acknowledged, 0),
      exchanges: latencies.length,
      p50Ms: round(quantile(sorted, 0.5)),
      p99Ms: round(quantile(sorted, 0.99)),
    };
  };
  const timer = opts.onProgress
    ? setInterval(() => {
        opts.onProgress!({
          ...stats(),
          elapsedMs: Date.now() - started,
          failedExchanges: failed,
          errors: [...errors].slice(0, 3),
        });
        errors.clear();
      }, opts.progressEveryMs ?? 3000)
    : undefined;
  const limit = opts.concurrency ?? 50;
  const gaveUp = (d: SimDevice, err: unknown) => {
    const message = `device ${d.opts.index}: ${(err as Error).message}`;
    errors.add(message);
    deviceErrors.push(message);
  };
  try {
    // Everyone enrols before the deployment, so its fan-out writes every device's desired model
    // (a server also reconciles devices that enrol later, but need not for this run).
    await pool(devices, limit * 4, (d) => d.enrol(deadline).catch((err) => gaveUp(d, err)));
    setup.deployment = await deploy(opts.servers[0]!, opts.token, setup.groupId, opts.model);
    await pool(devices, limit, async (d) => {
      if (!d.deviceId) return;
      try {
        await d.open();
        await d.run(deadline);
      } catch (err) {
        gaveUp(d, err);
      } finally {
        await d.close().catch(() => {});
      }
    });
  } finally {
    clearInterval(timer);
  }
  return {
    stats: stats(),
    setup,
    complete: devices.every((d) => d.done),
    failedExchanges: failed,
    deviceIds: devices.map((d) => d.deviceId),
    deviceErrors,
  };
}
