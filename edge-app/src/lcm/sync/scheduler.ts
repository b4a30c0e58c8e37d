import { backoffDelay } from './backoff.ts';

/** Timers, injectable so tests drive time by hand. */
export interface SchedulerClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SyncSchedulerOptions {
  /** One sync; a rejection counts as a failure and schedules a retry with backoff. */
  run: () => Promise<unknown>;
  /** Seconds between successful runs, read after each run (the document may have changed it). */
  intervalSec: () => number;
  /** Backoff after failures: a random wait in [0, min(maxMs, baseMs·2^(failures-1))]. Default 5 s … 1 h. */
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
  clock?: SchedulerClock;
  /**
   * Where `online` events come from; default `globalThis` when it is an EventTarget with
   * `addEventListener` (a window or worker), null for none (Node).
   */
  onlineEvents?: EventTarget | null;
  /** Called with each failure (for logs / UI); the scheduler itself keeps going. */
  onError?: (err: unknown) => void;
}

const realClock: SchedulerClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Runs the sync engine every `intervalSec`, at once when the device comes back online and when
 * asked, never two runs at a time: a request during a run leaves one more run to follow it (any
 * number of requests coalesce into that one). Failures back off exponentially with full jitter so
 * a fleet that lost its server does not come back in lockstep; a server's Retry-After is honoured.
 */
export class SyncScheduler {
  private readonly clock: SchedulerClock;
  private readonly random: () => number;
  private readonly backoff: { baseMs: number; maxMs: number };
  private readonly onlineTarget: EventTarget | null;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private failures = 0;
  /** When the next run is due, as the delay it was scheduled with (for tests and the UI). */
  nextDelayMs: number | undefined;

  private readonly onOnline = () => this.requestSync();

  constructor(private readonly opts: SyncSchedulerOptions) {
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.backoff = opts.backoff ?? { baseMs: 5000, maxMs: 3_600_000 };
    const g = globalThis as { addEventListener?: unknown };
    this.onlineTarget =
      opts.onlineEvents !== undefined
        ? opts.onlineEvents
        : typeof g.addEventListener === 'function'
          ? (globalThis as unknown as EventTarget)
          : null;
  }

  /** Starts with a run now; later runs follow the interval. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.onlineTarget?.addEventListener('online', this.onOnline);
    this.requestSync();
  }

  /** Stops the timer and the online trigger; resolves once a run in progress has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.again = false;
    this.onlineTarget?.removeEventListener('online', this.onOnline);
    this.cancelTimer();
    await this.running;
  }

  /** Consecutive failed runs (0 after a success). */
  get failureCount(): number {
    return this.failures;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** A run as soon as possible: now, or right after the one in progress. Resolves when that run ends. */
  requestSync(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      // The run in progress loops once more before it settles: its promise covers the follow-up.
      this.again = true;
      return this.running;
    }
    this.cancelTimer();
    this.running = this.loop().finally(() => (this.running = undefined));
    return this.running;
  }

  private async loop(): Promise<void> {
    let delay: number;
    do {
      this.again = false;
      try {
        await this.opts.run();
        this.failures = 0;
        delay = Math.max(1, this.opts.intervalSec()) * 1000;
      } catch (err) {
        this.failures += 1;
        this.opts.onError?.(err);
        delay = backoffDelay(this.failures - 1, this.backoff, this.random(), err);
      }
    } while (this.again && !this.stopped);
    if (!this.stopped) this.schedule(delay);
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    this.nextDelayMs = ms;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.requestSync();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.nextDelayMs = undefined;
  }
}
