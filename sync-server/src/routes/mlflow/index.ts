import type { AppRoute } from '../define.ts';
import { artifactRoutes, runArtifactRoutes } from './artifacts.ts';
import { experimentRoutes } from './experiments.ts';
import { metricRoutes } from './metrics.ts';
import { mlflowRegistryRoutes } from './registry.ts';
import { runRoutes } from './runs.ts';

/** MLflow's tracking and model-registry REST API, mounted at MLFLOW_PREFIX (/api/2.0/mlflow). */
export const mlflowRoutes: AppRoute[] = [
  ...experimentRoutes,
  ...runRoutes,
  ...metricRoutes,
  ...runArtifactRoutes,
  ...mlflowRegistryRoutes,
];

/** MLflow's artifact proxy, mounted at MLFLOW_ARTIFACTS_PREFIX (/api/2.0/mlflow-artifacts). */
export const mlflowArtifactRoutes: AppRoute[] = artifactRoutes;
