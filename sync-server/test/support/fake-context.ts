import Koa, { type Context } from 'koa';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/** A Koa context without a socket, for testing middleware on its own (as Koa's own tests do). */
export function fakeContext(
  opts: { method?: string; url?: string; headers?: Record<string, string>; state?: Record<string, unknown> } = {},
): Context {
  const req = new IncomingMessage(new Socket());
  req.method = opts.method ?? 'GET';
  req.url = opts.url ?? '/';
  req.headers = Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const res = new ServerResponse(req);
  res.statusCode = 404; // as Koa does before running the middleware
  const ctx = new Koa().createContext(req, res);
  Object.assign(ctx.state, opts.state);
  return ctx;
}
