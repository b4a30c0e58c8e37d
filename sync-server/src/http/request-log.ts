import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';

/** Query parameters whose values are secrets: enrolment codes (`/?code=…` links) and tokens. */
const SECRET_PARAM = /^(code|.*token|.*secret|.*password|.*key|auth.*|.*signature)$/i;

/**
 * The URL as logged: every secret query parameter's value replaced by `[redacted]`, whatever the
 * case or percent-encoding of its name. Logs are kept and shared; an enrolment code in them
 * would let anyone who reads them enrol a device.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const query = url
    .slice(q + 1)
    .replace(/([^&=]*)=([^&#]*)/g, (pair, name: string) =>
      SECRET_PARAM.test(decodeName(name)) ? `${name}=[redacted]` : pair,
    );
  return `${url.slice(0, q)}?${query}`;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).trim();
  } catch {
    return name;
  }
}

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
        url: redactUrl(ctx.originalUrl),
        status: ctx.status,
        ms: Math.round((performance.now() - started) * 100) / 100,
        ...(ctx.state.error ? { err: ctx.state.error } : {}),
      };
      if (ctx.status >= 500) ctx.state.log.error(line, 'request failed');
      else ctx.state.log.info(line, 'request');
    }
  };
}
