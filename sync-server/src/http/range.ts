import type { Context } from 'koa';
import type { Readable } from 'node:stream';
import type { ByteRange } from '../store/blobs/index.ts';

/**
 * Parses a `Range` header against a size (RFC 9110 §14). Returns undefined when there is no header
 * or it should be ignored (not bytes, several ranges: the whole body is then sent), 'unsatisfiable'
 * for a range outside the body, else the one inclusive range.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // RFC 9110 §14.2: a Range the server cannot parse is ignored (the whole body is sent).
  if (!m) return undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/**
 * Answers with immutable content-addressed bytes: strong ETag (the sha256), 304 for a matching
 * If-None-Match, 206 for a satisfiable Range (resumable downloads), 416 with the size otherwise.
 */
export async function sendImmutable(
  ctx: Context,
  blob: { sha256: string; size: number; open(range?: ByteRange): Promise<Readable> },
  filename: string,
): Promise<void> {
  const etag = `"${blob.sha256}"`;
  const inm = ctx.get('if-none-match');
  const notModified =
    !!inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*' || t.trim() === `W/${etag}`);
  const ifRange = ctx.get('if-range');
  const range =
    notModified || (ifRange && ifRange !== etag) ? undefined : parseRange(ctx.get('range') || undefined, blob.size);
  // Opened before any header is set: a refusal (a damaged or missing blob) must not go out with
  // the year-long immutable caching meant for the bytes. HEAD gets the headers only.
  const body = notModified || range === 'unsatisfiable' || ctx.method === 'HEAD' ? undefined : await blob.open(range);
  ctx.set('ETag', etag);
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('Cache-Control', 'private, max-age=31536000, immutable');
  ctx.set('Content-Disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`);
  if (notModified) {
    ctx.status = 304;
    return;
  }
  if (range === 'unsatisfiable') {
    ctx.set('Content-Range', `bytes */${blob.size}`);
    ctx.status = 416;
    ctx.body = {
      error: { code: 'range_not_satisfiable', message: `the range ${ctx.get('range')} is outside 0-${blob.size - 1}` },
    };
    return;
  }
  ctx.status = range ? 206 : 200;
  if (range) ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${blob.size}`);
  if (body) ctx.body = body;
  ctx.type = 'application/octet-stream';
  ctx.length = range ? range.end - range.start + 1 : blob.size;
}
