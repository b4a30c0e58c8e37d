// Two parsed CSV tables → the drift report. Pure: the CLI reads files and
// prints; the server or the console can call this on uploaded data.

import { categorical, ks2samp, numericBinned, wasserstein1 } from '../stats/index.ts';
import { momentsOf } from '../profile/moments.ts';
import { columnKind, columnValues, toNumbers } from './columns.ts';
import type { CsvTable } from '../../csv/reader.ts';
import { chooseTest, datasetDrift, drifted, DRIFT_SHARE, WASSERSTEIN_MIN_NORM } from './rules.ts';
import type { CategoricalColumnReport, ColumnReport, DriftReport, NumericColumnReport } from './schema.ts';

/** Input that cannot be compared (no rows, missing columns, an empty column). The message is for a person. */
export class DriftInputError extends Error {
  override name = 'DriftInputError';
}

export interface DriftReportOptions {
  /** How the two inputs are named in error messages (the CLI passes file paths). */
  referenceName?: string;
  currentName?: string;
}

/** Bins of the equal-width `distribution` histogram drawn in the HTML report. */
export const DISPLAY_BINS = 20;

/** Equal-width histogram of both samples over their joint range (see NumericColumnReport.distribution). */
export function displayHistogram(
  reference: readonly number[],
  current: readonly number[],
  bins = DISPLAY_BINS,
): NumericColumnReport['distribution'] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const xs of [reference, current]) for (const x of xs) (lo = Math.min(lo, x)), (hi = Math.max(hi, x));
  if (!(hi > lo)) return { edges: [lo, hi], reference: [reference.length], current: [current.length] };
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const count = (xs: readonly number[]) => {
    const out = new Array<number>(bins).fill(0);
    for (const x of xs) out[Math.min(bins - 1, Math.floor((x - lo) / width))]! += 1;
    return out;
  };
  return { edges, reference: count(reference), current: count(current) };
}

interface Side {
  values: string[];
  missing: number;
}

function numericColumn(ref: Side, cur: Side): NumericColumnReport {
  const r = toNumbers(ref.values);
  const c = toNumbers(cur.values);
  const ks = ks2samp(r, c);
  const wasserstein = wasserstein1(r, c);
  const m = momentsOf(r);
  const referenceStd = Math.sqrt(m.m2 / m.count);
  const wassersteinNormed = wasserstein / Math.max(referenceStd, WASSERSTEIN_MIN_NORM);
  const binned = numericBinned(r, c);
  const choice = chooseTest('numeric', r.length);
  const score = choice.method === 'ks' ? ks.pValue : wassersteinNormed;
  return {
    kind: 'numeric',
    nReference: r.length,
    nCurrent: c.length,
    nMissingReference: ref.missing,
    nMissingCurrent: cur.missing,
    ks: { statistic: ks.statistic, pValue: ks.pValue, method: ks.method === 'exact' ? 'exact' : 'asymp' },
    wasserstein,
    wassersteinNormed,
    referenceStd,
    jensenShannon: binned.jensenShannon,
    psi: binned.psi,
    test: { ...choice, score },
    drift: drifted(choice, score),
    histogram: { edges: binned.edges, reference: binned.referenceCounts, current: binned.currentCounts },
    distribution: displayHistogram(r, c),
  };
}

function categoricalColumn(ref: Side, cur: Side): CategoricalColumnReport {
  const cat = categorical(ref.values, cur.values);
  const choice = chooseTest('categorical', ref.values.length);
  const score = choice.method === 'chisquare' ? cat.chiSquare.pValue : cat.jensenShannon;
  return {
    kind: 'categorical',
    nReference: ref.values.length,
    nCurrent: cur.values.length,
    nMissingReference: ref.missing,
    nMissingCurrent: cur.missing,
    chiSquare: { ...cat.chiSquare },
    jensenShannon: cat.jensenShannon,
    psi: cat.psi,
    unseen: cat.unseen,
    test: { ...choice, score },
    drift: drifted(choice, score),
    histogram: { categories: cat.categories, reference: cat.referenceCounts, current: cat.currentCounts },
  };
}

/**
 * Compares every column of the reference with the same column of current.
 * Columns only in current are ignored (listed in ignoredColumns); a column
 * only in reference, an input with no data rows, or a column with no values
 * on one side is a DriftInputError. See rules.ts for the verdicts.
 */
export function computeDriftReport(
  reference: CsvTable,
  current: CsvTable,
  options: DriftReportOptions = {},
): DriftReport {
  const refName = options.referenceName ?? 'reference';
  const curName = options.currentName ?? 'current';
  if (reference.rows.length === 0) throw new DriftInputError(`${refName}: no data rows (only a header)`);
  if (current.rows.length === 0) throw new DriftInputError(`${curName}: no data rows (only a header)`);
  const curIndex = new Map(current.header.map((name, i) => [name, i] as const));
  const refSet = new Set(reference.header);
  const missing = reference.header.filter((name) => !curIndex.has(name));
  if (missing.length > 0) {
    const list = missing.map((m) => JSON.stringify(m)).join(', ');
    throw new DriftInputError(
      `${curName}: missing column${missing.length === 1 ? '' : 's'} ${list} (present in ${refName})`,
    );
  }
  const entries: [string, ColumnReport][] = [];
  reference.header.forEach((name, ri) => {
    const ref = columnValues(reference.rows, ri);
    const cur = columnValues(current.rows, curIndex.get(name)!);
    if (ref.values.length === 0) throw new DriftInputError(`${refName}: column ${JSON.stringify(name)} has no values`);
    if (cur.values.length === 0) throw new DriftInputError(`${curName}: column ${JSON.stringify(name)} has no values`);
    const kind = columnKind(ref.values, cur.values);
    entries.push([name, kind === 'numeric' ? numericColumn(ref, cur) : categoricalColumn(ref, cur)]);
  });
  const nDrifted = entries.filter(([, c]) => c.drift).length;
  const verdict = datasetDrift(nDrifted, entries.length);
  return {
    drift: verdict.drift,
    share: verdict.share,
    driftShare: DRIFT_SHARE,
    nColumns: entries.length,
    nDrifted,
    nReferenceRows: reference.rows.length,
    nCurrentRows: current.rows.length,
    // fromEntries defines own properties, so a column named "__proto__" stays a column.
    columns: Object.fromEntries(entries),
    ignoredColumns: current.header.filter((name) => !refSet.has(name)),
  };
}
