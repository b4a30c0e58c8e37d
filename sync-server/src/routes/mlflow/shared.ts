import type { Context } from 'koa';
import { z } from 'zod';
import { Int8Schema, type Principal } from '../../../../shared/protocol/index.ts';
import { type AppRoute, route } from '../define.ts';
import type { IdempotentRequest, TrackingStore } from '../../services/tracking/index.ts';

/** Scientists (and admins) write; operators and viewers read. */
export const WRITE = ['scientist'] as const;
export const READ = ['scientist', 'operator', 'viewer'] as const;

/*
 * MLflow's server reads requests through protobuf's JSON mapping, which is liberal: int64 fields
 * come as numbers or decimal strings, enums as names or numbers, doubles may be "NaN", and GET
 * parameters may be repeated. These schemas accept the same.
 */
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

export const str = z.preprocess(first, z.string());
export const list = z.preprocess(
  (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.union([z.string(), z.number().transform(String)])),
);
// Stored in bigint columns; Int8Schema keeps them to what a JSON number carries exactly (±2^53 − 1).
export const int64 = z.preprocess(
  first,
  z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .regex(/^-?\d+$/, 'an integer')
        .transform(Number),
    ])
    .pipe(Int8Schema),
);
export const double = z.preprocess(
  first,
  z.union([
    z.number(),
    z.enum(['NaN', 'Infinity', '-Infinity']).transform(Number),
    z
      .string()
      .trim()
      .regex(/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, 'a number')
      .transform(Number),
  ]),
);
/** Experiment ids are strings in MLflow's API; older clients send numbers. */
export const experimentId = z.preprocess(first, z.union([z.string(), z.number().int().transform(String)]));

/** A protobuf enum: its names, or its numbers (the names' positions counted from 1). */
export function protoEnum<const T extends readonly [string, ...string[]]>(names: T) {
  return z.preprocess((v) => {
    const x = first(v);
    const n = typeof x === 'number' ? x : typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : undefined;
    return n === undefined ? x : (names[n - 1] ?? x);
  }, z.enum(names));
}

export const keyValue = z.object({
  key: z.string().min(1, 'a key is required'),
  value: z
    .string()
    .nullish()
    .transform((v) => v ?? ''),
});

/** Requests name a run by `run_id` or by the legacy `run_uuid`; handlers see `run_id`. */
export function withRunId<T extends z.ZodRawShape>(shape: T) {
  const schema = z.object({ ...shape, run_id: str.optional(), run_uuid: str.optional() });
  return schema.transform((v, ctx) => {
    const ids = v as { run_id?: string; run_uuid?: string };
    const runId = ids.run_id || ids.run_uuid;
    if (!runId) {
      ctx.addIssue({ code: 'custom', path: ['run_id'], message: "Missing value for required parameter 'run_id'." });
      return z.NEVER;
    }
    return { ...v, run_id: runId } as z.output<typeof schema> & { run_id: string };
  });
}

/** A POST without a JSON body reads as `{}`, so the answer names the missing fields. */
const body = <T>(schema: z.ZodType<T>) => z.preprocess((v) => v ?? {}, schema);

function idempotencyOf(ctx: Context, principal: Principal, input: unknown): IdempotentRequest | undefined {
  const key = ctx.get('idempotency-key');
  return key ? { owner: principal.tokenId, key, method: ctx.method, path: ctx.path, body: input } : undefined;
}

/**
 * An MLflow endpoint: GET reads its input from the query, POST from the JSON body. Writes run in
 * one transaction and honour `Idempotency-Key`; reads go straight to the pool.
 */
export function mlflowRoute<I>(spec: {
  method: 'get' | 'post';
  path: string;
  summary: string;
  tags: string[];
  input: z.ZodType<I>;
  response: z.ZodType;
  write?: boolean;
  errors?: number[];
  run(store: TrackingStore, input: I, principal: Principal): Promise<unknown>;
}): AppRoute {
  const common = {
    path: spec.path,
    summary: spec.summary,
    tags: spec.tags,
    response: spec.response,
    access: spec.write ? WRITE : READ,
    errors: spec.errors ?? [404],
  };
  if (spec.method === 'get') {
    return route({
      ...common,
      method: 'get',
      query: spec.input,
      handler: ({ query, services, principal }) => spec.run(services.tracking.store, query, principal!),
    });
  }
  return route({
    ...common,
    method: 'post',
    body: body(spec.input),
    handler: ({ body: input, services, principal, ctx }) =>
      spec.write
        ? services.tracking.write(idempotencyOf(ctx, principal!, input), (store) => spec.run(store, input, principal!))
        : spec.run(services.tracking.store, input, principal!),
  });
}

/** Endpoints answered with `{}` on success. */
export const Empty = z.object({}).meta({ id: 'MlflowEmpty' });
