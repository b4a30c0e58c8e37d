import type { Middleware } from 'koa';
import send from 'koa-send';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { HttpError } from './errors.ts';

/**
 * Serves a built web app under a URL prefix. Unknown paths without a file extension get the app's
 * index.html (client-side routes); hashed assets are cached for good, the rest is revalidated.
 */
export function serveApp(prefix: string, root: string, opts: { exclude?: string[] } = {}): Middleware {
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const exclude = opts.exclude ?? [];
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (exclude.some((p) => ctx.path.startsWith(p))) return next();
    if (ctx.path === base.slice(0, -1) && base !== '/') return ctx.redirect(base);
    if (!ctx.path.startsWith(base)) return next();
    let rel: string;
    try {
      rel = decodeURIComponent(ctx.path.slice(base.length));
    } catch {
      throw HttpError.of('bad_request', 'the path is not valid percent-encoding');
    }
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    if (!(await isFile(root, rel))) {
      if (path.extname(rel)) return next();
      rel = 'index.html';
    }
    await send(ctx, rel, {
      root,
      brotli: false,
      gzip: false,
      setHeaders(res, file) {
        const immutable = file.includes(`${path.sep}assets${path.sep}`);
        res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
        if (file.endsWith('.webmanifest')) res.setHeader('Content-Type', 'application/manifest+json');
      },
    });
  };
}

async function isFile(root: string, rel: string): Promise<boolean> {
  const file = path.resolve(root, rel);
  if (!file.startsWith(path.resolve(root) + path.sep)) return false;
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
