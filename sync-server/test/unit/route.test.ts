import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { MAX_JSON_DEPTH, type Principal } from '../../../shared/protocol/index.ts';
import { HttpError } from '../../src/http/errors.ts';
import { authorize, handle, route } from '../../src/http/route.ts';
import { fakeContext } from '../support/fake-context.ts';

const viewer: Principal = { tokenId: '00000000-0000-4000-8000-000000000001', name: 'v', role: 'viewer' };
const admin: Principal = { ...viewer, name: 'a', role: 'admin' };
const operator: Principal = { ...viewer, name: 'o', role: 'operator' };

const status = (fn: () => void) => {
  try {
    fn();
    return 200;
  } catch (err) {
    assert.ok(err instanceof HttpError);
    return err.status;
  }
};

describe('authorize', () => {
  it('lets anyone reach public routes', () =>
    assert.equal(
      status(() => authorize('public', undefined)),
      200,
    ));
  it('answers 401 without a principal', () => {
    assert.equal(
      status(() => authorize('authenticated', undefined)),
      401,
    );
    assert.equal(
      status(() => authorize(['operator'], undefined)),
      401,
    );
  });
  it('answers 403 to a role not listed, and always admits admin', () => {
    assert.equal(
      status(() => authorize(['operator'], viewer)),
      403,
    );
    assert.equal(
      status(() => authorize(['operator'], operator)),
      200,
    );
    assert.equal(
      status(() => authorize([], admin)),
      200,
    );
    assert.equal(
      status(() => authorize([], operator)),
      403,
    );
  });
});

describe('handle', () => {
  const r = route<{ factor: number }, { id: string }, { verbose?: string }, { n: number }>({
    method: 'post',
    path: '/things/:id',
    summary: 'test',
    tags: ['t'],
    access: ['operator'],
    params: z.object({ id: z.string().regex(/^\d+$/) }),
    query: z.object({ verbose: z.string().optional() }),
    body: z.object({ n: z.number().int() }),
    status: 201,
    response: z.object({ result: z.number() }),
    handler: ({ params, body, services }) => ({ result: Number(params.id) + body.n * services.factor }),
  });
  const call = async (opts: { principal?: Principal; id?: string; body?: unknown }) => {
    const ctx = fakeContext({ method: 'POST', url: '/things/x', state: { principal: opts.principal } });
    Object.assign(ctx, { params: { id: opts.id ?? '1' } });
    (ctx.request as { body?: unknown }).body = opts.body;
    await handle(r, { factor: 10 })(ctx);
    return ctx;
  };

  it('validates, calls the handler with parsed input and services, and sets status and body', async () => {
    const ctx = await call({ principal: operator, id: '5', body: { n: 2 } });
    assert.equal(ctx.status, 201);
    assert.deepEqual(ctx.body, { result: 25 });
  });

  it('refuses bad params and bodies with validation_failed before the handler runs', async () => {
    await assert.rejects(
      call({ principal: operator, id: 'abc', body: { n: 1 } }),
      (e: HttpError) => e.code === 'validation_failed' && /path parameters/.test(e.message),
    );
    await assert.rejects(
      call({ principal: operator, body: { n: 1.5 } }),
      (e: HttpError) => e.code === 'validation_failed' && /body/.test(e.message),
    );
    await assert.rejects(call({ principal: operator, body: undefined }), (e: HttpError) => e.status === 400);
  });

  it('refuses NUL and unpaired surrogates in any string of params, query and body, naming the field', async () => {
    const refused = (where: RegExp) => (e: HttpError) =>
      e.status === 400 && e.code === 'validation_failed' && where.test(e.message);
    await assert.rejects(call({ principal: operator, id: '1\u0000' }), refused(/path parameters: "id" contains a NUL/));
    await assert.rejects(
      call({ principal: operator, body: { n: 1, note: { text: ['ok', 'a\u0000'] } } }),
      refused(/body: "note\.text\[1\]" contains a NUL/),
    );
    await assert.rejects(
      call({ principal: operator, body: { n: 1, 'k\u0000': 1 } }),
      refused(/body: has a key that contains a NUL/),
    );
    await assert.rejects(
      call({ principal: operator, body: { n: 1, note: 'x\ud800' } }),
      refused(/"note" contains an unpaired UTF-16 surrogate/),
    );
    const ctx = fakeContext({ method: 'POST', url: '/things/1?verbose=%00', state: { principal: operator } });
    Object.assign(ctx, { params: { id: '1' } });
    (ctx.request as { body?: unknown }).body = { n: 1 };
    await assert.rejects(handle(r, { factor: 1 })(ctx), refused(/query: "verbose" contains a NUL/));
    // A pair of surrogates (an emoji) is fine.
    assert.equal((await call({ principal: operator, body: { n: 1, note: 'ok \ud83d\ude00' } })).status, 201);
  });

  it('refuses a body nested deeper than MAX_JSON_DEPTH even when the schema would ignore it', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) deep = [deep];
    await assert.rejects(
      call({ principal: operator, body: { n: 1, extra: deep } }),
      (e: HttpError) => e.status === 400 && /nested deeper than 64 levels/.test(e.message),
    );
    let ok: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH - 2; i++) ok = [ok];
    assert.equal((await call({ principal: operator, body: { n: 1, extra: ok } })).status, 201);
  });

  it('checks access before validating', async () => {
    await assert.rejects(call({ principal: viewer, id: 'abc' }), (e: HttpError) => e.status === 403);
    await assert.rejects(call({ id: 'abc' }), (e: HttpError) => e.status === 401);
  });
});
