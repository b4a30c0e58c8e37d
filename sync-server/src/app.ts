import Router from '@koa/router';
import Koa from 'koa';
import path from 'node:path';
import { API_PREFIX, MLFLOW_ARTIFACTS_PREFIX, MLFLOW_PREFIX } from '../../shared/protocol/index.ts';
import { authenticate, requireToken } from './auth/authenticate.ts';
import { bodyDeadline, closeOnEarlyError } from './http/body-deadline.ts';
import { errorHandler } from './http/errors.ts';
import { crossOriginIsolation } from './http/isolation.ts';
import { LoadShedder } from './http/load-shedding.ts';
import { mlflowErrors } from './http/mlflow-errors.ts';
import { httpMetrics } from './http/metrics.ts';
import { jsonBody } from './http/json-body.ts';
import { openApiDocument } from './http/openapi.ts';
import { rawBody } from './http/raw-body.ts';
import { requestLog } from './http/request-log.ts';
import { handle } from './http/route.ts';
import { securityHeaders } from './http/security-headers.ts';
import { serveApp } from './http/static.ts';
import { route } from './routes/define.ts';
import { routeGroups } from './routes/index.ts';
import type { Services } from './services/index.ts';

export interface AppOptions {
  /** Folder holding the built web apps: `<webRoot>/edge-app` and `<webRoot>/admin`. */
  webRoot: string;
}

const openApiRoute = route({
  method: 'get',
  path: '/openapi.json',
  summary: 'This document',
  tags: ['meta'],
  access: 'public',
  response: null,
  handler: () => document,
});

const groups = routeGroups.map((g) => (g.prefix === API_PREFIX ? { ...g, routes: [...g.routes, openApiRoute] } : g));
const document = openApiDocument(groups, { title: 'TinySphere API', version: '1' });

/** Batch upload, document sync and model download: what a fleet reconnecting at once hits. */
const HEAVY_DEVICE_ROUTES = new RegExp(
  `^${API_PREFIX}/(devices/me/batches|sync/|devices/me/models/|models/[^/]+/versions/[^/]+/artifact$)`,
);

/** Builds the Koa app: a stack of small middleware with one error policy, then routes, then the web apps. */
export function createApp(services: Services, options: AppOptions): Koa {
  const app = new Koa({ proxy: true });
  // Errors are answered by errorHandler and logged by requestLog; Koa's default printer would log twice.
  app.silent = true;

  const router = new Router();
  for (const group of groups) {
    for (const r of group.routes) router[r.method](group.prefix + r.path, handle(r, services));
  }

  app.use(requestLog(services.logger));
  app.use(httpMetrics(services.httpMetrics));
  app.use(mlflowErrors([MLFLOW_PREFIX, MLFLOW_ARTIFACTS_PREFIX]));
  app.use(errorHandler());
  app.use(crossOriginIsolation());
  app.use(securityHeaders());
  // Authentication comes before a heavy slot is taken: a stranger trickling a body must never hold
  // one. It reads only the Authorization header, so it also runs before body parsing.
  const isHeavy = (p: string) => HEAVY_DEVICE_ROUTES.test(p);
  app.use(closeOnEarlyError(isHeavy));
  app.use(requireToken(isHeavy));
  app.use(authenticate(services.auth, (p) => p === '/metrics'));
  const shedder = new LoadShedder({
    ...services.config.loadShedding,
    heavy: HEAVY_DEVICE_ROUTES,
  });
  services.httpMetrics.addSource(() => shedder.render());
  app.use(shedder.middleware());
  // Inside the slot: a body that does not arrive in time frees the slot with a 408.
  app.use(bodyDeadline(services.config.timeouts.bodyReadMs, isHeavy));
  app.use(rawBody([`${MLFLOW_ARTIFACTS_PREFIX}/artifacts/`]));
  // MLflow's client sends JSON bodies with DELETE too (registered-models/delete, …).
  app.use(jsonBody(['POST', 'PUT', 'PATCH', 'DELETE']));
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  app.use(serveApp('/admin/', path.join(options.webRoot, 'admin')));
  app.use(serveApp('/', path.join(options.webRoot, 'edge-app'), { exclude: ['/api/', '/admin/'] }));
  return app;
}
