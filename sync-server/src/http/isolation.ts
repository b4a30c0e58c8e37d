import type { Middleware } from 'koa';

/**
 * onnxruntime-web only runs multi-threaded in a cross-origin isolated page, which needs these two
 * headers on the document and CORP on what it loads; set on every answer so cached copies keep them.
 */
export function crossOriginIsolation(): Middleware {
  return async (ctx, next) => {
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
    ctx.set('X-Content-Type-Options', 'nosniff');
    await next();
  };
}
