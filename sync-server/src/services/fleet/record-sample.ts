import type { RecordSample, RecordSampleQuery } from '../../../../shared/protocol/index.ts';
import type { Queryable } from '../../store/db/index.ts';
import { parseModelVersion } from './window.ts';

const DAY_MS = 86_400_000;

/**
 * Up to `limit` stored records of a model version with their inputs (migration 009), from a window
 * of the fleet, a group or a device. The sample is ordered by a hash of each record's key, not by
 * random(): the same window gives the same sample, so a report computed twice says the same.
 */
export async function recordSample(q: Queryable, query: RecordSampleQuery, now = Date.now()): Promise<RecordSample> {
  const model = parseModelVersion(query.modelVersion)!;
  const to = query.to ? Date.parse(query.to) : now;
  const from = query.from ? Date.parse(query.from) : to - DAY_MS;
  const [{ rows }, { rows: versions }] = await Promise.all([
    q.query<{ label: string | null; features: number[]; total: string }>(
      `SELECT r.label, r.features, count(*) OVER () AS total
       FROM inference_records r ${query.groupId ? 'JOIN devices d ON d.id = r.device_id AND d.group_id = $7' : ''}
       WHERE r.model_name = $1 AND r.model_version = $2 AND r.ts >= to_timestamp($3 / 1000.0) AND r.ts < to_timestamp($4 / 1000.0)
         AND ($5::uuid IS NULL OR r.device_id = $5) AND r.features IS NOT NULL
       ORDER BY md5(r.batch_id || ':' || r.seq)
       LIMIT $6`,
      [
        model.name,
        model.version,
        from,
        to,
        query.deviceId ?? null,
        query.limit,
        ...(query.groupId ? [query.groupId] : []),
      ],
    ),
    q.query<{ features: unknown }>(
      `SELECT v.metadata->'features' AS features FROM model_versions v JOIN registered_models m ON m.id = v.model_id WHERE m.name = $1 AND v.version = $2`,
      [model.name, model.version],
    ),
  ]);
  const names = versions[0]?.features;
  return {
    modelVersion: query.modelVersion,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    total: Number(rows[0]?.total ?? 0),
    featureNames: Array.isArray(names) && names.every((n) => typeof n === 'string') ? names : null,
    features: rows.map((r) => r.features.map(Number)),
    labels: rows.map((r) => r.label),
  };
}
