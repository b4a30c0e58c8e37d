import { z } from 'zod';
import { ModelVersionKeySchema } from './fleet.ts';

/**
 * The distribution devices see for one input feature, counted in the caller's bins (the reference
 * profile's edges), so the console draws reference and current side by side.
 */
export const FeatureHistogramQuerySchema = z
  .object({
    modelVersion: ModelVersionKeySchema,
    /** Position of the feature in the model's input. */
    feature: z.coerce.number().int().min(0).max(63),
    /** Inner bin edges, ascending, comma-separated: n edges make n+1 bins (below the first, …, from the last up). */
    edges: z
      .string()
      .max(4000)
      .transform((s) => s.split(',').map(Number))
      .refine(
        (e) =>
          e.length >= 1 && e.length <= 200 && e.every(Number.isFinite) && e.every((x, i) => i === 0 || x > e[i - 1]!),
        'ascending finite numbers, 1 to 200',
      ),
    from: z.iso.datetime().optional(),
    to: z.iso.datetime().optional(),
    groupId: z.uuid().optional(),
    deviceId: z.uuid().optional(),
  })
  .meta({ id: 'FeatureHistogramQuery' });
export type FeatureHistogramQuery = z.infer<typeof FeatureHistogramQuerySchema>;

export const FeatureHistogramSchema = z
  .object({
    modelVersion: z.string(),
    feature: z.number().int(),
    edges: z.array(z.number()),
    /** counts[i]: values below edges[0] for i = 0, in [edges[i-1], edges[i]) between, from the last edge up for i = n. */
    counts: z.array(z.number().int()),
    /** Records in the window that carried this feature. */
    total: z.number().int(),
    from: z.string(),
    to: z.string(),
  })
  .meta({ id: 'FeatureHistogram' });
export type FeatureHistogram = z.infer<typeof FeatureHistogramSchema>;
