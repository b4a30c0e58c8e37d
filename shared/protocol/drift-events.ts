import { z } from 'zod';
import { DriftEventStatusSchema } from '../documents/schema.ts';

/** GET /api/v1/drift-events and the actions on one event (README "Drift events"). */

export const DRIFT_EVENTS_MAX_PAGE = 500;
export const DRIFT_EVENTS_DEFAULT_PAGE = 100;

export const DriftEventRecordSchema = z.object({
  /** The device's own event id (unique per device). */
  id: z.string(),
  deviceId: z.string().uuid(),
  ts: z.string(),
  kind: z.string(),
  /** The input feature, null when the event is not a feature detector's. */
  feature: z.string().nullable(),
  detector: z.string().nullable(),
  statistic: z.number(),
  status: DriftEventStatusSchema,
  label: z.string().optional(),
  /** `NAME@VERSION` the device reported running when the event arrived. */
  model: z.string().optional(),
  acknowledged: z.object({ by: z.string(), at: z.string() }).optional(),
  falseAlarm: z.object({ by: z.string(), at: z.string() }).optional(),
});
export type DriftEventRecord = z.infer<typeof DriftEventRecordSchema>;

export const DriftEventPageSchema = z.object({
  events: z.array(DriftEventRecordSchema),
  /** Pass as `pageToken` for the next (older) page; null on the last page. */
  nextPageToken: z.string().nullable(),
});
export type DriftEventPage = z.infer<typeof DriftEventPageSchema>;

const isoTime = (name: string) =>
  z.iso.datetime({ offset: true, message: `${name} must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z` });

export const DriftEventQuerySchema = z
  .object({
    model: z
      .string()
      .regex(/^.+@[1-9]\d*$/, 'model must be NAME@VERSION, e.g. seattle-weather@3')
      .transform((s) => {
        const at = s.lastIndexOf('@');
        return { name: s.slice(0, at), version: s.slice(at + 1) };
      })
      .optional(),
    groupId: z.string().uuid('groupId must be a UUID').optional(),
    deviceId: z.string().uuid('deviceId must be a UUID').optional(),
    feature: z.string().min(1).max(200).optional(),
    status: DriftEventStatusSchema.optional(),
    from: isoTime('from').optional(),
    to: isoTime('to').optional(),
    pageSize: z
      .string()
      .regex(/^\d+$/, 'pageSize must be a whole number')
      .transform(Number)
      .refine((n) => n >= 1 && n <= DRIFT_EVENTS_MAX_PAGE, `pageSize must be 1 to ${DRIFT_EVENTS_MAX_PAGE}`)
      .optional(),
    pageToken: z.string().max(1000).optional(),
  })
  .strict();
export type DriftEventQuery = z.output<typeof DriftEventQuerySchema>;

export const DriftEventLabelSchema = z
  .object({ label: z.string().trim().min(1, 'label must not be empty').max(200) })
  .strict();
