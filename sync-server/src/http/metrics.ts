import type { Middleware } from 'koa';
import type { HttpMetrics } from '../metrics/registry.ts';

/** Counts every request once it is answered; placed outside errorHandler so failures count with their final status. */
export function httpMetrics(metrics: HttpMetrics): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      metrics.observe(
        ctx.method,
        typeof route === 'string' ? route : 'unmatched',
        ctx.status,
        (performance.now() - started) / 1000,
      );
    }
  };
}
