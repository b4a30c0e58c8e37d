import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';

/** One log line per request, after it finished; 5xx at error level with the hidden cause. */
export function requestLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    const id = ctx.get('x-request-id') || randomUUID();
    ctx.set('x-request-id', id);
    ctx.state.log = logger.child({ reqId: id });
    try {
      await next();
    } finally {
      const line = {
        method: ctx.method,
        url: ctx.originalUrl,
        status: ctx.status,
        ms: Math.round((performance.now() - started) * 100) / 100,
        ...(ctx.state.error ? { err: ctx.state.error } : {}),
      };
      if (ctx.status >= 500) ctx.state.log.error(line, 'request failed');
      else ctx.state.log.info(line, 'request');
    }
  };
}
