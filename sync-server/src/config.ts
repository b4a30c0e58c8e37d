import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_DOC_LIMITS, type DocLimits } from '../../shared/documents/change-limits.ts';
import { DEFAULT_MAX_BATCH_RECORDS, DEFAULT_MAX_RECORD_BYTES } from '../../shared/ingest/record.ts';

/** A configuration problem is reported as one line naming the variable, then the process exits. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const port = z
  .string()
  .regex(/^\d+$/, 'must be a whole number from 0 to 65535')
  .transform(Number)
  .refine((n) => n <= 65535, 'must be a whole number from 0 to 65535');

const url = (protocols: string[]) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

const bytes = z.string().regex(/^\d+$/, 'must be a whole number of bytes').transform(Number);

const whole = (unit: string) => z.string().regex(/^\d+$/, `must be a whole number of ${unit}`).transform(Number);

/** Every variable TinySphere reads; README's table is written from this list. */
const EnvSchema = z.object({
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  S3_ENDPOINT: url(['http:', 'https:']).optional(),
  S3_ACCESS_KEY: z.string().min(1).optional(),
  S3_SECRET_KEY: z.string().min(1).optional(),
  S3_BUCKET: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)',
    )
    .default('tinysphere'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Sent by the scraper as a bearer token, so it must fit in a header: visible ASCII, no spaces.
  METRICS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{16,}$/, 'must be at least 16 visible ASCII characters (no spaces)')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_SIZE: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number')
    .transform(Number)
    .default(10),
  MAX_UPLOAD_BYTES: bytes.default(512 * 1024 * 1024),
  // A log batch's records and the bytes of one (shared/ingest/record.ts has the defaults devices pack to).
  MAX_BATCH_RECORDS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number')
    .transform(Number)
    .default(DEFAULT_MAX_BATCH_RECORDS),
  MAX_RECORD_BYTES: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number of bytes')
    .transform(Number)
    .default(DEFAULT_MAX_RECORD_BYTES),
  DEMO: z.enum(['0', '1'], { message: 'must be 0 or 1' }).default('1'),
  SHUTDOWN_TIMEOUT_MS: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of milliseconds')
    .transform(Number)
    .default(10_000),
  // Load shedding of the heavy device routes (batch upload, document sync, model download);
  // defaults measured on 2 cores. Keep LOAD_SHED_CONCURRENCY below DB_POOL_SIZE.
  LOAD_SHED_CONCURRENCY: whole('requests (0 turns shedding off)').default(8),
  LOAD_SHED_QUEUE: whole('requests').default(1024),
  LOAD_SHED_QUEUE_MS: whole('milliseconds').default(2_000),
  // Read-time bounds, so a client sending slowly cannot hold a socket or a heavy slot for long.
  HEADERS_TIMEOUT_MS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number of milliseconds')
    .transform(Number)
    .default(10_000),
  REQUEST_TIMEOUT_MS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number of milliseconds')
    .transform(Number)
    .default(300_000),
  BODY_READ_TIMEOUT_MS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number of milliseconds')
    .transform(Number)
    .default(60_000),
  // What one document sync may write (shared/documents/change-limits.ts); refused beyond with 413.
  MAX_DOC_CHANGE_BYTES: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number of bytes')
    .transform(Number)
    .default(DEFAULT_DOC_LIMITS.maxChangeBytes),
  MAX_DOC_CHANGE_OPS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number of operations')
    .transform(Number)
    .default(DEFAULT_DOC_LIMITS.maxChangeOps),
  MAX_DOC_SYNC_OPS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number of operations')
    .transform(Number)
    .default(DEFAULT_DOC_LIMITS.maxSyncOps),
  MAX_DOC_STRING_LENGTH: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number of characters')
    .transform(Number)
    .default(DEFAULT_DOC_LIMITS.maxStringLength),
  MAX_DOC_BYTES: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number of bytes')
    .transform(Number)
    .default(DEFAULT_DOC_LIMITS.maxDocBytes),
  // Worker threads applying synced documents' changes off the event loop.
  DOC_WORKERS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number')
    .transform(Number)
    .default(2),
  // Device health series (services/device-health): rows kept this many days, at most one per device per interval.
  DEVICE_HEALTH_RETENTION_DAYS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number of days')
    .transform(Number)
    .default(30),
  DEVICE_HEALTH_INTERVAL_SEC: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number of seconds')
    .transform(Number)
    .default(60),
  // New drift events POSTed to this URL, signed with the secret (services/drift-events/webhook.ts).
  DRIFT_WEBHOOK_URL: url(['http:', 'https:']).optional(),
  DRIFT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  DRIFT_WEBHOOK_MAX_ATTEMPTS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number')
    .transform(Number)
    .default(8),
  DRIFT_WEBHOOK_TIMEOUT_MS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number of milliseconds')
    .transform(Number)
    .default(10_000),
  DRIFT_WEBHOOK_BACKOFF_MS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a positive whole number of milliseconds')
    .transform(Number)
    .default(1_000),
});

export interface S3Config {
  endpoint: URL;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  s3: S3Config | undefined;
  adminToken: string | undefined;
  /** When set, GET /metrics needs `Authorization: Bearer <metricsToken>`; undefined: /metrics is public. */
  metricsToken: string | undefined;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  dbPoolSize: number;
  maxUploadBytes: number;
  /** Records a log batch may hold, and bytes per record (one records.jsonl line); beyond either, 413. */
  ingest: { maxRecords: number; maxRecordBytes: number };
  shutdownTimeoutMs: number;
  /** Bounds on the heavy device routes' concurrent work (http/load-shedding.ts). */
  loadShedding: { concurrency: number; queue: number; queueMs: number };
  /** Node's headersTimeout and requestTimeout (every request), and the heavy routes' body-read deadline (408). */
  timeouts: { headersMs: number; requestMs: number; bodyReadMs: number };
  /** Register the demo model on the first start of an empty registry. */
  demo: boolean;
  /** Bounds on a document sync's changes and the document they make, and the worker threads applying them. */
  documents: { limits: DocLimits; workers: number };
  /** The device health series: days kept, and the interval that holds at most one row per device. */
  deviceHealth: { retentionDays: number; intervalSec: number };
  /** Where new drift events are POSTed; undefined: no webhook. */
  driftWebhook: { url: string; secret: string; maxAttempts: number; timeoutMs: number; backoffMs: number } | undefined;
}

export const ENV_VARIABLES = Object.keys(EnvSchema.shape);

/** Parses the environment; throws ConfigError for the first bad variable. Empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of ENV_VARIABLES) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = EnvSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, `${issue.message} (got ${JSON.stringify(input[variable] ?? '')})`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    s3: s3Config(e),
    adminToken: e.ADMIN_TOKEN,
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
    dbPoolSize: e.DB_POOL_SIZE,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    ingest: { maxRecords: e.MAX_BATCH_RECORDS, maxRecordBytes: e.MAX_RECORD_BYTES },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    loadShedding: { concurrency: e.LOAD_SHED_CONCURRENCY, queue: e.LOAD_SHED_QUEUE, queueMs: e.LOAD_SHED_QUEUE_MS },
    timeouts: timeoutsConfig(e),
    demo: e.DEMO === '1',
    documents: {
      limits: {
        maxChangeBytes: e.MAX_DOC_CHANGE_BYTES,
        maxChangeOps: e.MAX_DOC_CHANGE_OPS,
        maxSyncOps: e.MAX_DOC_SYNC_OPS,
        maxStringLength: e.MAX_DOC_STRING_LENGTH,
        maxDocBytes: e.MAX_DOC_BYTES,
      },
      workers: e.DOC_WORKERS,
    },
    deviceHealth: { retentionDays: e.DEVICE_HEALTH_RETENTION_DAYS, intervalSec: e.DEVICE_HEALTH_INTERVAL_SEC },
    driftWebhook: driftWebhookConfig(e),
  };
}

function timeoutsConfig(e: z.infer<typeof EnvSchema>): Config['timeouts'] {
  // Node refuses a headers timeout longer than the whole request's.
  if (e.HEADERS_TIMEOUT_MS > e.REQUEST_TIMEOUT_MS)
    throw new ConfigError('HEADERS_TIMEOUT_MS', `must not exceed REQUEST_TIMEOUT_MS (${e.REQUEST_TIMEOUT_MS})`);
  return { headersMs: e.HEADERS_TIMEOUT_MS, requestMs: e.REQUEST_TIMEOUT_MS, bodyReadMs: e.BODY_READ_TIMEOUT_MS };
}

function driftWebhookConfig(e: z.infer<typeof EnvSchema>): Config['driftWebhook'] {
  if (!e.DRIFT_WEBHOOK_URL) {
    if (e.DRIFT_WEBHOOK_SECRET)
      throw new ConfigError('DRIFT_WEBHOOK_URL', 'must be set when DRIFT_WEBHOOK_SECRET is set');
    return undefined;
  }
  // Unsigned deliveries would let anyone who finds the receiver forge drift alarms.
  if (!e.DRIFT_WEBHOOK_SECRET)
    throw new ConfigError('DRIFT_WEBHOOK_SECRET', 'must be set when DRIFT_WEBHOOK_URL is set');
  return {
    url: e.DRIFT_WEBHOOK_URL,
    secret: e.DRIFT_WEBHOOK_SECRET,
    maxAttempts: e.DRIFT_WEBHOOK_MAX_ATTEMPTS,
    timeoutMs: e.DRIFT_WEBHOOK_TIMEOUT_MS,
    backoffMs: e.DRIFT_WEBHOOK_BACKOFF_MS,
  };
}

function s3Config(e: z.infer<typeof EnvSchema>): S3Config | undefined {
  if (!e.S3_ENDPOINT) {
    for (const key of ['S3_ACCESS_KEY', 'S3_SECRET_KEY'] as const) {
      if (e[key]) throw new ConfigError('S3_ENDPOINT', `must be set when ${key} is set`);
    }
    return undefined;
  }
  if (!e.S3_ACCESS_KEY) throw new ConfigError('S3_ACCESS_KEY', 'must be set when S3_ENDPOINT is set');
  if (!e.S3_SECRET_KEY) throw new ConfigError('S3_SECRET_KEY', 'must be set when S3_ENDPOINT is set');
  return {
    endpoint: new URL(e.S3_ENDPOINT),
    accessKey: e.S3_ACCESS_KEY,
    secretKey: e.S3_SECRET_KEY,
    bucket: e.S3_BUCKET,
    region: e.S3_REGION,
  };
}
