// The drift report's JSON shape (what `tinysphere drift-report --json`
// prints), as a zod schema so consumers can validate it and tests can pin it.

import { z } from 'zod';

const count = z.number().int().nonnegative();
const finite = z.number(); // zod 4 numbers reject NaN and ±Infinity
const probability = finite.min(0).max(1);

export const DriftTestSchema = z.object({
  method: z.enum(['ks', 'chisquare', 'wasserstein_normed', 'jensenshannon']),
  /** The number compared with the threshold: a p-value (ks, chisquare) or a distance. */
  score: finite,
  threshold: finite,
  rule: z.enum(['score < threshold', 'score >= threshold']),
});

const common = {
  /** Non-missing values on each side. */
  nReference: count,
  nCurrent: count,
  nMissingReference: count,
  nMissingCurrent: count,
  /** On the reference-decile bins (numeric) or the categories (categorical). */
  jensenShannon: probability,
  psi: finite.nonnegative(),
  test: DriftTestSchema,
  drift: z.boolean(),
};

export const NumericColumnReportSchema = z.object({
  kind: z.literal('numeric'),
  ...common,
  ks: z.object({ statistic: probability, pValue: probability, method: z.enum(['exact', 'asymp']) }),
  wasserstein: finite.nonnegative(),
  /** wasserstein / max(std of reference (ddof 0), 0.001). */
  wassersteinNormed: finite.nonnegative(),
  referenceStd: finite.nonnegative(),
  /** Inner edges at the reference deciles (bins left-closed, outer bins open) and counts per bin. */
  histogram: z.object({ edges: finite.array(), reference: count.array(), current: count.array() }),
  /**
   * For the eye (the HTML chart): DISPLAY_BINS equal-width bins over the range of both samples,
   * `edges` being all bins+1 boundaries (last bin closed). Unlike the decile bins it shows how far
   * values moved outside the reference range. One bin when every value is the same.
   */
  distribution: z.object({ edges: finite.array(), reference: count.array(), current: count.array() }),
});

export const CategoricalColumnReportSchema = z.object({
  kind: z.literal('categorical'),
  ...common,
  chiSquare: z.object({ statistic: finite.nonnegative(), pValue: probability, dof: count }),
  /** Categories in current that reference never had. */
  unseen: z.string().array(),
  histogram: z.object({ categories: z.string().array(), reference: count.array(), current: count.array() }),
});

export const ColumnReportSchema = z.discriminatedUnion('kind', [
  NumericColumnReportSchema,
  CategoricalColumnReportSchema,
]);

export const DriftReportSchema = z
  .object({
    drift: z.boolean(),
    /** Drifted columns / compared columns. */
    share: probability,
    driftShare: probability,
    nColumns: count,
    nDrifted: count,
    nReferenceRows: count,
    nCurrentRows: count,
    columns: z.record(z.string(), ColumnReportSchema),
    /** Columns only in current: not compared. */
    ignoredColumns: z.string().array(),
  })
  .meta({ id: 'DriftReport' });

export type DriftTest = z.infer<typeof DriftTestSchema>;
export type NumericColumnReport = z.infer<typeof NumericColumnReportSchema>;
export type CategoricalColumnReport = z.infer<typeof CategoricalColumnReportSchema>;
export type ColumnReport = z.infer<typeof ColumnReportSchema>;
export type DriftReport = z.infer<typeof DriftReportSchema>;
