import type { Context, Middleware } from 'koa';
import { counterFamily, gaugeFamily } from '../metrics/exposition.ts';

export interface LoadSheddingOptions {
  /** Requests worked on at once; 0 turns shedding off. */
  concurrency: number;
  /** Requests that may wait for a slot; beyond that they are answered 503 at once. */
  queue: number;
  /** Longest wait in the queue before a 503: a client waiting longer does better retrying later. */
  queueMs: number;
  /** The heavy routes' paths; every other request passes untouched. */
  heavy: RegExp;
  /** Injectable for tests; Math.random by default. */
  random?: () => number;
}

/** Retry-After bounds (seconds): at least a second, and never so long that a device looks dead. */
const RETRY_AFTER_MIN_S = 1;
const RETRY_AFTER_MAX_S = 60;
/** Time constant of the recently-refused count. */
const RECENT_SHED_TAU_MS = 10_000;
/** Weight of the newest request in the service-time average. */
const EWMA_ALPHA = 0.05;
/** A shed request's body is read and dropped up to this size so the client sees the 503 instead of a reset. */
const DRAIN_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Bounds the concurrent work of the heavy device routes (batch upload, document sync, model
 * download): a fixed number of slots and a queue in front of them. A request waits in the queue
 * while its expected wait — the requests ahead of it times the measured service time, over the
 * slots — stays under queueMs; otherwise, or once it has waited queueMs, it is answered 503 with a
 * Retry-After of about the time the backlog needs to drain, jittered ±50 %. Under a thundering
 * herd the server keeps its latency, the devices it cannot serve now come back spread over the
 * drain time (not all in the next second, which would only shed them again), and the fleet drains
 * instead of timing out. A slot is held until the handler returns; a streamed answer (a model
 * download) goes on after that, paced by the client.
 */
export class LoadShedder {
  private active = 0;
  private readonly waiting: { grant(ok: boolean): void }[] = [];
  private shed = 0;
  private admitted = 0;
  /** Measured time a request holds a slot (ms), smoothed; seeded with a guess until measured. */
  private serviceMs = 20;
  private recent = 0;
  private recentAt = 0;

  constructor(private readonly opts: LoadSheddingOptions) {}

  middleware(): Middleware {
    return async (ctx, next) => {
      if (this.opts.concurrency <= 0 || !this.opts.heavy.test(ctx.path)) return next();
      if (!(await this.acquire(ctx))) return this.refuse(ctx);
      this.admitted += 1;
      const started = performance.now();
      try {
        await next();
      } finally {
        this.serviceMs += EWMA_ALPHA * (performance.now() - started - this.serviceMs);
        this.release();
      }
    };
  }

  /** Counters and gauges in Prometheus' text format, for /metrics. */
  render(): string {
    return (
      counterFamily(
        'tinysphere_load_shed_total',
        'Heavy device requests refused with 503 because the server was busy.',
        [{ value: this.shed }],
      ) +
      counterFamily('tinysphere_load_admitted_total', 'Heavy device requests admitted to a slot.', [
        { value: this.admitted },
      ]) +
      gaugeFamily('tinysphere_load_in_flight', 'Heavy device requests being worked on.', [{ value: this.active }]) +
      gaugeFamily('tinysphere_load_queued', 'Heavy device requests waiting for a slot.', [
        { value: this.waiting.length },
      ])
    );
  }

  private acquire(ctx: Context): boolean | Promise<boolean> {
    if (this.active < this.opts.concurrency) {
      this.active += 1;
      return true;
    }
    if (this.waiting.length >= this.opts.queue || this.expectedWaitMs(this.waiting.length + 1) > this.opts.queueMs)
      return false;
    return new Promise<boolean>((resolve) => {
      const entry = {
        grant: (ok: boolean) => {
          clearTimeout(timer);
          ctx.req.off('close', gone);
          resolve(ok);
        },
      };
      const leave = () => {
        const i = this.waiting.indexOf(entry);
        if (i !== -1) this.waiting.splice(i, 1);
        entry.grant(false);
      };
      const timer = setTimeout(leave, this.opts.queueMs);
      // A client that gave up while queued frees its place for one that is still there.
      const gone = () => {
        if (!ctx.req.complete || ctx.req.destroyed) leave();
      };
      ctx.req.on('close', gone);
      this.waiting.push(entry);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next in line; `active` counts it still taken.
    if (next) next.grant(true);
    else this.active -= 1;
  }

  /**
   * Refused requests of the last ~10 s (exponentially decayed): they come back, so they are part
   * of the backlog a Retry-After has to cover.
   */
  private recentlyShed(now = performance.now()): number {
    this.recent = this.recent * Math.exp(-(now - this.recentAt) / RECENT_SHED_TAU_MS) + 1;
    this.recentAt = now;
    return this.recent;
  }

  /** How long the n-th request in line waits for a slot, at the measured service time. */
  private expectedWaitMs(n: number): number {
    return (n * this.serviceMs) / this.opts.concurrency;
  }

  private async refuse(ctx: Context): Promise<void> {
    this.shed += 1;
    const random = this.opts.random ?? Math.random;
    // The backlog drains in about this long; the refused come back spread over it.
    const drainS = this.expectedWaitMs(this.waiting.length + this.recentlyShed()) / 1000;
    const retryAfter = Math.min(RETRY_AFTER_MAX_S, Math.max(RETRY_AFTER_MIN_S, Math.round(drainS * (0.5 + random()))));
    await drain(ctx);
    ctx.status = 503;
    ctx.set('Retry-After', String(retryAfter));
    ctx.body = {
      error: {
        code: 'overloaded',
        message: `the server is busy; retry after ${retryAfter} s`,
        details: { retryAfterSeconds: retryAfter },
      },
    };
  }
}

/**
 * Reads and drops a small request body before answering: a server that answers while the client
 * is still sending makes many clients see a reset connection rather than the 503. Large bodies
 * are not worth the bandwidth: the connection is closed after the answer instead.
 */
async function drain(ctx: Context): Promise<void> {
  const req = ctx.req;
  if (req.complete || req.readableEnded) return;
  const length = Number(req.headers['content-length'] ?? NaN);
  if (!(length <= DRAIN_MAX_BYTES)) {
    ctx.set('Connection', 'close');
    return;
  }
  await new Promise<void>((resolve) => {
    req.on('end', resolve);
    req.on('close', resolve);
    req.on('error', resolve);
    req.resume();
  });
}
