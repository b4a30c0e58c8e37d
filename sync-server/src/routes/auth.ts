import { CreatedTokenSchema, CreateTokenSchema, PrincipalSchema } from '../../../shared/protocol/index.ts';
import { route } from '../http/route.ts';
import type { Services } from '../services/index.ts';

export const authRoutes = [
  route<Services>({
    method: 'get',
    path: '/me',
    summary: 'Who the bearer token belongs to',
    tags: ['auth'],
    access: 'authenticated',
    response: PrincipalSchema,
    handler: ({ principal }) => principal,
  }),
  route<Services, unknown, unknown, { name: string; role: 'admin' | 'scientist' | 'operator' | 'viewer' }>({
    method: 'post',
    path: '/tokens',
    summary: 'Create an API token with a role; the secret is in this answer only',
    tags: ['auth'],
    access: [],
    body: CreateTokenSchema,
    status: 201,
    response: CreatedTokenSchema,
    handler: ({ body, services }) => services.auth.create(body.name, body.role),
  }),
];
