import { API_PREFIX, MLFLOW_ARTIFACTS_PREFIX, MLFLOW_PREFIX } from '../../../shared/protocol/index.ts';
import { analyticsRoutes } from './analytics.ts';
import type { AppRoute } from './define.ts';
import { authRoutes } from './auth.ts';
import { configRoutes } from './config.ts';
import { deploymentRoutes } from './deployments.ts';
import { deviceHealthRoutes } from './device-health.ts';
import { deviceRoutes } from './devices.ts';
import { documentRoutes } from './documents.ts';
import { driftEventRoutes } from './drift-events.ts';
import { fleetRoutes, metricsRoutes } from './fleet.ts';
import { healthRoutes } from './health.ts';
import { ingestRoutes } from './ingest.ts';
import { mlflowArtifactRoutes, mlflowRoutes } from './mlflow/index.ts';
import { modelRoutes } from './models.ts';

/** Every route of the app, grouped by mount point; the OpenAPI document is generated from this list. */
export const routeGroups: { prefix: string; routes: AppRoute[] }[] = [
  { prefix: '', routes: [...healthRoutes, ...metricsRoutes] },
  {
    prefix: API_PREFIX,
    routes: [
      ...authRoutes,
      ...modelRoutes,
      ...deviceRoutes,
      ...deviceHealthRoutes,
      ...configRoutes,
      ...documentRoutes,
      ...deploymentRoutes,
      ...driftEventRoutes,
      ...ingestRoutes,
      ...fleetRoutes,
      ...analyticsRoutes,
    ],
  },
  { prefix: MLFLOW_PREFIX, routes: mlflowRoutes },
  { prefix: MLFLOW_ARTIFACTS_PREFIX, routes: mlflowArtifactRoutes },
];
