import { z } from 'zod';
import { DesiredSchema, DriftEventSchema, ReportedSchema } from '../documents/schema.ts';
import { DeviceSchema } from './devices.ts';

/** What the fleet looks like now: enrolled devices, who is online, and what they have logged. */
export const FleetSummarySchema = z
  .object({
    /** Devices not revoked. */
    devices: z.number().int(),
    /** Devices not revoked whose token was used recently (see the server's online window). */
    online: z.number().int(),
    /** Inference records stored. */
    records: z.number().int(),
    /** Records per model version, keyed `<name>@<version>`. */
    byModelVersion: z.record(z.string(), z.number().int()),
    /** Stored records with a drift (alarm) bit in their flags (shared/drift/flags.ts isAlarm). */
    driftAlarms: z.number().int(),
    /** Stored records with a warning bit (isWarning); a record with both counts in both. */
    driftWarnings: z.number().int(),
  })
  .meta({ id: 'FleetSummary' });

export type FleetSummary = z.infer<typeof FleetSummarySchema>;

/**
 * Time series for the console's charts. The window is [from, to), widened to whole buckets (UTC
 * hours or days) so every bucket covers its full span and the device and fleet series line up.
 */
export const BUCKETS = { hour: 3_600_000, day: 86_400_000 } as const;
export type Bucket = keyof typeof BUCKETS;
/** At most this many buckets per answer: 31 days of hours, 366 days of days. */
export const MAX_BUCKETS: Readonly<Record<Bucket, number>> = { hour: 31 * 24, day: 366 };
/** The window when `from` is not given, reaching back from `to`. */
export const DEFAULT_WINDOW_MS: Readonly<Record<Bucket, number>> = { hour: 24 * 3_600_000, day: 30 * 86_400_000 };

/** `<name>@<version>`, the key byModelVersion uses. */
export const ModelVersionKeySchema = z.string().regex(/^.{1,200}@-?\d{1,9}$/, 'a model version as <name>@<version>');

export const MetricsQuerySchema = z.object({
  from: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('ISO 8601; default: `to` minus 24 h (hour buckets) or 30 days (day buckets)'),
  to: z.iso.datetime({ offset: true }).optional().describe('ISO 8601, exclusive; default: now'),
  bucket: z.enum(['hour', 'day']).default('hour'),
  modelVersion: ModelVersionKeySchema.optional().describe('only records of this model version, `<name>@<version>`'),
});
export type MetricsQuery = z.infer<typeof MetricsQuerySchema>;

export const FleetMetricsQuerySchema = MetricsQuerySchema.extend({
  groupId: z.uuid().optional().describe('only devices of this group'),
});
export type FleetMetricsQuery = z.infer<typeof FleetMetricsQuerySchema>;

/** What every bucket (and the window's totals) carries, on a device or across the fleet. */
const AggregateShape = {
  /** Inference records. */
  count: z.number().int(),
  meanLatencyMs: z.number().nullable(),
  /** Null when there is no record (or, per device, no record with a confidence). */
  meanConfidence: z.number().nullable(),
  /** Records with a drift (alarm) bit, as the fleet summary counts them. */
  driftAlarms: z.number().int(),
  /** Records with a warning bit, as the fleet summary counts them. */
  driftWarnings: z.number().int(),
  /** Records per class (label, else class index). */
  classes: z.record(z.string(), z.number().int()),
  byModelVersion: z.record(z.string(), z.number().int()),
};

/** Exact latency quantiles (percentile_cont over the stored records); null for an empty bucket. */
export const LatencyQuantilesSchema = z.object({
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

/** Records per drift kind (the device's drift flag bits) and records with a warning only or besides. */
export const DriftCountsSchema = z.object({
  feature: z.number().int(),
  confidence: z.number().int(),
  prediction: z.number().int(),
  knn: z.number().int(),
  warnings: z.number().int(),
});

const DeviceAggregate = { ...AggregateShape, latencyMs: LatencyQuantilesSchema, drift: DriftCountsSchema };
const FleetAggregate = {
  ...AggregateShape,
  activeDevices: z.number().int().describe('devices with at least one record'),
};

const WindowShape = {
  from: z.string(),
  to: z.string(),
  bucket: z.enum(['hour', 'day']),
  modelVersion: z.string().nullable(),
};

export const DeviceMetricsSchema = z
  .object({
    deviceId: z.string(),
    ...WindowShape,
    buckets: z.array(z.object({ start: z.string(), ...DeviceAggregate })),
    totals: z.object(DeviceAggregate),
  })
  .meta({ id: 'DeviceMetrics' });
export type DeviceMetrics = z.infer<typeof DeviceMetricsSchema>;
export type DeviceMetricsBucket = DeviceMetrics['buckets'][number];

export const FleetMetricsSchema = z
  .object({
    groupId: z.string().nullable(),
    ...WindowShape,
    buckets: z.array(z.object({ start: z.string(), ...FleetAggregate })),
    totals: z.object(FleetAggregate),
  })
  .meta({ id: 'FleetMetrics' });
export type FleetMetrics = z.infer<typeof FleetMetricsSchema>;
export type FleetMetricsBucket = FleetMetrics['buckets'][number];

/** Stored log batches of one device. */
export const DeviceBatchesSchema = z.object({
  batches: z.number().int(),
  records: z.number().int(),
  bytes: z.number().int(),
  lastBatchId: z.string().nullable(),
  lastReceivedAt: z.string().nullable(),
  /** Time of the newest stored record (device clock). */
  lastRecordAt: z.string().nullable(),
});
export type DeviceBatches = z.infer<typeof DeviceBatchesSchema>;

/** Newest events the device page gets; older ones stay in the document (and its summary). */
export const DETAIL_EVENTS = 50;

/** A device's page in one call: its row, its document's state and what it has uploaded. */
export const DeviceDetailSchema = z
  .object({
    device: DeviceSchema,
    desired: DesiredSchema,
    reported: ReportedSchema,
    /** The document's drift events, newest first, at most DETAIL_EVENTS. */
    events: z.array(DriftEventSchema),
    /** Events in the document (the list above may be cut) and of those, not yet acknowledged. */
    eventCount: z.number().int(),
    unacknowledgedEvents: z.number().int(),
    /** Events the device has compacted away, by kind. */
    eventSummary: z.object({ count: z.number().int(), byKind: z.record(z.string(), z.number().int()) }),
    uploads: DeviceBatchesSchema,
  })
  .meta({ id: 'DeviceDetail' });
export type DeviceDetail = z.infer<typeof DeviceDetailSchema>;
