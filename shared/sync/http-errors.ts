/**
 * How the HTTP sync clients (shared/sync/documents.ts, and the device's log uploader and model
 * puller) turn a failure into an error a caller can act on without reading its message: an
 * ApiError with the status and the server's error code (DESIGN §6), a RetryableError when trying
 * again later can help.
 */
import { ApiError } from '../protocol/client.ts';
import { isErrorBody, type ErrorBody } from '../protocol/errors.ts';

/**
 * A failure worth retrying (no answer, 5xx, 429). `status` is 0 when no answer came (code
 * `network`, `cause` what fetch threw); `retryAfterMs` is the server's Retry-After, if any.
 */
export class RetryableError extends ApiError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    status = 0,
    code = 'network',
  ) {
    super(status, code, message);
    this.name = 'RetryableError';
  }
}

/** Retry-After in milliseconds: delta-seconds or an HTTP date; undefined when absent, zero or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** A failed answer's body: its text, and the DESIGN §6 error it holds when it holds one. */
export async function readFailure(res: Response): Promise<{ text: string; body?: ErrorBody }> {
  const text = await res.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    return isErrorBody(body) ? { text, body } : { text };
  } catch {
    return { text };
  }
}

/**
 * A failed answer as an error: 429 and 5xx are retryable and carry the server's Retry-After (a
 * shedding server asks the fleet to come back later); anything else is final, an ApiError unless
 * `final` makes another (given the message, the status and the server's error code).
 */
export async function httpError(
  res: Response,
  what: string,
  final: (message: string, status: number, code: string) => Error = (m, s, c) => new ApiError(s, c, m),
): Promise<ApiError | Error> {
  const { text, body } = await readFailure(res);
  const message = `${what}: HTTP ${res.status} ${text}`;
  const code = body?.error.code ?? 'http';
  if (res.status === 429 || res.status >= 500)
    return new RetryableError(message, retryAfterMs(res.headers.get('retry-after')), res.status, code);
  return final(message, res.status, code);
}

/** A request that never got an answer (offline, refused, reset): retryable, with fetch's cause named. */
export function networkError(err: unknown, what: string): RetryableError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const error = new RetryableError(
    `${what} failed: ${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`,
  );
  error.cause = err;
  return error;
}
