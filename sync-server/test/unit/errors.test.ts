import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { isErrorBody } from '../../../shared/protocol/index.ts';
import { errorHandler, HttpError } from '../../src/http/errors.ts';
import { Conflict, Forbidden, Invalid, NotFound, TooLarge, Unauthorized } from '../../src/services/errors.ts';
import { InvalidBlobKeyError } from '../../src/store/blobs/types.ts';
import { fakeContext } from '../support/fake-context.ts';

async function run(thrown: unknown) {
  const ctx = fakeContext();
  await errorHandler()(ctx, async () => {
    if (thrown !== undefined) throw thrown;
  });
  return ctx;
}

describe('errorHandler', () => {
  it('answers a request nothing handled with 404 in the error shape', async () => {
    const ctx = await run(undefined);
    assert.equal(ctx.status, 404);
    assert.ok(isErrorBody(ctx.body));
    assert.deepEqual((ctx.body as { error: { code: string } }).error.code, 'not_found');
  });

  it('passes an HttpError through with its status, code, message and details', async () => {
    const ctx = await run(new HttpError(409, 'conflict', 'already there', { id: 1 }));
    assert.equal(ctx.status, 409);
    assert.deepEqual(ctx.body, { error: { code: 'conflict', message: 'already there', details: { id: 1 } } });
  });

  it("answers a service's domain error with its kind's status and its code, message and details", async () => {
    const cases: [Error, number, string][] = [
      [new Invalid('no'), 400, 'bad_request'],
      [new Invalid('no', { code: 'validation_failed' }), 400, 'validation_failed'],
      [new Unauthorized('no'), 401, 'unauthorized'],
      [new Forbidden('no'), 403, 'forbidden'],
      [new NotFound('no'), 404, 'not_found'],
      [new Conflict('no'), 409, 'conflict'],
      [new Conflict('no', { code: 'missing_dependencies' }), 409, 'missing_dependencies'],
      [new TooLarge('no'), 413, 'payload_too_large'],
    ];
    for (const [err, status, code] of cases) {
      const ctx = await run(err);
      assert.deepEqual([ctx.status, ctx.body], [status, { error: { code, message: 'no' } }], code);
    }
    const ctx = await run(new Conflict('taken', { details: { offset: 3 }, mlflowCode: 'INVALID_STATE' }));
    assert.deepEqual(
      [ctx.status, ctx.body],
      [409, { error: { code: 'conflict', message: 'taken', details: { offset: 3 } } }],
    );
  });

  it('turns a ZodError into 400 validation_failed listing the issues', async () => {
    const parsed = z.object({ n: z.number() }).safeParse({ n: 'x' });
    const ctx = await run(parsed.error);
    assert.equal(ctx.status, 400);
    const body = ctx.body as { error: { code: string; details: unknown[] } };
    assert.equal(body.error.code, 'validation_failed');
    assert.equal(body.error.details.length, 1);
  });

  it('keeps the status of Koa/http-errors errors and maps it to a code', async () => {
    const ctx = await run(Object.assign(new Error('Method Not Allowed'), { status: 405, expose: true }));
    assert.equal(ctx.status, 405);
    assert.equal((ctx.body as { error: { code: string } }).error.code, 'method_not_allowed');
  });

  it('hides the message of unexpected errors behind 500 internal and keeps the cause for the log', async () => {
    const secret = new Error('password=hunter2 in connection string');
    const ctx = await run(secret);
    assert.equal(ctx.status, 500);
    assert.deepEqual(ctx.body, { error: { code: 'internal', message: 'internal server error' } });
    assert.equal(ctx.state.error, secret);
  });

  it('answers a PostgreSQL data exception (class 22) with 400 naming it, and keeps it for the log', async () => {
    const nul = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: '22021',
      severity: 'ERROR',
    });
    const ctx = await run(nul);
    assert.equal(ctx.status, 400);
    assert.deepEqual(ctx.body, {
      error: {
        code: 'bad_request',
        message: 'a value in the request cannot be stored: invalid byte sequence for encoding "UTF8": 0x00',
      },
    });
    assert.equal(ctx.state.error, nul);
    const range = await run(
      Object.assign(new Error('value "9999999999" is out of range for type integer'), {
        code: '22003',
        severity: 'ERROR',
      }),
    );
    assert.equal(range.status, 400);
    // Other database failures stay 500 and say nothing.
    const other = await run(
      Object.assign(new Error('relation "x" does not exist'), { code: '42P01', severity: 'ERROR' }),
    );
    assert.equal(other.status, 500);
    assert.equal((await run(Object.assign(new Error('connect'), { code: '22abc' }))).status, 500);
  });

  it('answers an invalid blob key with 400', async () => {
    const ctx = await run(new InvalidBlobKeyError('../x', 'bad'));
    assert.equal(ctx.status, 400);
    assert.equal((ctx.body as { error: { code: string } }).error.code, 'bad_request');
  });
});
