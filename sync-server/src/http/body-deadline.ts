import type { Middleware } from 'koa';
import { HttpError } from './errors.ts';

/**
 * Answers 408 when a request's body has not fully arrived `ms` after this middleware saw it, so a
 * client trickling its body cannot hold a heavy slot (or a socket) for long. Only the body read is
 * bounded: once the body is complete the handler's own work runs on undisturbed. The connection is
 * closed with the answer, which also ends the handler still waiting for the rest of the body.
 */
export function bodyDeadline(ms: number, applies: (path: string) => boolean): Middleware {
  return async (ctx, next) => {
    const req = ctx.req;
    if (ms <= 0 || !applies(ctx.path) || req.complete) return next();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (req.complete) return;
        ctx.set('Connection', 'close');
        reject(HttpError.of('request_timeout', `the request body did not arrive within ${ms} ms`));
      }, ms);
    });
    const done = () => clearTimeout(timer);
    req.once('end', done);
    const work = next();
    // After a 408 the handler fails once its body read is cut; that outcome is no longer anyone's.
    work.catch(() => {});
    try {
      await Promise.race([work, expired]);
    } finally {
      done();
      req.off('end', done);
    }
  };
}

/** How long a refused request's body may still take to arrive before its socket is closed. */
export const EARLY_ERROR_LINGER_MS = 2_000;

/**
 * An error answered before the request's body was read: the rest of the body is read and dropped
 * for at most EARLY_ERROR_LINGER_MS, then the socket is closed. Closing at once would cut an honest
 * client still writing a large body (it sees EPIPE, never the 401); lingering without a bound would
 * let a stranger hold the socket as long as it trickles.
 */
export function closeOnEarlyError(applies: (path: string) => boolean, lingerMs = EARLY_ERROR_LINGER_MS): Middleware {
  return async (ctx, next) => {
    if (!applies(ctx.path)) return next();
    try {
      await next();
    } catch (err) {
      const req = ctx.req;
      if (!req.complete) {
        const timer = setTimeout(() => req.socket.destroy(), lingerMs);
        timer.unref();
        const stop = () => clearTimeout(timer);
        req.once('end', stop);
        req.once('close', stop);
        req.resume();
      }
      throw err;
    }
  };
}
