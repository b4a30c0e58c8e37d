import { HealthSchema } from '../../../shared/protocol/index.ts';
import { route } from '../http/route.ts';
import type { Services } from '../services/index.ts';

export const healthRoutes = [
  route<Services>({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness and the storage backends in use',
    tags: ['health'],
    access: 'public',
    response: HealthSchema,
    errors: [503],
    async handler({ services }) {
      // A health check that does not touch the database would say ok while every request fails.
      await services.db.query('SELECT 1');
      return { status: 'ok', db: services.db.kind, blobs: services.blobs.kind };
    },
  }),
];
