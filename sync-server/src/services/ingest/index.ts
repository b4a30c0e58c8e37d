import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import {
  PackageError,
  PackageTooLargeError,
  PackageUnpacker,
  type Hasher,
  type PackageLimits,
  type UnpackedPackage,
} from '../../../../shared/ingest/index.ts';
import { Conflict, Forbidden, Invalid, TooLarge } from '../errors.ts';
import type { BlobStore } from '../../store/blobs/index.ts';
import type { Db, Queryable } from '../../store/db/index.ts';
import type { StagedFile } from '../registry/staging.ts';
import { hourly, toStoredRecord, type StoredRecord } from './hourly.ts';
import { ResumableUploads } from './resumable.ts';

export interface IngestResult {
  batchId: string;
  records: number;
  duplicate: boolean;
}

/** The limits a package meets, and the variables that set them (named in a 413). */
export type IngestLimits = Partial<Pick<PackageLimits, 'maxRecords' | 'maxRecordBytes'>>;
const LIMIT_VARIABLE = {
  records: 'MAX_BATCH_RECORDS',
  record_bytes: 'MAX_RECORD_BYTES',
  unpacked_bytes: 'MAX_BATCH_RECORDS × MAX_RECORD_BYTES',
} as const;

export const batchBlobKey = (deviceId: string, batchId: string) => `batches/${deviceId}/${batchId}.tar.gz`;

/** A package's bytes, read as often as needed (unpacked, then stored), never held whole in memory. */
interface Source {
  open(): Readable;
  size: number;
}

const nodeHasher = (): Hasher => {
  const h = createHash('sha256');
  return { update: (b) => void h.update(b), digest: async () => h.digest('hex') };
};

/**
 * Unpacks as a stream — node:zlib's gunzip (native, every member of a multi-member gzip) into the
 * incremental tar and record checks — so an upload costs at most one limit's worth of inflating,
 * and memory holds only the compact rows to insert. The first limit crossed stops the stream.
 */
async function unpack(source: Source, limits: IngestLimits): Promise<UnpackedPackage<StoredRecord>> {
  const unpacker = new PackageUnpacker({ ...limits, hasher: nodeHasher, mapRecord: toStoredRecord });
  // The unpacker's own refusal, which pipeline may report as an AbortError while tearing down.
  let refusal: unknown;
  try {
    await pipeline(source.open(), createGunzip(), async (tar: AsyncIterable<Buffer>) => {
      try {
        for await (const chunk of tar) unpacker.push(chunk);
      } catch (err) {
        throw (refusal = err);
      }
    });
    return await unpacker.finish();
  } catch (caught) {
    const err = refusal ?? caught;
    if (err instanceof PackageTooLargeError)
      throw new TooLarge(`${err.message} (${LIMIT_VARIABLE[err.limit]})`, {
        details: { limit: LIMIT_VARIABLE[err.limit] },
      });
    if (err instanceof PackageError) throw new Invalid(err.message);
    // zlib's errors carry a code (Z_DATA_ERROR, Z_BUF_ERROR for a truncated stream, …).
    if (typeof (err as { code?: unknown }).code === 'string' && /^(Z_|ERR_ZLIB)/.test((err as { code: string }).code))
      throw new Invalid(new PackageError(`not gzip data (${(err as Error).message})`).message);
    throw err;
  }
}

/**
 * Log batches, stored exactly once: the batch id is the idempotency key, claimed by an
 * `INSERT … ON CONFLICT DO NOTHING` in the same statement as the records and the hourly
 * aggregates. Of two identical uploads racing, one inserts; the other waits on the key, finds it
 * taken and answers "duplicate". The answer (the device's acknowledgement) comes only after commit.
 */
export class IngestService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly limits: IngestLimits = {},
  ) {}

  private readonly resumable = new Map<string, ResumableUploads>();

  /** Resumable uploads staged under `root` (one instance per folder, so its per-batch lock holds). */
  uploads(root: string): ResumableUploads {
    let r = this.resumable.get(root);
    if (!r)
      this.resumable.set(
        root,
        (r = new ResumableUploads({
          root,
          ingest: (d, f, b) => this.ingestFile(d, f, b),
          lookup: (d, b) => this.lookup(d, b),
        })),
      );
    return r;
  }

  /** `expectBatchId`: the batch id the upload was addressed to (resumable uploads); another in the manifest is a 400. */
  async ingestFile(
    deviceId: string,
    file: Pick<StagedFile, 'path' | 'sha256'>,
    expectBatchId?: string,
  ): Promise<IngestResult> {
    const { size } = await stat(file.path);
    return this.ingestSource(deviceId, { open: () => createReadStream(file.path), size }, file.sha256, expectBatchId);
  }

  ingest(deviceId: string, bytes: Uint8Array, sha256: string, expectBatchId?: string): Promise<IngestResult> {
    return this.ingestSource(
      deviceId,
      {
        open: () => Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]),
        size: bytes.length,
      },
      sha256,
      expectBatchId,
    );
  }

  private async ingestSource(
    deviceId: string,
    source: Source,
    sha256: string,
    expectBatchId?: string,
  ): Promise<IngestResult> {
    const { manifest, records } = await unpack(source, this.limits);
    if (expectBatchId !== undefined && manifest.batchId !== expectBatchId)
      throw new Invalid(`the package holds batch ${manifest.batchId}, not ${expectBatchId}`);
    if (manifest.deviceId !== undefined && manifest.deviceId !== deviceId)
      throw new Forbidden(`batch ${manifest.batchId} names another device`);
    // Known already: answer without touching the blob store (the first upload's bytes stay).
    const known = await this.existing(this.db, manifest.batchId, deviceId, sha256);
    if (known) return known;
    // The blob only now that the whole package is valid, and before the rows: once committed, a
    // batch's bytes are always there. If the statement fails, the blob goes again.
    const blobKey = batchBlobKey(deviceId, manifest.batchId);
    await this.blobs.put(blobKey, source.open(), source.size);
    let claimed: boolean;
    try {
      claimed = await store(
        this.db,
        deviceId,
        { batchId: manifest.batchId, sha256, size: source.size, blobKey },
        records,
      );
    } catch (err) {
      // Unless an identical upload racing this one stored the batch (same key, same bytes).
      const stored = await this.existing(this.db, manifest.batchId, deviceId).catch(() => undefined);
      if (!stored) await this.blobs.delete(blobKey).catch(() => {});
      throw err;
    }
    if (!claimed) return (await this.existing(this.db, manifest.batchId, deviceId, sha256))!;
    return { batchId: manifest.batchId, records: records.length, duplicate: false };
  }

  /** The stored answer for a batch id, if any (409 when it is another device's). */
  lookup(deviceId: string, batchId: string): Promise<IngestResult | undefined> {
    return this.existing(this.db, batchId, deviceId);
  }

  /**
   * The answer for a batch id already stored: a duplicate of this device's, or a conflict (409) —
   * another device's id, or other bytes (given `sha256`) under this id. Acknowledging those as a duplicate
   * would let the device delete records the server never stored; a device's resend is byte-identical.
   */
  private async existing(
    q: Queryable,
    batchId: string,
    deviceId: string,
    sha256?: string,
  ): Promise<IngestResult | undefined> {
    const { rows } = await q.query<{ device_id: string; records: number; sha256: string }>(
      'SELECT device_id, records, sha256 FROM log_batches WHERE batch_id = $1',
      [batchId],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.device_id !== deviceId) throw new Conflict(`batch id ${batchId} is taken by another device`);
    if (sha256 !== undefined && row.sha256 !== sha256)
      throw new Conflict(
        `batch id ${batchId} was stored with different content (sha256 ${row.sha256}); a resend must be identical`,
      );
    return { batchId, records: row.records, duplicate: true };
  }
}

interface BatchRow {
  batchId: string;
  sha256: string;
  size: number;
  blobKey: string;
}

/**
 * The claim, the records and the hourly aggregates in ONE statement (data-modifying CTEs), so a
 * batch costs one round trip and commits atomically without BEGIN/COMMIT. Rows and aggregates are
 * written only when the claim inserted; a racing identical upload waits on the key and claims
 * nothing. Arrays are unnested server-side; the aggregates are rolled up in JS first (one row per
 * model, version and hour, sorted so concurrent batches lock rows in the same order).
 * Measured on this 2-core machine: ~3x faster per batch than a transaction of four statements.
 */
async function store(
  q: Queryable,
  deviceId: string,
  batch: BatchRow,
  records: readonly StoredRecord[],
): Promise<boolean> {
  const rows = hourly(records);
  const { rows: answer } = await q.query<{ claimed: number }>(
    `WITH claim AS (
       INSERT INTO log_batches (batch_id, device_id, sha256, size, records, blob_key) VALUES ($2, $1, $3, $4, $5, $6)
       ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id
     ), recs AS (
       INSERT INTO inference_records (device_id, batch_id, seq, ts, model_name, model_version, latency_ms, confidence, label, drift, features)
       SELECT $1, $2, seq, to_timestamp(ts / 1000.0), model_name, model_version, latency_ms, confidence, label, drift, features::real[]
       FROM unnest($7::int[], $8::float8[], $9::text[], $10::int[], $11::float8[], $12::float8[], $13::text[], $14::int[], $23::text[])
         AS r(seq, ts, model_name, model_version, latency_ms, confidence, label, drift, features)
       WHERE EXISTS (SELECT 1 FROM claim)
     ), hours AS (
       INSERT INTO inference_hourly AS h (device_id, model_name, model_version, hour, count, latency_sum, confidence_sum, drift_alarms, drift_warnings, classes)
       SELECT $1, model_name, model_version, to_timestamp(hour / 1000.0), count, latency_sum, confidence_sum, drift_alarms, drift_warnings, classes::jsonb
       FROM unnest($15::text[], $16::int[], $17::float8[], $18::bigint[], $19::float8[], $20::float8[], $21::bigint[], $22::text[], $24::bigint[])
         AS r(model_name, model_version, hour, count, latency_sum, confidence_sum, drift_alarms, classes, drift_warnings)
       WHERE EXISTS (SELECT 1 FROM claim)
       ON CONFLICT (device_id, model_name, model_version, hour) DO UPDATE SET
         count = h.count + EXCLUDED.count,
         latency_sum = h.latency_sum + EXCLUDED.latency_sum,
         confidence_sum = h.confidence_sum + EXCLUDED.confidence_sum,
         drift_alarms = h.drift_alarms + EXCLUDED.drift_alarms,
         drift_warnings = h.drift_warnings + EXCLUDED.drift_warnings,
         -- classes are summed key by key: the union of both objects' labels.
         classes = (SELECT coalesce(jsonb_object_agg(k, coalesce((h.classes ->> k)::bigint, 0) + coalesce((EXCLUDED.classes ->> k)::bigint, 0)), '{}')
                    FROM (SELECT jsonb_object_keys(h.classes) UNION SELECT jsonb_object_keys(EXCLUDED.classes)) AS keys(k))
     )
     SELECT count(*)::int AS claimed FROM claim`,
    [
      deviceId,
      batch.batchId,
      batch.sha256,
      batch.size,
      records.length,
      batch.blobKey,
      records.map((_, i) => i),
      records.map((r) => r.ts),
      records.map((r) => r.modelName),
      records.map((r) => r.modelVersion),
      records.map((r) => r.latencyMs),
      records.map((r) => r.confidence),
      records.map((r) => r.cls),
      records.map((r) => r.drift),
      rows.map((r) => r.modelName),
      rows.map((r) => r.modelVersion),
      rows.map((r) => r.hour),
      rows.map((r) => r.count),
      rows.map((r) => r.latencySum),
      rows.map((r) => r.confidenceSum),
      rows.map((r) => r.driftAlarms),
      rows.map((r) => JSON.stringify(r.classes)),
      // Array literals: unnest would flatten a two-dimensional array into one row per number.
      records.map((r) => r.features),
      rows.map((r) => r.driftWarnings),
    ],
  );
  return (answer[0]?.claimed ?? 0) > 0;
}
