import { z } from 'zod';

/** DESIGN §6: every error answer has this shape. */
export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable, machine-readable, snake_case'),
      message: z.string().describe('for people'),
      details: z.unknown().optional().describe('e.g. the list of validation issues'),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** Codes used across the API, with the HTTP status each normally travels with. */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function isErrorBody(value: unknown): value is ErrorBody {
  return ErrorBodySchema.safeParse(value).success;
}
