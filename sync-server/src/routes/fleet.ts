import { FleetSummarySchema } from '../../../shared/protocol/index.ts';
import { assertMetricsToken } from '../http/metrics-token.ts';
import { route } from './define.ts';

export const fleetRoutes = [
  route({
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
  route({
    method: 'get',
    path: '/metrics',
    summary:
      "Prometheus text format 0.0.4: fleet gauges and this process's request metrics. Public like /healthz unless METRICS_TOKEN is set; then `Authorization: Bearer <METRICS_TOKEN>` or 401",
    tags: ['health'],
    // Scrapers rarely hold API tokens; what is exposed is counts and registry names, no ids. METRICS_TOKEN
    // (checked in the handler) guards it when the port cannot be kept private.
    access: 'public',
    response: null,
    raw: true,
    async handler({ services, ctx }) {
      assertMetricsToken(services.scrape.token, ctx.get('authorization'));
      const text = await services.scrape.render();
      ctx.type = 'text/plain; version=0.0.4; charset=utf-8';
      ctx.body = text;
    },
  }),
];
