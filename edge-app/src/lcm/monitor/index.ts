export { InferenceMonitor, type InferenceMonitorOptions } from './monitor.ts';
export type { AlertThresholds } from './alerts.ts';
export { healthProvider, shortBrowser, watchCpuPressure, type HealthOptions, type HealthProvider } from './health.ts';
export { browserResourceProbe, defaultResourceProbe, nodeResourceProbe, type ResourceProbe } from './resources.ts';
export { QuantileSketch, SKETCH_DEFAULTS, type SketchOptions } from './sketch.ts';
