import { z } from 'zod';
import { DeviceHealthSchema } from '../documents/health.ts';

/**
 * Device health over time (`reported.health`, kept by the server as a series) and the devices
 * that need attention. The thresholds are here so the server and the console flag the same devices.
 */
export const ATTENTION = {
  /** Storage used above this share of the quota. */
  storageShare: 0.9,
  /** Battery below this level while not charging. */
  batteryLevel: 0.2,
  /** Not seen (its token unused) for longer than this. */
  notSeenMs: 3_600_000,
} as const;

/** At most this many points per series answer, and devices per attention answer. */
export const HEALTH_MAX_POINTS = 10_000;
export const ATTENTION_MAX_DEVICES = 1000;

/** One stored health: when the server received it, and what the device measured. */
export const HealthPointSchema = z
  .object({
    ts: z.string().describe('when the server received this health (ISO 8601)'),
    health: DeviceHealthSchema,
  })
  .meta({ id: 'HealthPoint' });
export type HealthPoint = z.infer<typeof HealthPointSchema>;

export const HealthQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().describe('ISO 8601; default: `to` minus 24 h'),
    to: z.iso.datetime({ offset: true }).optional().describe('ISO 8601, exclusive; default: now'),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(HEALTH_MAX_POINTS)
      .default(1440)
      .describe(`points at most (the newest of the window), 1 to ${HEALTH_MAX_POINTS}`),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) > Date.parse(q.from), {
    message: '`to` must be after `from`',
    path: ['to'],
  })
  .meta({ id: 'HealthQuery' });
export type HealthQuery = z.infer<typeof HealthQuerySchema>;

export const HealthSeriesSchema = z
  .object({
    deviceId: z.string().uuid(),
    from: z.string(),
    to: z.string(),
    /** Oldest first; at most one per device per DEVICE_HEALTH_INTERVAL_SEC. */
    points: z.array(HealthPointSchema),
    /** More points lay in the window than `limit`: the oldest were left out. */
    truncated: z.boolean(),
  })
  .meta({ id: 'HealthSeries' });
export type HealthSeries = z.infer<typeof HealthSeriesSchema>;

export const AttentionReasonSchema = z.enum(['storage', 'battery', 'not_seen']);
export type AttentionReason = z.infer<typeof AttentionReasonSchema>;

export const AttentionQuerySchema = z
  .object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(ATTENTION_MAX_DEVICES)
      .default(100)
      .describe(`devices at most, 1 to ${ATTENTION_MAX_DEVICES}`),
  })
  .meta({ id: 'AttentionQuery' });

export const AttentionDeviceSchema = z
  .object({
    deviceId: z.string().uuid(),
    name: z.string(),
    groupId: z.string().uuid(),
    reasons: z.array(AttentionReasonSchema).min(1),
    lastSeenAt: z.string().nullable(),
    /** Share of the storage quota used (0..1), from its latest health; null when unknown. */
    storageShare: z.number().nullable(),
    batteryLevel: z.number().nullable(),
    charging: z.boolean().nullable(),
  })
  .meta({ id: 'AttentionDevice' });
export type AttentionDevice = z.infer<typeof AttentionDeviceSchema>;

export const AttentionSchema = z
  .object({
    /** Non-revoked devices needing attention, by name; at most `limit`. */
    devices: z.array(AttentionDeviceSchema),
    /** How many devices need attention in all. */
    total: z.number().int(),
    thresholds: z.object({ storageShare: z.number(), batteryLevel: z.number(), notSeenMs: z.number() }),
  })
  .meta({ id: 'Attention' });
export type Attention = z.infer<typeof AttentionSchema>;
