export * from './errors.ts';
export * from './health.ts';
export * from './auth.ts';

/** Path prefixes of TinySphere's HTTP surface. */
export const API_PREFIX = '/api/v1';
export const MLFLOW_PREFIX = '/api/2.0/mlflow';
export * from './client.ts';
