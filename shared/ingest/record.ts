import { z } from 'zod';

/** Records one batch may hold by default (the server's MAX_BATCH_RECORDS; the device packs at most this many). */
export const DEFAULT_MAX_BATCH_RECORDS = 10_000;
/**
 * Bytes one line of records.jsonl may take by default (the server's MAX_RECORD_BYTES): a record of
 * an image model with 1 000 class probabilities and 784 inputs is ~40 KB.
 */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024;

/** Record times PostgreSQL's timestamptz and every ISO 8601 writer handle: 1970 to the end of 9999 (epoch ms). */
export const MIN_RECORD_TS = 0;
export const MAX_RECORD_TS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** model_version, drift: integer columns (migration 005). */
const INT32_MAX = 2 ** 31 - 1;
/** Latency and confidence are summed per hour in float8 columns: bounded far below an overflow. */
const MAX_MAGNITUDE = 1e12;

/** A NUL (PostgreSQL text refuses it) or a UTF-16 surrogate without its partner (not encodable as UTF-8). */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const isStorableText = (s: string): boolean => !UNSTORABLE.test(s);

const text = (min: number, max: number) =>
  z.string().min(min).max(max).refine(isStorableText, 'must not hold a NUL character or a lone UTF-16 surrogate');

/**
 * What the server needs of an inference record (edge-app's InferenceRecord is wider; the rest
 * travels in the package untouched). Validated on ingest so one bad line rejects the whole batch
 * instead of storing half of it; the ranges are those of the columns the values land in.
 */
export const IngestRecordSchema = z.looseObject({
  id: text(1, 200),
  ts: z.number().min(MIN_RECORD_TS).max(MAX_RECORD_TS),
  model: z.looseObject({ name: text(1, 200), version: z.number().int().min(0).max(INT32_MAX) }),
  output: z.looseObject({
    classIndex: z.number().int().min(-INT32_MAX).max(INT32_MAX).optional(),
    label: text(0, 200).optional(),
  }),
  latencyMs: z.number().min(0).max(MAX_MAGNITUDE),
  confidence: z.number().min(-MAX_MAGNITUDE).max(MAX_MAGNITUDE).optional(),
  drift: z.number().int().min(0).max(INT32_MAX),
});
export type IngestRecord = z.infer<typeof IngestRecordSchema>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown, min: number, max: number): v is string =>
  typeof v === 'string' && v.length >= min && v.length <= max && isStorableText(v);
const isIn = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && v >= min && v <= max;
const isInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && isIn(v, min, max);

/**
 * The quick check ingest runs first: true only for what IngestRecordSchema accepts as it is (a
 * strict subset — anything doubtful goes to the schema). Kept next to the schema: change both.
 */
export function isPlainRecord(r: unknown): r is IngestRecord {
  if (!isObject(r) || !isObject(r.model) || !isObject(r.output)) return false;
  const { model, output } = r;
  return (
    isText(r.id, 1, 200) &&
    isIn(r.ts, MIN_RECORD_TS, MAX_RECORD_TS) &&
    isText(model.name, 1, 200) &&
    isInt(model.version, 0, INT32_MAX) &&
    (output.classIndex === undefined || isInt(output.classIndex, -INT32_MAX, INT32_MAX)) &&
    (output.label === undefined || isText(output.label, 0, 200)) &&
    isIn(r.latencyMs, 0, MAX_MAGNITUDE) &&
    (r.confidence === undefined || isIn(r.confidence, -MAX_MAGNITUDE, MAX_MAGNITUDE)) &&
    isInt(r.drift, 0, INT32_MAX)
  );
}

/** Batch ids become blob keys, so they are kept to a safe alphabet (UUIDs fit). */
export const BatchIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64');
