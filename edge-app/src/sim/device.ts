import type { WeatherRow } from '../../../shared/demo/seattle-weather.ts';
import { ApiError } from '../../../shared/protocol/client.ts';
import { RetryableError, sessionBackend, TinyLCM } from '../lcm/index.ts';
import { nodeOrt } from '../lcm/node.ts';
import { enrol, SetupError } from './admin.ts';
import { ExchangeError, openDeviceSync, type DeviceSync } from './device-sync.ts';
import { Link, OfflineError } from './link.ts';
import { WeatherStream } from './stream.ts';
import { CsvStream, type CsvFeed } from './csv-feed.ts';

export interface SimDeviceOptions {
  index: number;
  /** Distinguishes the IndexedDB databases of different runs in one process. */
  runId: string;
  servers: readonly string[];
  code: string;
  records: number;
  driftAt: number;
  offlineRate: number;
  seed: number;
  rows: readonly WeatherRow[];
  /** `--data`: every device feeds these rows (and `rows`/`driftAt` are unused). */
  feed?: CsvFeed;
  /** Records inferred between two exchanges (default records/5). */
  recordsPerExchange?: number;
  /** Pause between two exchange attempts, jittered ±50 % (default 100 ms). */
  pauseMs?: number;
  /** Link up/down period (default 2 s). */
  cycleMs?: number;
  /** Told of each completed exchange (with its latency) and each failed one. */
  onExchange?: (ms: number) => void;
  onFailure?: (err: unknown) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One simulated device running the real TinyLCM core: enrols, syncs (which pulls and activates the
 * deployed model), infers its stream, logs, uploads — every exchange through its own flaky link.
 */
export class SimDevice {
  readonly link: Link;
  lcm: TinyLCM | undefined;
  sync: DeviceSync | undefined;
  deviceId = '';
  token = '';
  /** Records inferred (and so logged: the logger keeps every record by default). */
  logged = 0;
  acknowledged = 0;
  readonly stream: WeatherStream | CsvStream;

  constructor(readonly opts: SimDeviceOptions) {
    this.stream = opts.feed
      ? new CsvStream(opts.feed, opts.records)
      : new WeatherStream(opts.rows, opts.records, opts.driftAt, opts.seed ^ 0x5eed);
    this.link = new Link({
      servers: opts.servers,
      offlineRate: opts.offlineRate,
      seed: opts.seed,
      ...(opts.cycleMs ? { cycleMs: opts.cycleMs } : {}),
    });
  }

  /** The last exchange completed: the server has the device's latest report, not only its records. */
  private synced = false;

  get done(): boolean {
    return this.logged === this.opts.records && this.acknowledged === this.opts.records && this.synced;
  }

  private get name(): string {
    return `sim-${this.opts.runId}-${this.opts.index}`;
  }

  /** Enrols through its link, retrying while offline or while the server is busy. */
  async enrol(deadline: number): Promise<void> {
    const name = this.name;
    for (;;) {
      this.link.pick();
      try {
        ({ deviceId: this.deviceId, token: this.token } = await enrol(
          this.link.base,
          this.opts.code,
          name,
          this.link.fetchNoLoss,
        ));
        break;
      } catch (err) {
        if (err instanceof SetupError && !err.retryable) throw err;
        if (Date.now() > deadline) throw err;
        await this.pause();
      }
    }
  }

  /** Opens TinyLCM on the device's own database, and its sync engine. */
  async open(): Promise<void> {
    this.lcm = await TinyLCM.open({ backend: sessionBackend(nodeOrt()), db: this.name, models: { storage: null } });
    this.sync = await openDeviceSync({
      lcm: this.lcm,
      url: this.link.base,
      token: this.token,
      deviceId: this.deviceId,
      fetch: this.link.fetch,
    });
  }

  /** Infers up to `n` more records of the stream; none before a model is active (it comes with a sync). */
  async infer(n: number): Promise<number> {
    const lcm = this.lcm!;
    if (!lcm.model) return 0;
    let done = 0;
    for (; done < n && !this.stream.done; done++) await lcm.infer(this.stream.next());
    this.logged = this.stream.position;
    return done;
  }

  /** One exchange with a server picked at random; resolves with its latency, or undefined when it failed. */
  async exchange(): Promise<number | undefined> {
    this.link.pick();
    const t0 = performance.now();
    this.synced = false;
    let ms: number;
    try {
      await this.sync!.syncNow();
      ms = performance.now() - t0;
      this.synced = true;
    } catch (err) {
      this.opts.onFailure?.(err);
      return undefined;
    } finally {
      this.acknowledged = await acknowledgedRecords(this.lcm!);
    }
    this.opts.onExchange?.(ms);
    return ms;
  }

  /**
   * Exchanges until one succeeds or the deadline passes, waiting between attempts with exponential
   * backoff and full jitter, and at least the server's Retry-After when it shed the request.
   */
  async exchangeUntilDone(deadline: number): Promise<RetryOutcome> {
    const out: RetryOutcome = { ok: false, attempts: 0, shed: 0, errors: [] };
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      out.attempts++;
      this.link.pick();
      const t0 = performance.now();
      try {
        await this.sync!.syncNow();
        out.ok = true;
        out.ms = performance.now() - t0;
        return out;
      } catch (err) {
        const { shed, retryAfterMs } = shedding(err);
        if (shed) out.shed++;
        else out.errors.push(oneLineMessage(err));
        const cap = Math.min(5000, 100 * 2 ** attempt);
        await sleep(Math.max(Math.random() * cap, retryAfterMs ?? 0));
      } finally {
        this.acknowledged = await acknowledgedRecords(this.lcm!);
      }
    }
    return out;
  }

  /** Infer, exchange, pause, until every record is acknowledged or the deadline passes. */
  async run(deadline: number): Promise<void> {
    const chunk = this.opts.recordsPerExchange ?? Math.max(1, Math.ceil(this.opts.records / 5));
    while (!this.done && Date.now() < deadline) {
      await this.infer(chunk);
      await this.exchange();
      if (!this.done) await this.pause();
    }
  }

  async close(): Promise<void> {
    await this.lcm?.close();
  }

  private pause(): Promise<void> {
    const ms = this.opts.pauseMs ?? 100;
    return sleep(ms * (0.5 + Math.random()));
  }
}

export interface RetryOutcome {
  ok: boolean;
  attempts: number;
  /** Attempts the server shed (429/503), to be retried after its Retry-After. */
  shed: number;
  /** Other failures (they should not happen against a healthy server). */
  errors: string[];
  /** Latency of the successful attempt. */
  ms?: number;
}

const oneLineMessage = (err: unknown) =>
  (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 300);

/** Whether a failed exchange was the server shedding load, and its Retry-After. */
export function shedding(err: unknown): { shed: boolean; retryAfterMs?: number } {
  const causes = err instanceof ExchangeError ? err.causes : [err];
  const shed = causes.some((e) => e instanceof ApiError && (e.status === 429 || e.status === 503));
  const cause = causes[0];
  const retryAfterMs = cause instanceof RetryableError ? cause.retryAfterMs : undefined;
  return retryAfterMs === undefined ? { shed } : { shed, retryAfterMs };
}

/** Whether a failed exchange met the simulated link offline: expected, not an error to report. */
export function offline(err: unknown): boolean {
  const causes = err instanceof ExchangeError ? err.causes : [err];
  return causes.some((e) => e instanceof OfflineError || (e instanceof Error && e.cause instanceof OfflineError));
}

/** Records the server has acknowledged: stored ones that are neither unsent nor in a batch awaiting its answer. */
export async function acknowledgedRecords(lcm: TinyLCM): Promise<number> {
  const stats = await lcm.logs.stats();
  let pending = 0;
  for (const id of await lcm.logs.pendingBatches()) pending += (await lcm.logs.batch(id)).length;
  return stats.count - stats.unsent - pending;
}
