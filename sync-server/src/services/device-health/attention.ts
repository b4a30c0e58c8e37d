import type { Attention, AttentionReason } from '../../../../shared/protocol/index.ts';
import type { Queryable } from '../../store/db/index.ts';

interface AttentionRow {
  id: string;
  name: string;
  group_id: string;
  last_seen_at: Date | null;
  storage_share: number | null;
  battery_level: number | null;
  charging: boolean | null;
  storage: boolean;
  battery: boolean;
  not_seen: boolean;
  total: string;
}

/**
 * The devices needing attention, judged in SQL on each one's latest health row so a large fleet
 * is one bounded query: storage over the share of its quota, battery under the level while not
 * charging (unknown charging counts as not charging), or not seen within the window (never seen
 * counts too). Revoked devices are left out: nobody can fix them.
 */
export async function attention(
  q: Queryable,
  t: { storageShare: number; batteryLevel: number; notSeenMs: number },
  limit: number,
): Promise<Attention> {
  const { rows } = await q.query<AttentionRow>(
    `WITH judged AS (
       SELECT d.id, d.name, d.group_id, d.last_seen_at,
              (h.health->>'storageUsedBytes')::float8 / nullif((h.health->>'storageQuotaBytes')::float8, 0) AS storage_share,
              (h.health->>'batteryLevel')::float8 AS battery_level,
              (h.health->>'charging')::boolean AS charging
       FROM devices d
       LEFT JOIN LATERAL (SELECT health FROM device_health WHERE device_id = d.id ORDER BY bucket DESC LIMIT 1) h ON true
       WHERE d.revoked_at IS NULL
     ), flagged AS (
       SELECT *, coalesce(storage_share > $1, false) AS storage,
              coalesce(battery_level < $2 AND charging IS NOT TRUE, false) AS battery,
              (last_seen_at IS NULL OR last_seen_at < now() - make_interval(secs => $3)) AS not_seen
       FROM judged
     )
     SELECT *, count(*) OVER () AS total FROM flagged WHERE storage OR battery OR not_seen
     ORDER BY name, id LIMIT $4`,
    [t.storageShare, t.batteryLevel, t.notSeenMs / 1000, limit],
  );
  const reasons = (r: AttentionRow): AttentionReason[] =>
    (['storage', 'battery', 'not_seen'] as const).filter((k) => r[k]);
  return {
    devices: rows.map((r) => ({
      deviceId: r.id,
      name: r.name,
      groupId: r.group_id,
      reasons: reasons(r),
      lastSeenAt: r.last_seen_at?.toISOString() ?? null,
      storageShare: r.storage_share,
      batteryLevel: r.battery_level,
      charging: r.charging,
    })),
    total: Number(rows[0]?.total ?? 0),
    thresholds: { ...t },
  };
}
