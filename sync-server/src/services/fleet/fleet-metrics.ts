import type { FleetMetrics, FleetMetricsQuery } from '../../../../shared/protocol/index.ts';
import { NotFound } from '../errors.ts';
import type { Queryable } from '../../store/db/index.ts';
import { assemble, breakdowns, byKey } from './series.ts';
import { bucketSql, parseModelVersion, resolveWindow } from './window.ts';

interface Row {
  bucket: string | null;
  count: string | null;
  latency_sum: number | null;
  confidence_sum: number | null;
  drift_alarms: string | null;
  drift_warnings: string | null;
  devices: string;
}

const empty = () => ({
  count: 0,
  meanLatencyMs: null,
  meanConfidence: null,
  driftAlarms: 0,
  driftWarnings: 0,
  activeDevices: 0,
});

/**
 * The fleet's (or a group's) series from the hourly rollups, never the records: no quantiles, and
 * the mean confidence counts a record without one as 0 (the rollup keeps a sum, not a count).
 */
export async function fleetSeries(q: Queryable, query: FleetMetricsQuery, now?: number): Promise<FleetMetrics> {
  const w = resolveWindow(query, now);
  if (query.groupId !== undefined) {
    const { rows } = await q.query('SELECT 1 FROM device_groups WHERE id = $1', [query.groupId]);
    if (rows.length === 0) throw new NotFound(`device group ${query.groupId} does not exist`);
  }
  const model = parseModelVersion(query.modelVersion);
  const params = [
    new Date(w.from).toISOString(),
    new Date(w.to).toISOString(),
    w.size,
    query.groupId ?? null,
    model?.name ?? null,
    model?.version ?? null,
  ];
  const filtered = `SELECT ${bucketSql('hour', '$3::bigint')} AS bucket, * FROM inference_hourly
    WHERE hour >= $1::timestamptz AND hour < $2::timestamptz
      AND ($4::uuid IS NULL OR device_id IN (SELECT id FROM devices WHERE group_id = $4::uuid))
      AND ($5::text IS NULL OR (model_name = $5 AND model_version = $6::int))`;
  const { rows } = await q.query<Row>(
    `SELECT bucket, sum(count) AS count, sum(latency_sum) AS latency_sum, sum(confidence_sum) AS confidence_sum,
       sum(drift_alarms) AS drift_alarms, sum(drift_warnings) AS drift_warnings, count(DISTINCT device_id) AS devices
     FROM (${filtered}) r GROUP BY GROUPING SETS ((bucket), ())`,
    params,
  );
  const main = byKey(rows, (r) => {
    const count = Number(r.count ?? 0);
    return {
      count,
      meanLatencyMs: count > 0 ? Number(r.latency_sum) / count : null,
      meanConfidence: count > 0 ? Number(r.confidence_sum) / count : null,
      driftAlarms: Number(r.drift_alarms ?? 0),
      driftWarnings: Number(r.drift_warnings ?? 0),
      activeDevices: Number(r.devices),
    };
  });
  const extra = await breakdowns(q, filtered, params, {
    classFrom: 'CROSS JOIN LATERAL jsonb_each_text(r.classes) AS c(cls, n)',
    classCount: 'sum(c.n::bigint)',
    versionCount: 'sum(count)',
  });
  return {
    groupId: query.groupId ?? null,
    from: new Date(w.from).toISOString(),
    to: new Date(w.to).toISOString(),
    bucket: w.bucket,
    modelVersion: query.modelVersion ?? null,
    ...assemble(w, main, extra, empty),
  };
}
