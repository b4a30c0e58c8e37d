import type { z } from 'zod';
import { isErrorBody } from './errors.ts';

/** A failed API call, carrying the server's error code when it sent DESIGN §6's error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  token?: string | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
  method?: string;
  body?: unknown;
}

/**
 * fetch + JSON + schema check, used by both web apps and the CLIs. It always settles: network
 * failures, timeouts, error answers and answers of the wrong shape all become ApiError.
 */
export async function requestJson<T>(url: string, schema: z.ZodType<T>, opts: RequestOptions = {}): Promise<T> {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      signal,
    });
  } catch (err) {
    const name = (err as Error).name;
    const message =
      name === 'TimeoutError'
        ? 'the server did not answer in time'
        : name === 'AbortError'
          ? 'cancelled'
          : 'the server cannot be reached';
    throw new ApiError(0, name === 'AbortError' ? 'aborted' : 'network', message);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    if (isErrorBody(body)) throw new ApiError(res.status, body.error.code, body.error.message);
    throw new ApiError(res.status, 'http', `HTTP ${res.status}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(res.status, 'bad_response', `unexpected answer from ${url}`);
  return parsed.data;
}
