import { readFile } from 'node:fs/promises';
import { PackageError, readPackage, type IngestRecord, type PackageManifest } from '../../../../shared/ingest/index.ts';
import { HttpError } from '../../http/errors.ts';
import type { BlobStore } from '../../store/blobs/index.ts';
import type { Db, Queryable } from '../../store/db/index.ts';
import type { StagedFile } from '../registry/staging.ts';
import { classOf, hourly } from './hourly.ts';

export interface IngestResult {
  batchId: string;
  records: number;
  duplicate: boolean;
}

export const batchBlobKey = (deviceId: string, batchId: string) => `batches/${deviceId}/${batchId}.tar.gz`;

/**
 * Log batches, stored exactly once: the batch id is the idempotency key, claimed by an
 * `INSERT … ON CONFLICT DO NOTHING` in the same transaction as the records and the hourly
 * aggregates. Of two identical uploads racing, one inserts; the other waits on the key, finds it
 * taken and answers "duplicate". The answer (the device's acknowledgement) comes only after commit.
 */
export class IngestService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
  ) {}

  async ingestFile(deviceId: string, file: StagedFile): Promise<IngestResult> {
    return this.ingest(deviceId, new Uint8Array(await readFile(file.path)), file.sha256);
  }

  async ingest(deviceId: string, bytes: Uint8Array, sha256: string): Promise<IngestResult> {
    let pkg: Awaited<ReturnType<typeof readPackage>>;
    try {
      pkg = await readPackage(bytes);
    } catch (err) {
      if (err instanceof PackageError) throw HttpError.of('bad_request', err.message);
      throw err;
    }
    const { manifest, records } = pkg;
    if (manifest.deviceId !== undefined && manifest.deviceId !== deviceId) throw HttpError.of('forbidden', `batch ${manifest.batchId} names another device`);
    // Known already: answer without touching the blob store (the first upload's bytes stay).
    const known = await this.existing(this.db, manifest.batchId, deviceId);
    if (known) return known;
    // The blob before the rows: once committed, a batch's bytes are always there. A blob whose
    // transaction then fails is overwritten by the retry (same key, same bytes).
    const blobKey = batchBlobKey(deviceId, manifest.batchId);
    await this.blobs.put(blobKey, bytes, bytes.length);
    return this.db.transaction(async (tx) => {
      const claimed = await tx.query(
        `INSERT INTO log_batches (batch_id, device_id, sha256, size, records, blob_key) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id`,
        [manifest.batchId, deviceId, sha256, bytes.length, records.length, blobKey],
      );
      if (claimed.rowCount === 0) return (await this.existing(tx, manifest.batchId, deviceId))!;
      await insertRecords(tx, deviceId, manifest, records);
      await upsertHourly(tx, deviceId, records);
      return { batchId: manifest.batchId, records: records.length, duplicate: false };
    });
  }

  /** The answer for a batch id already stored: a duplicate of this device's, or someone else's (409). */
  private async existing(q: Queryable, batchId: string, deviceId: string): Promise<IngestResult | undefined> {
    const { rows } = await q.query<{ device_id: string; records: number }>('SELECT device_id, records FROM log_batches WHERE batch_id = $1', [batchId]);
    const row = rows[0];
    if (!row) return undefined;
    if (row.device_id !== deviceId) throw HttpError.of('conflict', `batch id ${batchId} is taken by another device`);
    return { batchId, records: row.records, duplicate: true };
  }
}

/** One statement per batch: arrays unnested server-side, not one INSERT per record. */
async function insertRecords(tx: Queryable, deviceId: string, manifest: PackageManifest, records: readonly IngestRecord[]): Promise<void> {
  if (records.length === 0) return;
  await tx.query(
    `INSERT INTO inference_records (device_id, batch_id, seq, ts, model_name, model_version, latency_ms, confidence, label, drift)
     SELECT $1, $2, seq, to_timestamp(ts / 1000.0), model_name, model_version, latency_ms, confidence, label, drift
     FROM unnest($3::int[], $4::float8[], $5::text[], $6::int[], $7::float8[], $8::float8[], $9::text[], $10::int[])
       AS r(seq, ts, model_name, model_version, latency_ms, confidence, label, drift)`,
    [
      deviceId,
      manifest.batchId,
      records.map((_, i) => i),
      records.map((r) => r.ts),
      records.map((r) => r.model.name),
      records.map((r) => r.model.version),
      records.map((r) => r.latencyMs),
      records.map((r) => r.confidence ?? null),
      records.map(classOf),
      records.map((r) => r.drift),
    ],
  );
}

async function upsertHourly(tx: Queryable, deviceId: string, records: readonly IngestRecord[]): Promise<void> {
  const rows = hourly(records);
  if (rows.length === 0) return;
  // classes are summed key by key: the union of both objects' labels.
  await tx.query(
    `INSERT INTO inference_hourly AS h (device_id, model_name, model_version, hour, count, latency_sum, confidence_sum, drift_alarms, classes)
     SELECT $1, model_name, model_version, to_timestamp(hour / 1000.0), count, latency_sum, confidence_sum, drift_alarms, classes::jsonb
     FROM unnest($2::text[], $3::int[], $4::float8[], $5::bigint[], $6::float8[], $7::float8[], $8::bigint[], $9::text[])
       AS r(model_name, model_version, hour, count, latency_sum, confidence_sum, drift_alarms, classes)
     ON CONFLICT (device_id, model_name, model_version, hour) DO UPDATE SET
       count = h.count + EXCLUDED.count,
       latency_sum = h.latency_sum + EXCLUDED.latency_sum,
       confidence_sum = h.confidence_sum + EXCLUDED.confidence_sum,
       drift_alarms = h.drift_alarms + EXCLUDED.drift_alarms,
       classes = (SELECT coalesce(jsonb_object_agg(k, coalesce((h.classes ->> k)::bigint, 0) + coalesce((EXCLUDED.classes ->> k)::bigint, 0)), '{}')
                  FROM (SELECT jsonb_object_keys(h.classes) UNION SELECT jsonb_object_keys(EXCLUDED.classes)) AS keys(k))`,
    [
      deviceId,
      rows.map((r) => r.modelName),
      rows.map((r) => r.modelVersion),
      rows.map((r) => r.hour),
      rows.map((r) => r.count),
      rows.map((r) => r.latencySum),
      rows.map((r) => r.confidenceSum),
      rows.map((r) => r.driftAlarms),
      rows.map((r) => JSON.stringify(r.classes)),
    ],
  );
}
