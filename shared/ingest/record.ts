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

/** Batch ids become blob keys, so they are kept to a safe alphabet (UUIDs fit). */
export const BatchIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64');
