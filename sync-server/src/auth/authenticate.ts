import type { Middleware } from 'koa';
import { HttpError } from '../http/errors.ts';
import type { AuthService } from '../services/auth.ts';

/**
 * Resolves `Authorization: Bearer <token>` to ctx.state.principal. No header leaves the request
 * anonymous (routes decide); a header that is malformed or names no valid token is a 401 at once.
 */
export function authenticate(auth: AuthService, ownToken: (path: string) => boolean = () => false): Middleware {
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    // Paths such as /metrics carry their own secret (METRICS_TOKEN), checked by their route, not an API token.
    if (header && !ownToken(ctx.path)) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) throw HttpError.of('unauthorized', 'the Authorization header must be `Bearer <token>`');
      const principal = await auth.verify(match[1]!);
      if (!principal) throw HttpError.of('unauthorized', 'the bearer token is not valid');
      ctx.state.principal = principal;
    }
    await next();
  };
}

/**
 * Refuses a request without an Authorization header on routes that always need one (the heavy
 * device routes), before it can wait for a load-shedding slot or send its body.
 */
export function requireToken(applies: (path: string) => boolean): Middleware {
  return async (ctx, next) => {
    if (applies(ctx.path) && !ctx.get('authorization'))
      throw HttpError.of('unauthorized', 'this request needs `Authorization: Bearer <token>`');
    await next();
  };
}
