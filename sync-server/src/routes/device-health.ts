import { z } from 'zod';
import {
  AttentionQuerySchema,
  AttentionSchema,
  HealthQuerySchema,
  HealthSeriesSchema,
} from '../../../shared/protocol/index.ts';
import { requireOwnDevice } from '../auth/own-device.ts';
import { route } from './define.ts';

const READ = ['operator', 'scientist', 'viewer'] as const;
const IdParams = z.object({ id: z.string().uuid() });

export const deviceHealthRoutes = [
  route({
    method: 'get',
    path: '/devices/:id/health',
    summary:
      "A device's reported health over time (storage, heap, battery, network, CPU pressure, uptime); a device token may read only itself",
    tags: ['devices'],
    access: [...READ, 'device'],
    params: IdParams,
    query: HealthQuerySchema,
    response: HealthSeriesSchema,
    errors: [404],
    handler: async ({ params, query, principal, services }) => {
      requireOwnDevice(principal, params.id);
      await services.devices.getDevice(params.id); // 404 for an unknown device
      return services.deviceHealth.series(params.id, query);
    },
  }),
  route({
    method: 'get',
    path: '/fleet/attention',
    summary:
      'Devices needing attention: storage over 90 % of quota, battery under 20 % and not charging, or not seen for an hour',
    tags: ['fleet'],
    access: READ,
    query: AttentionQuerySchema,
    response: AttentionSchema,
    handler: ({ query, services }) => services.deviceHealth.attention(query.limit),
  }),
];
