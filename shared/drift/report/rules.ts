// Which test decides whether a column drifted, following Evidently's defaults
// (evidently.calculations.stattests.registry._get_default_stattest and
// data_drift.get_dataset_drift), simplified where noted:
//
//   reference values ≤ 1000 (non-missing, per column):
//     numeric      two-sample Kolmogorov–Smirnov      drift when p < 0.05
//     categorical  chi-square test of homogeneity     drift when p < 0.05
//   reference values > 1000:
//     numeric      Wasserstein-1 / std(reference)     drift when ≥ 0.1
//     categorical  Jensen–Shannon distance (base 2)   drift when ≥ 0.1
//   dataset drift when drifted columns / columns ≥ 0.5
//
// Simplifications against Evidently: it switches numeric columns with ≤ 5
// distinct values to the categorical tests and uses a Z-test for ≤ 2 distinct
// values; here numeric is always KS / Wasserstein and categorical always
// chi-square / JS. Evidently's chi-square is a goodness-of-fit test of current
// against reference proportions, which is infinite when current has a category
// reference never had; the homogeneity test (a 2×K table, as
// scipy.stats.chi2_contingency) stays finite and is symmetric.

export type TestMethod = 'ks' | 'chisquare' | 'wasserstein_normed' | 'jensenshannon';

export interface TestChoice {
  method: TestMethod;
  threshold: number;
  /** How score and threshold are compared: p-values drift below, distances at or above. */
  rule: 'score < threshold' | 'score >= threshold';
}

/** Largest reference (non-missing values) still judged by a p-value. */
export const SMALL_REFERENCE_MAX = 1000;
export const P_VALUE_THRESHOLD = 0.05;
export const DISTANCE_THRESHOLD = 0.1;
/** Share of drifted columns at which the dataset counts as drifted. */
export const DRIFT_SHARE = 0.5;
/**
 * Floor of the reference standard deviation (population, ddof 0, as np.std)
 * that normalises the Wasserstein distance, so a constant reference column
 * does not divide by zero: Evidently's max(np.std(reference), 0.001).
 */
export const WASSERSTEIN_MIN_NORM = 0.001;

export function chooseTest(kind: 'numeric' | 'categorical', nReference: number): TestChoice {
  const small = nReference <= SMALL_REFERENCE_MAX;
  if (small)
    return { method: kind === 'numeric' ? 'ks' : 'chisquare', threshold: P_VALUE_THRESHOLD, rule: 'score < threshold' };
  return {
    method: kind === 'numeric' ? 'wasserstein_normed' : 'jensenshannon',
    threshold: DISTANCE_THRESHOLD,
    rule: 'score >= threshold',
  };
}

export function drifted(choice: TestChoice, score: number): boolean {
  return choice.rule === 'score < threshold' ? score < choice.threshold : score >= choice.threshold;
}

/** Dataset verdict from the per-column ones. */
export function datasetDrift(nDrifted: number, nColumns: number): { share: number; drift: boolean } {
  const share = nColumns === 0 ? 0 : nDrifted / nColumns;
  return { share, drift: nColumns > 0 && share >= DRIFT_SHARE };
}
