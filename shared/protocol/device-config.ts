import { z } from 'zod';
import { checkDetectorParams, DriftConfigSchema } from '../drift/config.ts';

/**
 * Remote configuration of devices (README "Remote configuration"): what an operator sets for a
 * device group or one device, what the server writes into each device document's `desired.config`,
 * and what the device applies. Every key is optional (absent = the device's own default) and every
 * object is strict, so a typo is a 400 rather than a setting silently ignored. A device's config
 * overrides its group's key by key (objects merge, everything else replaces: mergeConfigs).
 */

/** The logger's SamplingPolicy (edge-app/src/lcm/logger/sampling.ts). */
export const SamplingConfigSchema = z
  .object({
    everyNth: z.number().int().min(0).max(1_000_000).optional().describe('keep one inference in N (1 = all, 0 = off)'),
    confidenceBelow: z.number().min(0).max(1).optional().describe('also keep inferences with confidence below this'),
    aroundDrift: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .optional()
      .describe('also keep the K inferences before and after each drift'),
    errors: z.boolean().optional().describe('also keep failed inferences'),
  })
  .strict();

/** The logger's RetentionPolicy (edge-app/src/lcm/logger/log-store.ts): only acknowledged records are deleted. */
export const RetentionConfigSchema = z
  .object({
    maxRecords: z.number().int().min(1).max(100_000_000).optional(),
    maxBytes: z.number().int().min(1).max(1e12).optional(),
    maxAgeMs: z
      .number()
      .int()
      .min(1)
      .max(10 * 365 * 86_400_000)
      .optional(),
  })
  .strict();

const RateAlert = { rate: z.number().min(0).max(1), window: z.number().int().min(1).max(100_000).optional() };

/** The monitor's AlertThresholds (edge-app/src/lcm/monitor/alerts.ts). */
export const AlertsConfigSchema = z
  .object({
    p95LatencyMs: z.number().positive().max(3_600_000).optional(),
    lowConfidence: z
      .object({ below: z.number().min(0).max(1), ...RateAlert })
      .strict()
      .optional(),
    errorRate: z.object(RateAlert).strict().optional(),
    hysteresis: z.number().min(0).lt(1).optional(),
    minSamples: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();

/**
 * The drift configuration (shared/drift/config.ts) as written — kept without the defaults filled
 * in, so a device override changes only what it names — and, with `checkParams`, checked by
 * building each detector (a device's own config is checked that way only merged with its group's:
 * `{features: {params: {threshold: 80}}}` is valid on top of a group that chose page-hinkley).
 */
const detectorsConfig = (checkParams: boolean) =>
  z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    const parsed = DriftConfigSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path as PropertyKey[] });
      return;
    }
    const bad = checkParams ? checkDetectorParams(parsed.data) : null;
    if (bad) ctx.addIssue({ code: 'custom', message: bad.message, path: bad.path });
  });

/** Bytes of a config as JSON; documents are kept small (STACK: large Automerge documents are slow). */
export const MAX_DEVICE_CONFIG_BYTES = 16 * 1024;
export const DEFAULT_FALSE_ALARM_THRESHOLD_FACTOR = 1;

const configSchema = (checkParams: boolean) =>
  z
    .object({
      syncIntervalSec: z.number().int().min(10).max(86_400).optional(),
      sampling: SamplingConfigSchema.optional(),
      retention: RetentionConfigSchema.optional(),
      detectors: detectorsConfig(checkParams).optional(),
      alerts: AlertsConfigSchema.optional(),
      falseAlarmThresholdFactor: z
        .number()
        .min(1)
        .max(100)
        .optional()
        .describe(
          'on a false alarm the device multiplies that detector’s threshold by this (1, the default, only resets it)',
        ),
    })
    .strict()
    .superRefine((value, ctx) => {
      const bytes = JSON.stringify(value).length;
      if (bytes > MAX_DEVICE_CONFIG_BYTES)
        ctx.addIssue({
          code: 'custom',
          message: `the config is ${bytes} bytes as JSON; at most ${MAX_DEVICE_CONFIG_BYTES}`,
        });
    });

/** A complete config: a group's, or the effective one a device gets. */
export const DeviceConfigSchema = configSchema(true).meta({ id: 'DeviceConfig' });
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;
/** A device's own config: every key checked, detector parameters only once merged with its group's (ConfigService). */
export const DeviceOverrideSchema = configSchema(false).meta({ id: 'DeviceConfigOverride' });

// Answers are read with the structural schema: a device's own config is valid only merged, and a
// client need not build detectors to read one.
export const StoredConfigSchema = z
  .object({
    config: DeviceOverrideSchema,
    /** Grows by one with each PUT that changes the config; 0 before the first. */
    version: z.number().int().min(0),
    updatedBy: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'StoredDeviceConfig' });
export type StoredConfig = z.infer<typeof StoredConfigSchema>;

/** A device's answer: its own config, its group's, and what the device gets (merged; version = group + device). */
export const DeviceConfigAnswerSchema = StoredConfigSchema.extend({
  group: StoredConfigSchema.extend({ groupId: z.string().uuid() }),
  effective: z.object({ config: DeviceOverrideSchema, configVersion: z.number().int().min(0) }),
}).meta({ id: 'DeviceConfigAnswer' });
export type DeviceConfigAnswer = z.infer<typeof DeviceConfigAnswerSchema>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `over` on top of `base`: objects merge key by key, at any depth; anything else in `over` replaces. */
export function mergeConfigs<T extends object>(base: T, over: T): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isObject(v) && isObject(out[k]) ? mergeConfigs(out[k] as object, v) : v;
  }
  return out as T;
}
