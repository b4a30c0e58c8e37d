import { z } from 'zod';
import { DeviceConfigSchema } from '../protocol/device-config.ts';
import { DeviceHealthSchema } from './health.ts';

/**
 * Document schemas (DESIGN §4). One Automerge document per device and one per device group.
 * Who writes what: the server writes `desired`, the device writes `reported` and appends events,
 * the console writes acknowledgements and labels on events. The zod schemas validate what a device
 * reports before it goes into a document, so a bad report fails at the edge, not in a merge.
 */

/** Registry versions are int4 columns (model_versions.version, device_states.reported_version). */
export const MAX_MODEL_VERSION = 2 ** 31 - 1;

export const ModelRefSchema = z.object({
  name: z.string().min(1).max(200),
  /** A registry version as a decimal string: 1 … 2^31-1, so it fits the int columns it is read into. */
  version: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'must be a registry version: a whole number from 1')
    .refine((v) => Number(v) <= MAX_MODEL_VERSION, `must be at most ${MAX_MODEL_VERSION}`),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ModelRef = z.infer<typeof ModelRefSchema>;

export const DesiredSchema = z.object({
  model: ModelRefSchema.optional(),
  /** The deployment that chose `model` (server-written; the console links to it). */
  deploymentId: z.string().uuid().optional(),
  detectors: z.unknown().optional(),
  syncIntervalSec: z.number().int().positive(),
  retention: z
    .object({ maxBatches: z.number().int().positive().optional(), maxAgeDays: z.number().positive().optional() })
    .optional(),
  sampling: z
    .object({ rate: z.number().min(0).max(1).optional(), driftSamples: z.number().int().min(0).optional() })
    .optional(),
  /** Remote configuration (shared/protocol/device-config.ts): the group's merged with the device's own. */
  config: DeviceConfigSchema.optional(),
  /** Group config version + device config version: grows with every change that reaches this device. */
  configVersion: z.number().int().min(0).optional(),
});
export type Desired = z.infer<typeof DesiredSchema>;

/**
 * What rollout gates read: the device's monitor over the running model since it was activated.
 * `model` says which version the numbers are about, so a report from before a switch never trips
 * the gates of the new version.
 */
export const ReportedMetricsSchema = z.object({
  model: ModelRefSchema.optional(),
  inferences: z.number().int().min(0),
  errors: z.number().int().min(0),
  p95Ms: z.number().min(0).nullable(),
  /** Records on this version with a drift (alarm) bit in their flags (shared/drift/flags.ts isAlarm). */
  driftAlarms: z.number().int().min(0),
  /** Records on this version with a warning bit (isWarning); absent from devices that predate it. */
  driftWarnings: z.number().int().min(0).optional(),
  meanConfidence: z.number().min(0).max(1).nullable().optional(),
});
export type ReportedMetrics = z.infer<typeof ReportedMetricsSchema>;

export const ReportedSchema = z.object({
  appVersion: z.string().max(100).optional(),
  model: ModelRefSchema.optional(),
  /** e.g. 'running', 'downloading', 'error: …' — free text for people. */
  status: z.string().max(200).optional(),
  counters: z.record(z.string(), z.number()).optional(),
  metrics: ReportedMetricsSchema.optional(),
  /** The `desired.configVersion` the device last applied; `configError` says why a newer one was refused. */
  configVersion: z.number().int().min(0).optional(),
  configError: z.string().max(500).optional(),
  /** Storage, heap, battery, network, CPU pressure, uptime (health.ts); refreshed each exchange. */
  health: DeviceHealthSchema.optional(),
  updatedAt: z.string().optional(),
});
export type Reported = z.infer<typeof ReportedSchema>;

export const DriftEventSchema = z.object({
  id: z.string().min(1).max(100),
  ts: z.string().max(40),
  kind: z.string().min(1).max(100),
  detector: z.string().max(100).optional(),
  feature: z.string().max(200).optional(),
  statistic: z.number(),
  acknowledged: z.object({ by: z.string().max(200), at: z.string().max(40) }).optional(),
  label: z.string().max(200).optional(),
  /** Console-written: a person judged the alarm false; the device resets that detector. */
  falseAlarm: z.object({ by: z.string().max(200), at: z.string().max(40) }).optional(),
});
export type DriftEvent = z.infer<typeof DriftEventSchema>;
/** What a device reports; acknowledgements, labels and false alarms are the console's to write. */
export const NewDriftEventSchema = DriftEventSchema.omit({ acknowledged: true, label: true, falseAlarm: true });
export type NewDriftEvent = z.infer<typeof NewDriftEventSchema>;

/** An event's state as people see it: a false alarm outranks an acknowledgement. */
export const DriftEventStatusSchema = z.enum(['open', 'acknowledged', 'false_alarm']);
export type DriftEventStatus = z.infer<typeof DriftEventStatusSchema>;
export const driftEventStatus = (e: Pick<DriftEvent, 'acknowledged' | 'falseAlarm'>): DriftEventStatus =>
  e.falseAlarm ? 'false_alarm' : e.acknowledged ? 'acknowledged' : 'open';

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Older events folded away by compaction (device-written): how many, by kind. */
export const EventSummarySchema = z.object({ count, byKind: z.record(z.string().max(100), count) }).strict();
export type EventSummary = z.infer<typeof EventSummarySchema>;

export interface DeviceDoc {
  deviceId: string;
  desired: Desired;
  reported: Reported;
  events: DriftEvent[];
  eventSummary: EventSummary;
}

export const GroupSettingsSchema = z.object({
  syncIntervalSec: z.number().int().positive().optional(),
  detectors: z.unknown().optional(),
  sampling: DesiredSchema.shape.sampling,
  retention: DesiredSchema.shape.retention,
});
export type GroupSettings = z.infer<typeof GroupSettingsSchema>;

export interface GroupDoc {
  groupId: string;
  settings: GroupSettings;
}

/** Document ids: `device:<uuid>` and `group:<uuid>`; the prefix says which schema it follows. */
export const DocIdSchema = z
  .string()
  .regex(
    /^(device|group):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    'must be device:<uuid> or group:<uuid>',
  );
export const deviceDocId = (deviceId: string) => `device:${deviceId}`;
export const groupDocId = (groupId: string) => `group:${groupId}`;
export function parseDocId(docId: string): { kind: 'device' | 'group'; id: string } {
  const i = docId.indexOf(':');
  const kind = docId.slice(0, i);
  if (kind !== 'device' && kind !== 'group') throw new Error(`not a document id: ${docId}`);
  return { kind, id: docId.slice(i + 1) };
}

export const DEFAULT_SYNC_INTERVAL_SEC = 3600;
