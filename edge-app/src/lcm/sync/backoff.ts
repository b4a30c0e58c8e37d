import { RetryableError } from '../../../../shared/sync/http-errors.ts';

/** The sync clients' failures (shared/sync/http-errors.ts): RetryableErrors are the ones worth another attempt. */
export { RetryableError };

export interface BackoffOptions {
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** Injectable for tests; Math.random and setTimeout by default. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
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
