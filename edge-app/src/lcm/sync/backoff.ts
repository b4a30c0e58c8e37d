export interface BackoffOptions {
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** Injectable for tests; Math.random and setTimeout by default. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A failure worth retrying (network, 5xx, 429); `retryAfterMs` is the server's Retry-After, if any. */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableError';
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` until it succeeds, retrying RetryableErrors with exponential backoff and full jitter
 * (a random wait in [0, min(maxMs, baseMs·2^n)]): a fleet reconnecting together spreads out instead
 * of retrying in lockstep. A Retry-After from the server is a lower bound. Other errors end at once.
 */
export async function withBackoff<T>(fn: (attempt: number) => Promise<T>, opts: BackoffOptions): Promise<T> {
  const random = opts.random ?? Math.random;
  const sleep = opts.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!(err instanceof RetryableError) || attempt + 1 >= opts.attempts) throw err;
      const cap = Math.min(opts.maxMs, opts.baseMs * 2 ** attempt);
      await sleep(Math.max(random() * cap, err.retryAfterMs ?? 0));
    }
  }
}
