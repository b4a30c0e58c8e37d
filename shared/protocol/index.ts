export * from './errors.ts';
export * from './health.ts';
export * from './auth.ts';

/** Path prefixes of TinySphere's HTTP surface. */
export const API_PREFIX = '/api/v1';
export const MLFLOW_PREFIX = '/api/2.0/mlflow';
export const MLFLOW_ARTIFACTS_PREFIX = '/api/2.0/mlflow-artifacts';
export * from './client.ts';
export * from './registry.ts';
export * from './devices.ts';
export * from './device-health.ts';
export * from './fleet.ts';
export * from './deployments.ts';
export * from './feature-histogram.ts';
export * from './record-sample.ts';
export * from './drift-events.ts';
export * from './device-config.ts';
export * from './input-bounds.ts';
