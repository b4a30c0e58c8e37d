/**
 * What a service refuses, in the domain's words: the services speak no HTTP. The edge maps each kind
 * to a status and DESIGN §6's error body (http/errors.ts) and, on MLflow's routes, to MLflow's
 * `error_code` (http/mlflow-errors.ts). `code` is the stable code clients read in `error.code`.
 */

/** MLflow's error codes (mlflow/protos/databricks.proto), for a refusal whose kind does not determine its MLflow code. */
export type MlflowCode =
  | 'INTERNAL_ERROR'
  | 'INVALID_STATE'
  | 'NOT_IMPLEMENTED'
  | 'TEMPORARILY_UNAVAILABLE'
  | 'REQUEST_LIMIT_EXCEEDED'
  | 'RESOURCE_CONFLICT'
  | 'ENDPOINT_NOT_FOUND'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'BAD_REQUEST'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'INVALID_PARAMETER_VALUE';

export interface DomainErrorOptions {
  /** The code clients see when it is not the kind's usual one (validation_failed, missing_dependencies). */
  code?: string;
  details?: unknown;
  mlflowCode?: MlflowCode;
}

/** Each kind's usual code: shared/protocol's ERROR_STATUS names it with the status it travels with. */
const USUAL_CODE = {
  invalid: 'bad_request',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  not_found: 'not_found',
  conflict: 'conflict',
  too_large: 'payload_too_large',
} as const;

export type DomainErrorKind = keyof typeof USUAL_CODE;

/** A refusal meant for the client: its code, message and details are sent as they are. */
export abstract class DomainError extends Error {
  readonly code: string;
  readonly details?: unknown;
  readonly mlflowCode?: MlflowCode;

  protected constructor(
    readonly kind: DomainErrorKind,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.code = options.code ?? USUAL_CODE[kind];
    this.details = options.details;
    this.mlflowCode = options.mlflowCode;
  }
}

/** A refusal of one kind, constructed with the message (and options) only. */
const ofKind = (kind: DomainErrorKind) =>
  class extends DomainError {
    constructor(message: string, options?: DomainErrorOptions) {
      super(kind, message, options);
    }
  };

/** The request's content is wrong: a bad value, a malformed file, an inconsistent pair of fields. */
export class Invalid extends ofKind('invalid') {}

/** No credentials, or ones that are not (or no longer) valid. */
export class Unauthorized extends ofKind('unauthorized') {}

/** Credentials that are valid but do not reach this. */
export class Forbidden extends ofKind('forbidden') {}

export class NotFound extends ofKind('not_found') {}

/** The change collides with what is stored: a taken name, a state that does not allow it. */
export class Conflict extends ofKind('conflict') {}

/** Larger than a configured limit. */
export class TooLarge extends ofKind('too_large') {}
