import { z } from 'zod';
import { ErrorBodySchema } from '../../../shared/protocol/index.ts';
import type { Route } from './route.ts';

type JsonSchema = Record<string, unknown>;

/**
 * zod puts named schemas (`.meta({ id })`) under the converted schema's own `$defs`; OpenAPI resolves
 * `#/...` against the whole document, so they are hoisted into components.schemas.
 */
function converter(components: Record<string, JsonSchema>) {
  return (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const converted = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
    const {
      $schema: _s,
      $defs,
      ...rest
    } = JSON.parse(JSON.stringify(converted).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema & {
      $defs?: Record<string, JsonSchema>;
    };
    Object.assign(components, $defs);
    return rest;
  };
}

const ERROR_TEXT: Record<number, string> = {
  400: 'The request is malformed or fails validation',
  401: 'No valid bearer token',
  403: 'The token lacks the role this needs',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Payload too large',
  416: 'Range not satisfiable',
};

/**
 * The router's path (`:id`, and `{*rest}` — an optional wildcard of path-to-regexp) as an OpenAPI
 * path template, where a parameter is `{name}` and always present.
 */
export const openApiPath = (routerPath: string) =>
  routerPath.replace(/\{\*(\w+)\}/g, '{$1}').replace(/:(\w+)/g, '{$1}');

/** Builds an OpenAPI 3.1 document (its schemas are JSON Schema 2020-12, which zod emits). */
export function openApiDocument(
  routes: { prefix: string; routes: Route[] }[],
  info: { title: string; version: string },
) {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, JsonSchema> = {};
  const jsonSchema = converter(schemas);
  jsonSchema(ErrorBodySchema, 'output'); // registers components.schemas.Error, which every error answer refers to
  const errorResponse = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  for (const group of routes) {
    for (const r of group.routes) {
      const path = openApiPath(group.prefix + r.path);
      const parameters: unknown[] = [];
      for (const [where, schema] of [
        ['path', r.params],
        ['query', r.query],
      ] as const) {
        if (!schema) continue;
        const s = jsonSchema(schema, 'input');
        const props = (s.properties ?? {}) as Record<string, JsonSchema>;
        const required = new Set((s.required ?? []) as string[]);
        for (const [name, p] of Object.entries(props)) {
          parameters.push({ name, in: where, required: where === 'path' || required.has(name), schema: p });
        }
      }
      // A route may take and give JSON and another type (route.ts: requestBody, responseBody).
      const requestContent = {
        ...(r.body ? { 'application/json': { schema: jsonSchema(r.body, 'input') } } : {}),
        ...(r.requestBody ? { [r.requestBody.contentType]: { schema: r.requestBody.schema } } : {}),
      };
      const responseContent = {
        ...(r.response ? { 'application/json': { schema: jsonSchema(r.response, 'output') } } : {}),
        ...(r.responseBody ? { [r.responseBody.contentType]: { schema: r.responseBody.schema } } : {}),
      };
      const responses: Record<string, unknown> = {
        [r.status]: {
          description: 'Success',
          ...(Object.keys(responseContent).length ? { content: responseContent } : {}),
        },
      };
      const errors = new Set([
        ...(r.errors ?? []),
        ...(r.params || r.query || r.body ? [400] : []),
        ...(r.access === 'public' ? [] : [401, 403]),
      ]);
      for (const status of [...errors].sort())
        responses[status] = { description: ERROR_TEXT[status] ?? 'Error', ...errorResponse };
      responses.default = { description: 'Unexpected error', ...errorResponse };
      (paths[path] ??= {})[r.method] = {
        summary: r.summary,
        tags: r.tags,
        operationId: `${r.method}${path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
        ...(r.access === 'public' ? { security: [] } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(Object.keys(requestContent).length ? { requestBody: { required: true, content: requestContent } } : {}),
        responses,
        ...(Array.isArray(r.access) ? { 'x-roles': ['admin', ...r.access] } : {}),
      };
    }
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }],
  };
}
