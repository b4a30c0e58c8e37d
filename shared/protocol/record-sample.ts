import { z } from 'zod';
import { ModelVersionKeySchema } from './fleet.ts';

/**
 * A sample of the stored records of one model version in a time window, with their inputs: what
 * the console's drift report compares feature by feature between two windows.
 */
export const RecordSampleQuerySchema = z
  .object({
    modelVersion: ModelVersionKeySchema,
    from: z.iso.datetime({ offset: true }).optional().describe('ISO 8601; default: `to` minus 24 h'),
    to: z.iso.datetime({ offset: true }).optional().describe('ISO 8601, exclusive; default: now'),
    groupId: z.uuid().optional(),
    deviceId: z.uuid().optional(),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(2000)
      .describe('Records at most; the same window always gives the same sample'),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) > Date.parse(q.from), {
    message: '`to` must be after `from`',
    path: ['to'],
  })
  .meta({ id: 'RecordSampleQuery' });
export type RecordSampleQuery = z.infer<typeof RecordSampleQuerySchema>;

export const RecordSampleSchema = z
  .object({
    modelVersion: z.string(),
    from: z.string(),
    to: z.string(),
    /** Records in the window that carried their inputs; `features.length` of them are in the sample. */
    total: z.number().int(),
    /** The model's input names from the registry (its metadata `features`), or null when it does not name them. */
    featureNames: z.array(z.string()).nullable(),
    /** One row per sampled record: its inputs, and its predicted label at the same index of `labels`. */
    features: z.array(z.array(z.number())),
    labels: z.array(z.string().nullable()),
  })
  .meta({ id: 'RecordSample' });
export type RecordSample = z.infer<typeof RecordSampleSchema>;
