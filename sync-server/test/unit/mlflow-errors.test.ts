import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorHandler, HttpError } from '../../src/http/errors.ts';
import { mlflowError, mlflowErrors } from '../../src/http/mlflow-errors.ts';
import { InUseError } from '../../src/services/deployments/in-use.ts';
import { Conflict, Invalid, NotFound } from '../../src/services/errors.ts';
import { fakeContext } from '../support/fake-context.ts';

/** Runs mlflowErrors outside errorHandler, as app.ts stacks them, around a failing (or not) handler. */
async function answer(url: string, fail: (() => never) | undefined) {
  const ctx = fakeContext({ url });
  // As koa-router marks a request it routed.
  Object.assign(ctx, { _matchedRoute: '/x' });
  await mlflowErrors(['/api/2.0/mlflow', '/api/2.0/mlflow-artifacts'])(ctx, () =>
    errorHandler()(ctx, async () => {
      if (fail) fail();
      ctx.body = { ok: true };
    }),
  );
  return { status: ctx.status, body: ctx.body as Record<string, any> };
}

describe('mlflowErrors', () => {
  it("gives MLflow's error_code/message and the project's error.code/message, with one code", async () => {
    const res = await answer('/api/2.0/mlflow/runs/get', () => {
      throw mlflowError('RESOURCE_DOES_NOT_EXIST', 'Run with id=x not found');
    });
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, {
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'Run with id=x not found',
      error: { code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run with id=x not found' },
    });
  });

  it("uses MLflow's statuses: RESOURCE_ALREADY_EXISTS is a 400", () => {
    assert.equal(mlflowError('RESOURCE_ALREADY_EXISTS', 'x').status, 400);
    assert.equal(mlflowError('INVALID_STATE', 'x').status, 500);
  });

  it("translates the project's codes, keeping their status (but a conflict's) and details", async () => {
    const cases: [string, number, string][] = [
      ['validation_failed', 400, 'INVALID_PARAMETER_VALUE'],
      ['bad_request', 400, 'INVALID_PARAMETER_VALUE'],
      ['unauthorized', 401, 'UNAUTHENTICATED'],
      ['forbidden', 403, 'PERMISSION_DENIED'],
      ['not_found', 404, 'RESOURCE_DOES_NOT_EXIST'],
      ['payload_too_large', 413, 'INVALID_PARAMETER_VALUE'],
      ['conflict', 400, 'RESOURCE_ALREADY_EXISTS'],
    ];
    for (const [code, status, mlflow] of cases) {
      const res = await answer('/api/2.0/mlflow-artifacts/artifacts/x', () => {
        throw HttpError.of(code as 'bad_request', 'no', [{ path: ['a'] }]);
      });
      assert.deepEqual([res.status, res.body.error_code, res.body.error.code], [status, mlflow, mlflow], code);
      assert.deepEqual(res.body.error.details, [{ path: ['a'] }]);
    }
  });

  it("gives a service's domain error MLflow's code for its kind, or the MLflow code it carries", async () => {
    const cases: [Error, number, string][] = [
      [new Invalid('no'), 400, 'INVALID_PARAMETER_VALUE'],
      [new NotFound('no'), 404, 'RESOURCE_DOES_NOT_EXIST'],
      [new Conflict('no'), 400, 'RESOURCE_ALREADY_EXISTS'],
      [new Conflict('no', { mlflowCode: 'INVALID_STATE' }), 500, 'INVALID_STATE'],
      [
        new InUseError('no', { deploymentId: 'd', groupId: 'g', status: 'active', version: 1 }),
        409,
        'RESOURCE_CONFLICT',
      ],
    ];
    for (const [err, status, mlflow] of cases) {
      const res = await answer('/api/2.0/mlflow/experiments/update', () => {
        throw err;
      });
      assert.deepEqual(
        [res.status, res.body.error_code, res.body.error.code, res.body.message],
        [status, mlflow, mlflow, 'no'],
      );
    }
  });

  it('calls a request no route matched ENDPOINT_NOT_FOUND, and hides internal errors', async () => {
    const unmatched = fakeContext({ url: '/api/2.0/mlflow/nope' });
    await mlflowErrors(['/api/2.0/mlflow'])(unmatched, () => errorHandler()(unmatched, async () => {}));
    assert.deepEqual(
      [unmatched.status, (unmatched.body as { error_code: string }).error_code],
      [404, 'ENDPOINT_NOT_FOUND'],
    );
    const crash = await answer('/api/2.0/mlflow/runs/get', () => {
      throw new Error('secret detail');
    });
    assert.deepEqual(
      [crash.status, crash.body.error_code, crash.body.message],
      [500, 'INTERNAL_ERROR', 'internal server error'],
    );
  });

  it('leaves successes and other paths alone', async () => {
    assert.deepEqual(await answer('/api/2.0/mlflow/runs/get', undefined), { status: 200, body: { ok: true } });
    const other = await answer('/api/v1/models', () => {
      throw HttpError.of('not_found', 'no');
    });
    assert.deepEqual(other.body, { error: { code: 'not_found', message: 'no' } });
    const lookalike = await answer('/api/2.0/mlflowish', () => {
      throw HttpError.of('not_found', 'no');
    });
    assert.equal(lookalike.body.error_code, undefined);
  });
});
