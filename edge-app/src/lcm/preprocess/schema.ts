/**
 * The preprocessing a model version may declare in its registry metadata (`metadata.preprocessing`,
 * an open record on the server). The device accepts two kinds:
 *
 *   { "kind": "tabular", "features": ["precipitation", "temp_max", …],   // the model's column order
 *     "scale": { "mean": [...], "std": [...] } | { "min": [...], "max": [...] },   // optional, per feature
 *     "input": "features" }                                              // optional: which ONNX input
 *
 *   { "kind": "image", "width": 224, "height": 224, "channelOrder": "RGB" | "BGR",
 *     "layout": "NCHW" | "NHWC", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
 *     "scale": 255, "input": "pixel_values" }
 *   image value = (pixel / scale − mean[c]) / std[c]; defaults RGB, NCHW, mean 0, std 1, scale 255.
 *
 * Metadata without `kind` (the demo model's `{ inGraph: true, … }`, whose graph standardises its
 * own input) gets a tabular spec from `metadata.features` with no scaling: feature order only.
 */
import { z } from 'zod';
import type { VersionMetadata } from '../../../../shared/protocol/registry.ts';

const numbers = z.array(z.number().finite());
const rgb = z.tuple([z.number().finite(), z.number().finite(), z.number().finite()]);

export const TabularPreprocessingSchema = z
  .object({
    kind: z.literal('tabular'),
    input: z.string().optional(),
    features: z.array(z.string().min(1)).min(1),
    scale: z.union([z.object({ mean: numbers, std: numbers }), z.object({ min: numbers, max: numbers })]).optional(),
    /** The graph does its own scaling; kept so the flag survives a round trip. */
    inGraph: z.boolean().optional(),
  })
  .passthrough()
  .superRefine((p, ctx) => {
    if (!p.scale) return;
    const n = p.features.length;
    for (const [key, values] of Object.entries(p.scale) as [string, number[]][]) {
      if (values.length !== n)
        ctx.addIssue({
          code: 'custom',
          path: ['scale', key],
          message: `needs one value per feature (${n}), got ${values.length}`,
        });
    }
    const scale = p.scale;
    if ('std' in scale && scale.std.some((s) => s <= 0))
      ctx.addIssue({ code: 'custom', path: ['scale', 'std'], message: 'every std must be > 0' });
    if ('max' in scale && scale.max.some((m, i) => !(m > scale.min[i]!)))
      ctx.addIssue({ code: 'custom', path: ['scale', 'max'], message: 'every max must be > its min' });
  });

export const ImagePreprocessingSchema = z
  .object({
    kind: z.literal('image'),
    input: z.string().optional(),
    width: z.number().int().min(1).max(8192),
    height: z.number().int().min(1).max(8192),
    channelOrder: z.enum(['RGB', 'BGR']).default('RGB'),
    layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
    mean: rgb.default([0, 0, 0]),
    std: rgb.refine((s) => s.every((v) => v > 0), 'every std must be > 0').default([1, 1, 1]),
    scale: z.number().positive().default(255),
  })
  .passthrough();

export const PreprocessingSchema = z.discriminatedUnion('kind', [TabularPreprocessingSchema, ImagePreprocessingSchema]);

export type TabularPreprocessing = z.infer<typeof TabularPreprocessingSchema>;
export type ImagePreprocessing = z.infer<typeof ImagePreprocessingSchema>;
export type Preprocessing = z.infer<typeof PreprocessingSchema>;

export class PreprocessError extends Error {
  override name = 'PreprocessError';
}

/** The preprocessing to apply for a model version, or null when its metadata declares none. */
export function resolvePreprocessing(
  metadata: Pick<VersionMetadata, 'preprocessing' | 'features'>,
): Preprocessing | null {
  const declared = metadata.preprocessing;
  if (declared && 'kind' in declared) {
    const parsed = PreprocessingSchema.safeParse(declared);
    if (!parsed.success)
      throw new PreprocessError(`invalid preprocessing in the model's metadata: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  }
  if (metadata.features?.length) {
    return { kind: 'tabular', features: metadata.features, ...(declared?.inGraph === true ? { inGraph: true } : {}) };
  }
  return null;
}
