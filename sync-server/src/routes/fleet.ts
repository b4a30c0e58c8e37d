import { FleetSummarySchema } from '../../../shared/protocol/index.ts';
import { route } from '../http/route.ts';
import { fleetMetrics } from '../services/fleet/metrics.ts';
import type { Services } from '../services/index.ts';

export const fleetRoutes = [
  route<Services>({
    method: 'get',
    path: '/fleet/summary',
    summary: 'Devices, devices online, inference records stored (in all and per model version) and drift alarms',
    tags: ['fleet'],
    access: ['operator', 'scientist', 'viewer'],
    response: FleetSummarySchema,
    handler: ({ services }) => services.fleet.summary(),
  }),
];

export const metricsRoutes = [
  route<Services>({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus text format 0.0.4: fleet gauges and this process\'s request metrics. Public like /healthz, for a scrape on a private network',
    tags: ['health'],
    // Scrapers rarely hold bearer tokens; what is exposed is counts, no names or ids. Keep the port private.
    access: 'public',
    response: null,
    raw: true,
    async handler({ services, ctx }) {
      const fleet = fleetMetrics(await services.fleet.snapshot());
      ctx.type = 'text/plain; version=0.0.4; charset=utf-8';
      ctx.body = fleet + services.httpMetrics.render();
    },
  }),
];
