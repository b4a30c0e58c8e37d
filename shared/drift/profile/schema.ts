// Zod schemas of the dataset description a profile is built from and of the
// reference profile itself, so the server can validate profiles that clients
// upload with a model version. Types are inferred from the schemas so the two
// never drift apart.

import { z } from 'zod';

/** Quantile levels every numeric feature profile records. */
export const PROFILE_QUANTILES: readonly number[] = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];

/** Fixed bins of the confidence histogram: [0, 1/20), [1/20, 2/20), …, [19/20, 1]. */
export const CONFIDENCE_BINS = 20;

export const PROFILE_VERSION = 1;

const count = z.number().int().nonnegative();
const finite = z.number(); // zod 4 numbers reject NaN and ±Infinity

function strictlyIncreasing(xs: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (!(xs[i]! > xs[i - 1]!)) return false;
  return true;
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function unique(xs: readonly string[]): boolean {
  return new Set(xs).size === xs.length;
}

const edges = finite.array().refine(strictlyIncreasing, 'bin edges must be strictly increasing');

export const NumericFeatureSpecSchema = z.object({
  name: z.string().min(1),
  kind: z.literal('numeric'),
  /**
   * Inner histogram edges to use instead of the sample's deciles. Profiles
   * merge only when their edges are equal, so devices building profiles to be
   * merged pass the reference profile's edges here (see specFromProfile).
   */
  edges: edges.optional(),
});

export const CategoricalFeatureSpecSchema = z.object({
  name: z.string().min(1),
  kind: z.literal('categorical'),
});

export const FeatureSpecSchema = z.discriminatedUnion('kind', [NumericFeatureSpecSchema, CategoricalFeatureSpecSchema]);

/** Which columns of a row are features, and which (if any) hold the model's prediction and confidence. */
export const DatasetSpecSchema = z
  .object({
    features: FeatureSpecSchema.array(),
    /** Column holding the predicted class label. */
    prediction: z.string().min(1).optional(),
    /** Column holding the model's confidence, a number in [0, 1]. */
    confidence: z.string().min(1).optional(),
  })
  .refine((s) => unique(s.features.map((f) => f.name)), 'feature names must be unique')
  .meta({ id: 'DatasetSpec' });

const moments = {
  /** Non-missing values. */
  count,
  missing: count,
  /** null when count is 0. */
  mean: finite.nullable(),
  /** Sum of squared deviations from the mean; kept so profiles merge exactly (Chan et al.). */
  m2: finite.nonnegative(),
  /** Unbiased (n − 1) variance; null when count < 2. */
  variance: finite.nonnegative().nullable(),
  min: finite.nullable(),
  max: finite.nullable(),
};

export const NumericFeatureProfileSchema = z
  .object({
    name: z.string().min(1),
    kind: z.literal('numeric'),
    ...moments,
    /**
     * Values at PROFILE_QUANTILES; empty when count is 0. 'sample': NumPy's
     * linear quantiles of the data, exact. 'histogram': after a merge,
     * interpolated inside the histogram bin holding the rank, so approximate
     * (always inside that bin).
     */
    quantiles: z.object({ q: z.number().min(0).max(1), value: finite }).array(),
    quantileSource: z.enum(['sample', 'histogram']),
    /** Inner edges (bins are left-closed; the first and last are open-ended) and counts, length edges + 1. */
    histogram: z.object({ edges, counts: count.array() }),
  })
  .refine((f) => f.histogram.counts.length === f.histogram.edges.length + 1, 'histogram needs edges.length + 1 counts')
  .refine((f) => sum(f.histogram.counts) === f.count, 'histogram counts must add up to count');

export const CategoricalFeatureProfileSchema = z
  .object({
    name: z.string().min(1),
    kind: z.literal('categorical'),
    count,
    missing: count,
    /** Sorted by UTF-16 code units (JavaScript's default string order). */
    categories: z.string().array(),
    counts: count.array(),
  })
  .refine((f) => f.categories.length === f.counts.length, 'categories and counts must have the same length')
  .refine((f) => unique(f.categories), 'categories must be unique')
  .refine((f) => sum(f.counts) === f.count, 'category counts must add up to count');

export const FeatureProfileSchema = z.union([NumericFeatureProfileSchema, CategoricalFeatureProfileSchema]);

export const ClassProfileSchema = z
  .object({
    column: z.string().min(1),
    count,
    missing: count,
    labels: z.string().array(),
    counts: count.array(),
  })
  .refine((c) => c.labels.length === c.counts.length, 'labels and counts must have the same length')
  .refine((c) => unique(c.labels), 'labels must be unique')
  .refine((c) => sum(c.counts) === c.count, 'class counts must add up to count');

export const ConfidenceProfileSchema = z
  .object({
    column: z.string().min(1),
    ...moments,
    /** CONFIDENCE_BINS equal-width bins over [0, 1]; 1 falls in the last bin. */
    counts: count.array(),
  })
  .refine((c) => c.counts.length === CONFIDENCE_BINS, `confidence histogram needs ${CONFIDENCE_BINS} counts`)
  .refine((c) => sum(c.counts) === c.count, 'confidence counts must add up to count');

export const ReferenceProfileSchema = z
  .object({
    version: z.literal(PROFILE_VERSION),
    /** Rows the profile summarises. */
    rows: count,
    features: FeatureProfileSchema.array(),
    classes: ClassProfileSchema.optional(),
    confidence: ConfidenceProfileSchema.optional(),
  })
  .refine((p) => unique(p.features.map((f) => f.name)), 'feature names must be unique')
  .refine((p) => p.features.every((f) => f.count + f.missing === p.rows), 'each feature needs count + missing = rows')
  .refine((p) => !p.classes || p.classes.count + p.classes.missing === p.rows, 'classes need count + missing = rows')
  .refine(
    (p) => !p.confidence || p.confidence.count + p.confidence.missing === p.rows,
    'confidence needs count + missing = rows',
  )
  .meta({ id: 'ReferenceProfile' });

export type NumericFeatureSpec = z.infer<typeof NumericFeatureSpecSchema>;
export type CategoricalFeatureSpec = z.infer<typeof CategoricalFeatureSpecSchema>;
export type FeatureSpec = z.infer<typeof FeatureSpecSchema>;
export type DatasetSpec = z.infer<typeof DatasetSpecSchema>;
export type NumericFeatureProfile = z.infer<typeof NumericFeatureProfileSchema>;
export type CategoricalFeatureProfile = z.infer<typeof CategoricalFeatureProfileSchema>;
export type FeatureProfile = z.infer<typeof FeatureProfileSchema>;
export type ClassProfile = z.infer<typeof ClassProfileSchema>;
export type ConfidenceProfile = z.infer<typeof ConfidenceProfileSchema>;
export type ReferenceProfile = z.infer<typeof ReferenceProfileSchema>;
