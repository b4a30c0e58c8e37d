import { bodyParser } from '@koa/bodyparser';
import type { Context, Middleware } from 'koa';
import { jsonTextTooDeep, MAX_JSON_DEPTH } from '../../../shared/protocol/index.ts';
import { HttpError } from './errors.ts';

/** Largest JSON request body, in bytes (after any Content-Encoding is undone). */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

const JSON_TYPES = ['application/json', 'application/*+json', 'application/csp-report'];
// As @koa/bodyparser's strict JSON mode: a body is an object or an array.
const STRICT_JSON = /^[\x20\x09\x0a\x0d]*(\[|\{)/;

function readError(err: Error & { status?: number; type?: string }): HttpError {
  if (err.status === 413)
    return HttpError.of('payload_too_large', `the JSON body is larger than ${JSON_BODY_LIMIT_BYTES / 1024 / 1024} MiB`);
  if (err.status === 415) return HttpError.of('unsupported_media_type', `the JSON body cannot be read: ${err.message}`);
  return HttpError.of('bad_request', `invalid JSON body: ${err.message}`);
}

/**
 * JSON.parse for request input (bodies, multipart fields holding JSON): text nested deeper than
 * MAX_JSON_DEPTH is refused before JSON.parse spends time building it (a megabyte of `[` costs it
 * over half a second). `where` names the input in the 400's message.
 */
export function parseJson(
  text: string,
  where: string,
  notJson = (message: string) => `${where} is not JSON: ${message}`,
): unknown {
  if (jsonTextTooDeep(text, MAX_JSON_DEPTH))
    throw HttpError.of('bad_request', `${where} is nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw HttpError.of('bad_request', notJson((err as Error).message));
  }
}

function parseBody(text: string): unknown {
  if (!text) return {};
  if (!STRICT_JSON.test(text)) throw HttpError.of('bad_request', 'invalid JSON body: it must be an object or an array');
  return parseJson(text, 'the JSON body', (message) => `invalid JSON body: ${message}`);
}

/**
 * Reads JSON request bodies into ctx.request.body: at most JSON_BODY_LIMIT_BYTES (413 beyond) and
 * MAX_JSON_DEPTH levels deep (400). @koa/bodyparser reads the text (size limit, Content-Encoding,
 * `{}` for requests without a JSON body, ctx.disableBodyParser); the depth is checked on the text.
 */
export function jsonBody(methods: readonly string[]): Middleware {
  const read = bodyParser({
    enableTypes: ['text'],
    // Replaces the text types (text/plain): only JSON bodies are read.
    extendTypes: { text: JSON_TYPES },
    parsedMethods: [...methods],
    textLimit: JSON_BODY_LIMIT_BYTES,
    onError: (err) => {
      throw readError(err);
    },
  });
  return (ctx: Context, next) =>
    read(ctx, async () => {
      const request = ctx.request as { body?: unknown };
      if (typeof request.body === 'string') request.body = parseBody(request.body);
      await next();
    });
}
