import { z } from 'zod';
import {
  CreatedTokenSchema,
  CreateTokenSchema,
  PrincipalSchema,
  TokenListSchema,
  TokenSchema,
} from '../../../shared/protocol/index.ts';
import { route } from './define.ts';

const IdParams = z.object({ id: z.string().uuid() });

export const authRoutes = [
  route({
    method: 'get',
    path: '/me',
    summary: 'Who the bearer token belongs to',
    tags: ['auth'],
    access: 'authenticated',
    response: PrincipalSchema,
    handler: ({ principal }) => principal,
  }),
  route({
    method: 'get',
    path: '/tokens',
    summary:
      'The tokens of people and programs, newest first, with when each was last used (device tokens belong to their devices and are not listed)',
    tags: ['auth'],
    access: [],
    response: TokenListSchema,
    handler: async ({ services }) => ({ tokens: await services.auth.list() }),
  }),
  route({
    method: 'post',
    path: '/tokens',
    summary: 'Create an API token with a role and an optional expiry; the secret is in this answer only',
    tags: ['auth'],
    access: [],
    body: CreateTokenSchema,
    status: 201,
    response: CreatedTokenSchema,
    handler: ({ body, services }) => services.auth.create(body),
  }),
  route({
    method: 'delete',
    path: '/tokens/:id',
    summary:
      'Revoke a token (again: answers it unchanged); the last usable admin token cannot be revoked (409); device tokens are revoked with their device',
    tags: ['auth'],
    access: [],
    params: IdParams,
    response: TokenSchema,
    errors: [404, 409],
    handler: ({ params, services }) => services.auth.revoke(params.id),
  }),
];
