import type { Middleware } from 'koa';
import { isErrorBody, type ErrorBody } from '../../../shared/protocol/index.ts';
import type { DomainError, MlflowCode } from '../services/errors.ts';
import { answeredDomainError, DOMAIN_STATUS, HttpError } from './errors.ts';

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
} as const satisfies Record<MlflowCode, number>;

export type MlflowErrorCode = MlflowCode;

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

/**
 * MLflow's code and status for an error answer with the project's `code` and `status`. `own` is the
 * MLflow code a domain error carries when its kind does not determine it (INVALID_STATE, RESOURCE_CONFLICT).
 */
function translate(code: string, status: number, routeMatched: boolean, own?: MlflowErrorCode) {
  let mlflow: MlflowErrorCode;
  if (own) mlflow = own;
  else if (code in MLFLOW_ERROR_STATUS) mlflow = code as MlflowErrorCode;
  // errorHandler answers requests no route matched with not_found; MLflow calls those ENDPOINT_NOT_FOUND.
  else if (code === 'not_found' && !routeMatched) mlflow = 'ENDPOINT_NOT_FOUND';
  else mlflow = FROM_PROJECT_CODE[code] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
  return { code: mlflow, status: own || MLFLOW_STATUS_FOR.has(code) ? MLFLOW_ERROR_STATUS[mlflow] : status };
}

/** What an MLflow client is told of a domain error a service threw under an MLflow route. */
export function mlflowAnswer(err: DomainError): { code: MlflowErrorCode; status: number } {
  return translate(err.code, DOMAIN_STATUS[err.kind], true, err.mlflowCode);
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
    const routeMatched = (ctx as { _matchedRoute?: unknown })._matchedRoute !== undefined;
    const { code, status } = translate(body.error.code, ctx.status, routeMatched, answeredDomainError(ctx)?.mlflowCode);
    if (status !== ctx.status) ctx.status = status;
    const error: ErrorBody['error'] = { ...body.error, code };
    ctx.body = { error_code: code, message: error.message, error };
  };
}
