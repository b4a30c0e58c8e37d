// Drift report: two tables (reference, current) → per-column drift verdicts
// and a dataset verdict, plus text and HTML renderings. Pure TypeScript (no
// DOM, no Node APIs), shared by the CLI, the server and the console.

// The report's input: a table as shared/csv reads it.
export type { CsvTable } from '../../csv/reader.ts';
export { columnKind, columnValues, isNumericField } from './columns.ts';
export type { ColumnKind, ColumnValues } from './columns.ts';
export { computeDriftReport, DriftInputError } from './compute.ts';
export type { DriftReportOptions } from './compute.ts';
export {
  chooseTest,
  drifted,
  datasetDrift,
  DISTANCE_THRESHOLD,
  DRIFT_SHARE,
  P_VALUE_THRESHOLD,
  SMALL_REFERENCE_MAX,
  WASSERSTEIN_MIN_NORM,
} from './rules.ts';
export type { TestChoice, TestMethod } from './rules.ts';
export {
  DriftReportSchema,
  ColumnReportSchema,
  NumericColumnReportSchema,
  CategoricalColumnReportSchema,
  DriftTestSchema,
} from './schema.ts';
export type { DriftReport, ColumnReport, NumericColumnReport, CategoricalColumnReport, DriftTest } from './schema.ts';
export { renderDriftReportText } from './text.ts';
export { renderDriftReportHtml } from './html.ts';
export type { HtmlReportOptions } from './html.ts';
export { renderChart, MAX_CHART_CATEGORIES } from './chart.ts';
export { escapeHtml, formatNumber } from './format.ts';
