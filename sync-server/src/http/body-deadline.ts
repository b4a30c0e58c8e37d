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

/**
 * An error answered before the request's body was read closes the connection: otherwise Node
 * keeps the socket open to read and drop the rest of the body, however slowly it trickles in.
 */
export function closeOnEarlyError(applies: (path: string) => boolean): Middleware {
  return async (ctx, next) => {
    if (!applies(ctx.path)) return next();
    try {
      await next();
    } catch (err) {
      if (!ctx.req.complete) ctx.set('Connection', 'close');
      throw err;
    }
  };
}
