import type { Context } from 'koa';
import { z } from 'zod';
import { findInputProblem, formatInputPath, type Principal, type Role } from '../../../shared/protocol/index.ts';
import { HttpError } from './errors.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route: anyone, any authenticated principal, or the listed roles (admin always may). */
export type Access = 'public' | 'authenticated' | readonly (Role | 'device')[];

export interface RouteInput<P, Q, B, S> {
  params: P;
  query: Q;
  body: B;
  principal: Principal | undefined;
  services: S;
  ctx: Context;
}

/**
 * A route is data: the schemas that validate its input are the ones the OpenAPI document is
 * generated from, so the document cannot drift from the code.
 */
export interface Route<S = unknown> {
  method: Method;
  /** Path relative to the mount point, in koa-router syntax (`/models/:name`). */
  path: string;
  summary: string;
  tags: string[];
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status of a successful answer and its schema; `null` for answers without a JSON body. */
  status: number;
  response: z.ZodType | null;
  /** Error statuses the route documents besides the ones every route can answer. */
  errors?: number[];
  /**
   * A body that is not JSON (e.g. multipart), for the OpenAPI document only; the handler reads it.
   * With `body` too, the route takes either: `body` validates JSON requests, others reach the
   * handler with `body` undefined.
   */
  requestBody?: { contentType: string; schema: Record<string, unknown> };
  /** An answer other than JSON the handler may give (it sets ctx.type), for the OpenAPI document only. */
  responseBody?: { contentType: string; schema: Record<string, unknown> };
  /** The handler answers through ctx itself (streams, ranges, 304); status and body are left alone. */
  raw?: boolean;
  /** Declared as a method, so a route whose handler takes its own input types is still a Route. */
  handler(input: RouteInput<unknown, unknown, unknown, S>): unknown;
}

/** What a route is written as: its input types follow from its schemas. */
export type RouteSpec<S, P, Q, B> = Omit<Route<S>, 'status' | 'params' | 'query' | 'body' | 'handler'> & {
  status?: number;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  handler(input: RouteInput<P, Q, B, S>): unknown;
};

export function route<S, P = unknown, Q = unknown, B = unknown>(spec: RouteSpec<S, P, Q, B>): Route<S> {
  return { status: 200, ...spec };
}

/**
 * `route` with the services type bound once (`const route = routeFor<RouteServices>()`): TypeScript
 * cannot infer some type arguments while others are given, so binding S leaves P, Q and B to be
 * inferred from the schemas.
 */
export const routeFor =
  <S>() =>
  <P = unknown, Q = unknown, B = unknown>(spec: RouteSpec<S, P, Q, B>): Route<S> =>
    route(spec);

export function authorize(access: Access, principal: Principal | undefined): void {
  if (access === 'public') return;
  if (!principal) throw HttpError.of('unauthorized', 'this request needs `Authorization: Bearer <token>`');
  if (access === 'authenticated' || principal.role === 'admin') return;
  if (!access.includes(principal.role)) {
    throw HttpError.of(
      'forbidden',
      `role ${principal.role} may not do this; it needs one of: admin, ${access.join(', ')}`,
    );
  }
}

/**
 * Every route's input, whatever its schema says, is text PostgreSQL can store and JSON of bounded
 * depth (shared/protocol/input-bounds.ts): a NUL in any field is a 400 naming it, not a 500 from
 * the database.
 */
export function checkInput(value: unknown, where: string): void {
  const found = findInputProblem(value);
  if (found) {
    const field = found.path.length ? `"${formatInputPath(found.path)}" ` : '';
    throw HttpError.of('validation_failed', `invalid ${where}: ${field}${found.problem}`, [
      { path: found.path, message: found.problem },
    ]);
  }
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  checkInput(value, where);
  if (!schema) return value as T;
  const result = schema.safeParse(value);
  if (!result.success) {
    throw HttpError.of('validation_failed', `invalid ${where}: ${z.prettifyError(result.error)}`, result.error.issues);
  }
  return result.data;
}

/** The Koa handler for one route: authorize, validate, call, shape. */
export function handle<S>(r: Route<S>, services: S) {
  return async (ctx: Context & { params?: Record<string, string> }) => {
    const principal = ctx.state.principal as Principal | undefined;
    authorize(r.access, principal);
    const otherBody = r.body && r.requestBody && ctx.request.is('json') === false;
    const input = {
      params: parse(r.params, ctx.params ?? {}, 'path parameters'),
      query: parse(r.query, ctx.query, 'query'),
      body: otherBody ? undefined : parse(r.body, (ctx.request as { body?: unknown }).body, 'body'),
      principal,
      services,
      ctx,
    };
    const result = await r.handler(input);
    if (r.raw) return;
    if (result !== undefined) ctx.body = result;
    ctx.status = r.status;
  };
}
