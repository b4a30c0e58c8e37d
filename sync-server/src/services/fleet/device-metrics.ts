import type { DeviceMetrics, MetricsQuery } from '../../../../shared/protocol/index.ts';
import { DRIFT_FLAGS, DRIFT_MASK, WARNING_MASK } from '../../../../shared/drift/flags.ts';
import { NotFound } from '../errors.ts';
import type { Queryable } from '../../store/db/index.ts';
import { assemble, breakdowns, byKey, num } from './series.ts';
import { bucketSql, parseModelVersion, resolveWindow } from './window.ts';

interface Row {
  bucket: string | null;
  count: string;
  mean_latency: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  mean_confidence: number | null;
  drift_alarms: string;
  feature: string;
  confidence: string;
  prediction: string;
  knn: string;
  warnings: string;
}

const empty = () => ({
  count: 0,
  meanLatencyMs: null,
  meanConfidence: null,
  driftAlarms: 0,
  driftWarnings: 0,
  latencyMs: { p50: null, p95: null, p99: null },
  drift: { feature: 0, confidence: 0, prediction: 0, knn: 0, warnings: 0 },
});

/**
 * One device's series from its stored records: exact latency quantiles need the rows, which the
 * (device_id, ts) index keeps to the device's window.
 */
export async function deviceMetrics(
  q: Queryable,
  deviceId: string,
  query: MetricsQuery,
  now?: number,
): Promise<DeviceMetrics> {
  const w = resolveWindow(query, now);
  const { rows: known } = await q.query('SELECT 1 FROM devices WHERE id = $1', [deviceId]);
  if (known.length === 0) throw new NotFound(`device ${deviceId} does not exist`);
  const model = parseModelVersion(query.modelVersion);
  const params = [
    deviceId,
    new Date(w.from).toISOString(),
    new Date(w.to).toISOString(),
    w.size,
    model?.name ?? null,
    model?.version ?? null,
  ];
  const filtered = `SELECT ${bucketSql('ts', '$4::bigint')} AS bucket, * FROM inference_records
    WHERE device_id = $1 AND ts >= $2::timestamptz AND ts < $3::timestamptz
      AND ($5::text IS NULL OR (model_name = $5 AND model_version = $6::int))`;
  const quantile = (p: number) => `percentile_cont(${p}) WITHIN GROUP (ORDER BY latency_ms)`;
  const bit = (mask: number) => `count(*) FILTER (WHERE drift & ${mask} <> 0)`;
  const { rows } = await q.query<Row>(
    `SELECT bucket, count(*) AS count, avg(latency_ms) AS mean_latency,
       ${quantile(0.5)} AS p50, ${quantile(0.95)} AS p95, ${quantile(0.99)} AS p99,
       avg(confidence) AS mean_confidence, ${bit(DRIFT_MASK)} AS drift_alarms,
       ${Object.entries(DRIFT_FLAGS)
         .map(([kind, mask]) => `${bit(mask)} AS ${kind}`)
         .join(', ')},
       ${bit(WARNING_MASK)} AS warnings
     FROM (${filtered}) r GROUP BY GROUPING SETS ((bucket), ())`,
    params,
  );
  const main = byKey(rows, (r) => ({
    count: Number(r.count),
    meanLatencyMs: num(r.mean_latency),
    meanConfidence: num(r.mean_confidence),
    driftAlarms: Number(r.drift_alarms),
    driftWarnings: Number(r.warnings),
    latencyMs: { p50: num(r.p50), p95: num(r.p95), p99: num(r.p99) },
    drift: {
      feature: Number(r.feature),
      confidence: Number(r.confidence),
      prediction: Number(r.prediction),
      knn: Number(r.knn),
      warnings: Number(r.warnings),
    },
  }));
  const extra = await breakdowns(q, filtered, params, {
    classFrom: 'CROSS JOIN LATERAL (SELECT r.label AS cls) c WHERE cls IS NOT NULL',
    classCount: 'count(*)',
    versionCount: 'count(*)',
  });
  return {
    deviceId,
    from: new Date(w.from).toISOString(),
    to: new Date(w.to).toISOString(),
    bucket: w.bucket,
    modelVersion: query.modelVersion ?? null,
    ...assemble(w, main, extra, empty),
  };
}
