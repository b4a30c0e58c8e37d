import type { Middleware } from 'koa';

/**
 * Leaves the request body of uploads under these path prefixes unread, so the handler can stream
 * ctx.req. Without it a file uploaded as `application/json` (MLflow sends a `.json` artifact so)
 * would be parsed, size-limited and consumed by the JSON body parser.
 */
export function rawBody(prefixes: readonly string[], methods: readonly string[] = ['PUT']): Middleware {
  return async (ctx, next) => {
    if (methods.includes(ctx.method) && prefixes.some((p) => ctx.path.startsWith(p))) {
      (ctx as { disableBodyParser?: boolean }).disableBodyParser = true;
    }
    await next();
  };
}
