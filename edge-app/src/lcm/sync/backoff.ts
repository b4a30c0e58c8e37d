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

/** The longest Retry-After honoured: a server asking for more is waited on this long, then asked again. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * The wait after failed attempt `attempt` (0-based): full jitter over min(maxMs, baseMs·2^attempt).
 * A failure carrying a Retry-After waits that long (capped at MAX_RETRY_AFTER_MS) plus the
 * jitter, itself at most the Retry-After: shed devices come back spread out, never early.
 * `random` is one draw in [0, 1).
 */
export function backoffDelay(
  attempt: number,
  opts: Pick<BackoffOptions, 'baseMs' | 'maxMs'>,
  random: number,
  err?: unknown,
): number {
  const jitter = random * Math.min(opts.maxMs, opts.baseMs * 2 ** attempt);
  const after = err instanceof RetryableError ? (err.retryAfterMs ?? 0) : 0;
  if (after <= 0) return jitter;
  return Math.min(after, MAX_RETRY_AFTER_MS) + Math.min(jitter, after);
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
      await sleep(backoffDelay(attempt, opts, random(), err));
    }
  }
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent, zero or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/**
 * A failed answer as an error: 429 and 5xx are retryable and carry the server's Retry-After (a
 * shedding server asks the fleet to come back later); anything else is final, made by `final`.
 */
export async function httpError(
  res: Response,
  what: string,
  final: (message: string, status: number) => Error = (m) => new Error(m),
): Promise<Error> {
  const text = await res.text().catch(() => '');
  const message = `${what}: HTTP ${res.status} ${text}`;
  if (res.status === 429 || res.status >= 500)
    return new RetryableError(message, retryAfterMs(res.headers.get('retry-after')));
  return final(message, res.status);
}

/** A request that never got an answer (offline, refused, reset): retryable, with fetch's cause named. */
export function networkError(err: unknown, what: string): RetryableError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return new RetryableError(
    `${what} failed: ${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`,
  );
}
