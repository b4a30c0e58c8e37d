import { createRng, shuffleInPlace, Xoshiro128, type Rng } from '../../../shared/random/prng.ts';

/** What a fetch through an offline link throws: the same error class a real network failure gives. */
export class OfflineError extends TypeError {
  constructor(what: string) {
    super(`fetch failed: simulated device is offline (${what})`);
  }
}

export interface LinkOptions {
  /**
   * Server origins; each exchange talks to one picked at random, as behind a load balancer: in
   * rounds, each round a seeded shuffle of all of them, so every server sees a device's traffic.
   */
  servers: readonly string[];
  /** Long-run fraction of the time the link is down, in [0, 1). */
  offlineRate: number;
  seed: number;
  /** Mean length of one online + offline period (default 2 s). */
  cycleMs?: number;
  now?: () => number;
}

/**
 * A device's network: up or down by a seeded alternating process (exponential periods whose means
 * make the down time a fraction `offlineRate` of the whole), evaluated lazily from the clock so a
 * thousand devices need no timers. `fetch` rewrites the base URL to the server of the current
 * exchange and fails while the link is down — also after the request went out, when the link drops
 * before the answer arrives (the server acted, the device never heard: what exactly-once is for).
 */
export class Link {
  private readonly rng: Xoshiro128;
  /** Its own stream, so which server an exchange reaches does not depend on how often the clock was read. */
  private readonly serverRng: Rng;
  private deck: string[] = [];
  private readonly now: () => number;
  private readonly servers: readonly string[];
  private up: boolean;
  private until: number;
  private current: string;

  constructor(private readonly opts: LinkOptions) {
    if (opts.servers.length === 0) throw new Error('a link needs at least one server');
    this.rng = new Xoshiro128(opts.seed);
    // Another seed: the same one would make the server picks replay the link's own numbers.
    this.serverRng = createRng(opts.seed ^ 0x5e4e4);
    this.now = opts.now ?? Date.now;
    this.servers = opts.servers.map((s) => s.replace(/\/+$/, ''));
    this.current = this.servers[0]!;
    this.up = opts.offlineRate <= 0 || this.rng.nextFloat() >= opts.offlineRate;
    this.until = this.now() + this.period();
  }

  /** The base URL the device's components are built with; requests to it go to the current server. */
  get base(): string {
    return this.servers[0]!;
  }

  get server(): string {
    return this.current;
  }

  get online(): boolean {
    const t = this.now();
    while (t >= this.until) {
      this.up = !this.up;
      this.until += this.period();
    }
    return this.up;
  }

  /** Picks the server of the next exchange. */
  pick(): string {
    if (this.deck.length === 0) this.deck = shuffleInPlace([...this.servers], this.serverRng);
    this.current = this.deck.pop()!;
    return this.current;
  }

  readonly fetch: typeof fetch = (input, init) => this.send(input, init, true);

  /**
   * Fails only before the request: for enrolment, which is not idempotent (a code's use is spent
   * when the server answers) and which a person oversees on a real device.
   */
  readonly fetchNoLoss: typeof fetch = (input, init) => this.send(input, init, false);

  private async send(
    input: Parameters<typeof fetch>[0],
    init: RequestInit | undefined,
    mayLoseAnswer: boolean,
  ): Promise<Response> {
    let url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!this.online) throw new OfflineError('before the request');
    if (url.startsWith(this.base)) url = this.current + url.slice(this.base.length);
    const res = await fetch(url, init);
    if (mayLoseAnswer && !this.online) {
      await res.body?.cancel();
      throw new OfflineError('the answer was lost');
    }
    return res;
  }

  private period(): number {
    const p = this.opts.offlineRate;
    if (p <= 0) return Number.POSITIVE_INFINITY;
    const mean = (this.opts.cycleMs ?? 2000) * (this.up ? 1 - p : p);
    return -Math.log(1 - this.rng.nextFloat()) * mean;
  }
}
