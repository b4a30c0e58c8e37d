import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DRIFT_FLAGS, WARNING_SHIFT } from '../../../shared/drift/flags.ts';
import { loadMigrations, migrate, type Db } from '../../src/store/db/index.ts';
import { openPglite } from '../../src/store/db/pglite.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1, 10);

describe('migration 013: drift alarms and warnings recounted from the stored records (PGlite)', () => {
  let db: Db;
  before(async () => {
    db = await openPglite(undefined);
  });
  after(async () => {
    await db.close();
  });

  it('an hour rolled up when drift_alarms meant "any flag" gets alarm and warning records apart; hours without records stay as they were', async () => {
    const all = await loadMigrations();
    const at = all.findIndex((m) => m.name === 'drift_warnings');
    assert.ok(at > 0, 'the migration exists');
    await migrate(db, all.slice(0, at));
    // Rows as the schema before the migration has them (today's services write later columns).
    const group = (await db.query<{ id: string }>("INSERT INTO device_groups (name) VALUES ('lab') RETURNING id"))
      .rows[0]!.id;
    const device = (
      await db.query<{ id: string }>("INSERT INTO devices (group_id, name) VALUES ($1, 'old') RETURNING id", [group])
    ).rows[0]!.id;
    await db.query(
      "INSERT INTO log_batches (batch_id, device_id, sha256, size, records, blob_key) VALUES ('old', $1, 'x', 1, 5, 'k')",
      [device],
    );
    const warn = DRIFT_FLAGS.confidence << WARNING_SHIFT;
    const recs: [number, number][] = [
      [T0, 0],
      [T0 + 1, DRIFT_FLAGS.feature],
      [T0 + 2, warn],
      [T0 + 3, DRIFT_FLAGS.knn | warn],
      [T0 + HOUR, warn],
    ];
    for (const [i, [ts, drift]] of recs.entries()) {
      await db.query(
        "INSERT INTO inference_records (device_id, batch_id, seq, ts, model_name, model_version, latency_ms, drift) VALUES ($1, 'old', $2, $3, 'm', 1, 1, $4)",
        [device, i, new Date(ts).toISOString(), drift],
      );
    }
    // What ingest wrote before: every flagged record was an "alarm". A third hour has no stored records.
    for (const [hour, n, alarms] of [
      [T0, 4, 3],
      [T0 + HOUR, 1, 1],
      [T0 + 2 * HOUR, 7, 2],
    ] as const) {
      await db.query(
        "INSERT INTO inference_hourly (device_id, model_name, model_version, hour, count, latency_sum, confidence_sum, drift_alarms) VALUES ($1, 'm', 1, $2, $3, 0, 0, $4)",
        [device, new Date(hour).toISOString(), n, alarms],
      );
    }
    await migrate(db);
    const { rows } = await db.query<{ drift_alarms: string; drift_warnings: string }>(
      'SELECT drift_alarms, drift_warnings FROM inference_hourly WHERE device_id = $1 ORDER BY hour',
      [device],
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.drift_alarms), Number(r.drift_warnings)]),
      [
        [2, 2],
        [0, 1],
        [2, 0],
      ],
    );
  });
});
