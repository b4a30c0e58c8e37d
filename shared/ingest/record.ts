import { z } from 'zod';

/**
 * What the server needs of an inference record (edge-app's InferenceRecord is wider; the rest
 * travels in the package untouched). Validated on ingest so one bad line rejects the whole batch
 * instead of storing half of it.
 */
export const IngestRecordSchema = z.looseObject({
  id: z.string().min(1).max(200),
  ts: z.number().finite(),
  model: z.looseObject({ name: z.string().min(1).max(200), version: z.number().int() }),
  output: z.looseObject({ classIndex: z.number().int().optional(), label: z.string().max(200).optional() }),
  latencyMs: z.number().finite(),
  confidence: z.number().finite().optional(),
  drift: z.number().int(),
});
export type IngestRecord = z.infer<typeof IngestRecordSchema>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max;
const isFinite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The quick check ingest runs first: true only for what IngestRecordSchema accepts as it is (a
 * strict subset — anything doubtful goes to the schema). Kept next to the schema: change both.
 */
export function isPlainRecord(r: unknown): r is IngestRecord {
  if (!isObject(r) || !isObject(r.model) || !isObject(r.output)) return false;
  const { model, output } = r;
  return (
    isText(r.id, 1, 200) &&
    isFinite(r.ts) &&
    isText(model.name, 1, 200) &&
    Number.isSafeInteger(model.version) &&
    (output.classIndex === undefined || Number.isSafeInteger(output.classIndex)) &&
    (output.label === undefined || isText(output.label, 0, 200)) &&
    isFinite(r.latencyMs) &&
    (r.confidence === undefined || isFinite(r.confidence)) &&
    Number.isSafeInteger(r.drift)
  );
}

/** Batch ids become blob keys, so they are kept to a safe alphabet (UUIDs fit). */
export const BatchIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64');
