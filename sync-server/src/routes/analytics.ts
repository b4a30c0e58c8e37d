import { z } from 'zod';
import {
  DeviceDetailSchema,
  DeviceMetricsSchema,
  FeatureHistogramQuerySchema,
  FeatureHistogramSchema,
  FleetMetricsQuerySchema,
  FleetMetricsSchema,
  MetricsQuerySchema,
  RecordSampleQuerySchema,
  RecordSampleSchema,
} from '../../../shared/protocol/index.ts';
import { route } from './define.ts';

/** The console's charts and device page; people only (a device has its own document). */
const READ = ['operator', 'scientist', 'viewer'] as const;
const TAGS = ['fleet'];
const IdParams = z.object({ id: z.uuid() });

export const analyticsRoutes = [
  route({
    method: 'get',
    path: '/devices/:id/metrics',
    summary:
      "One device's inferences per hour or day: count, exact latency p50/p95/p99, mean confidence, classes, drift alarms by kind, model versions",
    tags: TAGS,
    access: READ,
    params: IdParams,
    query: MetricsQuerySchema,
    response: DeviceMetricsSchema,
    errors: [404],
    handler: ({ params, query, services }) => services.fleet.deviceMetrics(params.id, query),
  }),
  route({
    method: 'get',
    path: '/devices/:id/detail',
    summary:
      "A device's page in one call: its record, its document's desired and reported state and newest drift events, its uploads",
    tags: TAGS,
    access: READ,
    params: IdParams,
    response: DeviceDetailSchema,
    errors: [404],
    handler: ({ params, services }) => services.analytics.deviceDetail(params.id),
  }),
  route({
    method: 'get',
    path: '/fleet/metrics',
    summary:
      "The fleet's (or a group's) inferences per hour or day from the hourly rollups: count, mean latency and confidence, classes, drift alarms, active devices, model versions",
    tags: TAGS,
    access: READ,
    query: FleetMetricsQuerySchema,
    response: FleetMetricsSchema,
    errors: [404],
    handler: ({ query, services }) => services.fleet.series(query),
  }),
  route({
    method: 'get',
    path: '/fleet/feature-histogram',
    summary:
      "One input feature of a model version's stored records counted into the caller's bins (the reference profile's edges): the current distribution to set against the reference, for the fleet, a group or a device",
    tags: TAGS,
    access: READ,
    query: FeatureHistogramQuerySchema,
    response: FeatureHistogramSchema,
    handler: ({ query, services }) => services.analytics.featureHistogram(query),
  }),
  route({
    method: 'get',
    path: '/fleet/record-sample',
    summary:
      "A reproducible sample of a model version's stored records with their inputs and predicted labels, from a window of the fleet, a group or a device: what a feature-by-feature drift report between two windows compares",
    tags: TAGS,
    access: READ,
    query: RecordSampleQuerySchema,
    response: RecordSampleSchema,
    handler: ({ query, services }) => services.analytics.recordSample(query),
  }),
];
