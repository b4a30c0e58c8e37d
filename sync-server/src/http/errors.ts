import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from '../../../shared/protocol/index.ts';
import { DomainError, type DomainErrorKind } from '../services/errors.ts';
import { BlobConflictError, InvalidBlobKeyError, InvalidRangeError } from '../store/blobs/types.ts';

/** An error meant for the client: its code and message are sent as they are. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | (string & {}),
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  static of(code: ErrorCode, message: string, details?: unknown): HttpError {
    return new HttpError(ERROR_STATUS[code], code, message, details);
  }
}

/** The status each kind of refusal a service makes travels with. */
export const DOMAIN_STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
};

const STATUS_CODES: Record<number, ErrorCode> = Object.fromEntries(
  Object.entries(ERROR_STATUS).map(([code, status]) => [status, code as ErrorCode]),
);
STATUS_CODES[400] = 'bad_request';

/**
 * PostgreSQL's class 22, data exception (a NUL or bad UTF-8 in text, an integer out of range, text
 * that is not a number): the value came from the request, so it is the client's 400, not a 500.
 * The routes' schemas refuse these first; this is the net under them.
 */
function isDataException(err: unknown): err is Error & { code: string } {
  const e = err as { code?: unknown; severity?: unknown };
  return (
    err instanceof Error &&
    typeof e.code === 'string' &&
    /^22[0-9A-Z]{3}$/.test(e.code) &&
    typeof e.severity === 'string'
  );
}

/** An error meant for the client, with its code, message and details as they are. */
function exposed(status: number, err: HttpError | DomainError) {
  const error = {
    code: err.code,
    message: err.message,
    ...(err.details === undefined ? {} : { details: err.details }),
  };
  return { status, body: { error }, expose: true };
}

/** Maps anything thrown to a status and body; only HttpError-like errors and domain errors reveal their message. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody; expose: boolean; log?: boolean } {
  if (err instanceof HttpError) return exposed(err.status, err);
  if (err instanceof DomainError) return exposed(DOMAIN_STATUS[err.kind], err);
  if (err instanceof z.ZodError) {
    return {
      status: 400,
      body: { error: { code: 'validation_failed', message: z.prettifyError(err), details: err.issues } },
      expose: true,
    };
  }
  if (err instanceof InvalidBlobKeyError)
    return { status: 400, body: { error: { code: 'bad_request', message: err.message } }, expose: true };
  if (err instanceof BlobConflictError)
    return { status: 409, body: { error: { code: 'conflict', message: err.message } }, expose: true };
  if (isDataException(err)) {
    // Kept for the log too: a value the route's schema let through is a gap to close there.
    return {
      status: 400,
      body: { error: { code: 'bad_request', message: `a value in the request cannot be stored: ${err.message}` } },
      expose: true,
      log: true,
    };
  }
  if (err instanceof InvalidRangeError) {
    return { status: 416, body: { error: { code: 'range_not_satisfiable', message: err.message } }, expose: true };
  }
  // Errors from Koa's own helpers and body parsers (ctx.throw, http-errors) carry status and expose.
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown; code?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500 && e.expose !== false) {
    const code = STATUS_CODES[status] ?? 'bad_request';
    return { status, body: { error: { code, message: String(e.message ?? code) } }, expose: true };
  }
  return {
    status: status >= 500 && status < 600 ? status : 500,
    body: { error: { code: 'internal', message: 'internal server error' } },
    expose: false,
  };
}

const answered = new WeakMap<Context, DomainError>();

/** The domain error errorHandler answered, for middleware outside it that speaks another dialect (MLflow's codes). */
export function answeredDomainError(ctx: Context): DomainError | undefined {
  return answered.get(ctx);
}

/**
 * The one error policy: every failure below this middleware, and every request nothing answered,
 * leaves as DESIGN §6's JSON error shape. Unexposed errors are logged with their stack.
 */
export function errorHandler(): Middleware {
  return async (ctx: Context, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) {
        throw HttpError.of('not_found', `no route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      const { status, body, expose, log } = toErrorResponse(err);
      if (!expose || log) ctx.state.error = err;
      if (err instanceof DomainError) answered.set(ctx, err);
      ctx.status = status;
      ctx.body = body;
      const allow = (err as { headers?: Record<string, string> }).headers;
      if (allow && typeof allow === 'object') ctx.set(allow);
    }
  };
}
