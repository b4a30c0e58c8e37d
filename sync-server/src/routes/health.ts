import { HealthSchema } from '../../../shared/protocol/index.ts';
import { route } from './define.ts';

export const healthRoutes = [
  route({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness and the storage backends in use',
    tags: ['health'],
    access: 'public',
    response: HealthSchema,
    errors: [503],
    handler: ({ services }) => services.health.check(),
  }),
];
