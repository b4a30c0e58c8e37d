import type { Context, Middleware } from 'koa';
import { isErrorBody, type ErrorBody } from '../../../shared/protocol/index.ts';
import { HttpError } from './errors.ts';

/** MLflow's error codes and the status MLflow's own server answers each with (mlflow/exceptions.py). */
export const MLFLOW_ERROR_STATUS = {
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  REQUEST_LIMIT_EXCEEDED: 429,
  RESOURCE_CONFLICT: 409,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_DOES_NOT_EXIST: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_PARAMETER_VALUE: 400,
} as const;

export type MlflowErrorCode = keyof typeof MLFLOW_ERROR_STATUS;

/** An HttpError carrying an MLflow code, with the status MLflow uses for it. */
export function mlflowError(code: MlflowErrorCode, message: string): HttpError {
  return new HttpError(MLFLOW_ERROR_STATUS[code], code, message);
}

/** MLflow's answer to a bad request: INVALID_PARAMETER_VALUE (400). */
export function invalidParameter(message: string): HttpError {
  return mlflowError('INVALID_PARAMETER_VALUE', message);
}

/**
 * The project's codes (shared/protocol/errors.ts) in MLflow's vocabulary. The status is kept, except
 * for a conflict: MLflow clients read "already exists" as RESOURCE_ALREADY_EXISTS, which MLflow
 * answers with 400 (mlflow.register_model, for one, goes on to add a version when it sees it).
 */
const FROM_PROJECT_CODE: Record<string, MlflowErrorCode> = {
  bad_request: 'INVALID_PARAMETER_VALUE',
  validation_failed: 'INVALID_PARAMETER_VALUE',
  unauthorized: 'UNAUTHENTICATED',
  forbidden: 'PERMISSION_DENIED',
  not_found: 'RESOURCE_DOES_NOT_EXIST',
  method_not_allowed: 'ENDPOINT_NOT_FOUND',
  conflict: 'RESOURCE_ALREADY_EXISTS',
  payload_too_large: 'INVALID_PARAMETER_VALUE',
  length_required: 'INVALID_PARAMETER_VALUE',
  unsupported_media_type: 'BAD_REQUEST',
  range_not_satisfiable: 'INVALID_PARAMETER_VALUE',
  internal: 'INTERNAL_ERROR',
  unavailable: 'TEMPORARILY_UNAVAILABLE',
};
const MLFLOW_STATUS_FOR = new Set(['conflict']);

function mlflowCode(ctx: Context, code: string): MlflowErrorCode {
  if (code in MLFLOW_ERROR_STATUS) return code as MlflowErrorCode;
  // errorHandler answers requests no route matched with not_found; MLflow calls those ENDPOINT_NOT_FOUND.
  if (code === 'not_found' && (ctx as { _matchedRoute?: unknown })._matchedRoute === undefined)
    return 'ENDPOINT_NOT_FOUND';
  return FROM_PROJECT_CODE[code] ?? (ctx.status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
}

/**
 * MLflow clients read `error_code` and `message` at the top level; the project's clients read
 * `error.code`. Placed outside errorHandler, this rewrites every error answer under the prefixes
 * (auth failures, bad JSON, unknown endpoints and route errors alike) to carry both, with one code.
 */
export function mlflowErrors(prefixes: readonly string[]): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.status < 400 || !prefixes.some((p) => ctx.path === p || ctx.path.startsWith(`${p}/`))) return;
    const body: unknown = ctx.body;
    if (!isErrorBody(body)) return;
    const code = mlflowCode(ctx, body.error.code);
    if (MLFLOW_STATUS_FOR.has(body.error.code)) ctx.status = MLFLOW_ERROR_STATUS[code];
    const error: ErrorBody['error'] = { ...body.error, code };
    ctx.body = { error_code: code, message: error.message, error };
  };
}
