import type { Queryable } from '../../store/db/index.ts';
import { bucketStarts, modelVersionKey, type Window } from './window.ts';

/**
 * What the device and fleet series share: per bucket and for the whole window, the records per
 * class and per model version, folded around each series' own main aggregate. Queries use
 * GROUPING SETS so one statement gives the buckets and the totals (total rows have bucket NULL).
 */

export interface Breakdown {
  classes: Record<string, number>;
  byModelVersion: Record<string, number>;
}

const TOTAL = 'total';
type Key = number | typeof TOTAL;

const keyOf = (bucket: string | number | null): Key => (bucket === null ? TOTAL : Number(bucket));

/**
 * Classes and model versions per bucket of a filtered relation (`filtered` is a subquery with a
 * `bucket` column). `classes` is a FROM-clause tail yielding (cls, n) per row, `versionCount` the
 * record count of a row.
 */
export async function breakdowns(
  q: Queryable,
  filtered: string,
  params: readonly unknown[],
  sql: { classFrom: string; classCount: string; versionCount: string },
): Promise<Map<Key, Breakdown>> {
  const out = new Map<Key, Breakdown>();
  const get = (k: Key) => {
    let b = out.get(k);
    if (!b) out.set(k, (b = { classes: {}, byModelVersion: {} }));
    return b;
  };
  // Sequential on purpose: PGlite has a single connection, parallel queries would only queue.
  const classes = await q.query<{ bucket: string | null; cls: string; n: string }>(
    `SELECT bucket, cls, ${sql.classCount} AS n FROM (${filtered}) r ${sql.classFrom}
     GROUP BY GROUPING SETS ((bucket, cls), (cls))`,
    params,
  );
  for (const r of classes.rows) get(keyOf(r.bucket)).classes[r.cls] = Number(r.n);
  const versions = await q.query<{ bucket: string | null; model_name: string; model_version: number; n: string }>(
    `SELECT bucket, model_name, model_version, ${sql.versionCount} AS n FROM (${filtered}) r
     GROUP BY GROUPING SETS ((bucket, model_name, model_version), (model_name, model_version))`,
    params,
  );
  for (const r of versions.rows)
    get(keyOf(r.bucket)).byModelVersion[modelVersionKey(r.model_name, r.model_version)] = Number(r.n);
  return out;
}

/**
 * Every bucket of the window, oldest first, empty ones included (charts want a point per bucket),
 * plus the totals: `main` holds the rows the main query returned by key, `empty` shapes a bucket
 * without records.
 */
export function assemble<T extends object>(
  w: Window,
  main: Map<Key, T>,
  extra: Map<Key, Breakdown>,
  empty: () => T,
): { buckets: (T & Breakdown & { start: string })[]; totals: T & Breakdown } {
  const at = (k: Key) => ({
    ...(main.get(k) ?? empty()),
    classes: extra.get(k)?.classes ?? {},
    byModelVersion: extra.get(k)?.byModelVersion ?? {},
  });
  return {
    buckets: bucketStarts(w).map((t) => ({ start: new Date(t).toISOString(), ...at(t) })),
    totals: at(TOTAL),
  };
}

/** Rows of the main query keyed by bucket (TOTAL for the grouping set without a bucket). */
export function byKey<R extends { bucket: string | null }, T>(rows: readonly R[], map: (r: R) => T): Map<Key, T> {
  return new Map(rows.map((r) => [keyOf(r.bucket), map(r)]));
}

export const num = (v: string | number | null): number | null => (v === null ? null : Number(v));
