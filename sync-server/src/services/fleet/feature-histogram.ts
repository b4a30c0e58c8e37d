import type { FeatureHistogram, FeatureHistogramQuery } from '../../../../shared/protocol/index.ts';
import type { Queryable } from '../../store/db/index.ts';
import { parseModelVersion } from './window.ts';

const DAY_MS = 86_400_000;

/**
 * Counts one feature of the stored records (migration 009) into the given bins: width_bucket puts
 * values below the first edge in bucket 0 and from the last edge up in bucket n. Defaults to the
 * last 24 hours; narrowed to a group or a device when asked.
 */
export async function featureHistogram(
  q: Queryable,
  query: FeatureHistogramQuery,
  now = Date.now(),
): Promise<FeatureHistogram> {
  const model = parseModelVersion(query.modelVersion)!;
  const to = query.to ? Date.parse(query.to) : now;
  const from = query.from ? Date.parse(query.from) : to - DAY_MS;
  const { rows } = await q.query<{ bucket: number; n: string }>(
    `SELECT width_bucket(r.features[$3 + 1]::float8, $4::float8[]) AS bucket, count(*) AS n
     FROM inference_records r ${query.groupId ? 'JOIN devices d ON d.id = r.device_id AND d.group_id = $8' : ''}
     WHERE r.model_name = $1 AND r.model_version = $2 AND r.ts >= to_timestamp($5 / 1000.0) AND r.ts < to_timestamp($6 / 1000.0)
       AND ($7::uuid IS NULL OR r.device_id = $7) AND r.features[$3 + 1] IS NOT NULL
     GROUP BY 1`,
    [
      model.name,
      model.version,
      query.feature,
      query.edges,
      from,
      to,
      query.deviceId ?? null,
      ...(query.groupId ? [query.groupId] : []),
    ],
  );
  const counts = new Array<number>(query.edges.length + 1).fill(0);
  for (const r of rows) counts[r.bucket] = Number(r.n);
  return {
    modelVersion: query.modelVersion,
    feature: query.feature,
    edges: query.edges,
    counts,
    total: counts.reduce((a, b) => a + b, 0),
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  };
}
