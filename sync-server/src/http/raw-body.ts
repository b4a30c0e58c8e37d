import type { Middleware } from 'koa';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.ts';

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

/**
 * The whole body of a request left unread (binary sync frames); past `max` bytes a 413 naming
 * `what`, once the rest is drained (stopping half-way would reset the connection before the client
 * reads the answer). A body that does not arrive in time is bodyDeadline's 408.
 */
export function readRawBody(req: IncomingMessage, max: number, what: string): Promise<Uint8Array> {
  const tooLarge = (size: number) =>
    HttpError.of('payload_too_large', `${what} (${size} bytes) is larger than the limit of ${max} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    return Promise.reject(tooLarge(declared));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    req.on('end', () => (size > max ? reject(tooLarge(size)) : resolve(Buffer.concat(chunks, size))));
    req.on('error', reject);
  });
}

/** Reads and drops what is left of a request body, so an early answer reaches the client instead of a reset. */
export async function drainBody(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  await new Promise<void>((resolve) => {
    req.on('end', resolve).on('close', resolve).on('error', resolve);
    req.resume();
  });
}
