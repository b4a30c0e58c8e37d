import { gzipSync, strToU8 } from 'fflate';
import { createTar } from 'nanotar';
import { z } from 'zod';
import { BatchIdSchema, MAX_RECORD_TS, MIN_RECORD_TS } from './record.ts';

/**
 * A log batch as it travels: a tar.gz holding `manifest.json`, `records.jsonl` (one record per
 * line) and optional attachments (e.g. drift samples' input images). The manifest names every
 * other file with its sha256 and size, so a truncated or altered package is refused as a whole.
 * Pure TS (fflate, nanotar, SubtleCrypto): the device builds it in the browser, the server reads it in Node.
 */
export const MANIFEST = 'manifest.json';
export const RECORDS = 'records.jsonl';

const FileSchema = z.object({
  name: z.string().min(1).max(255),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});
export const ManifestSchema = z.object({
  batchId: BatchIdSchema,
  deviceId: z.string().optional(),
  records: z.number().int().nonnegative(),
  files: z.array(FileSchema),
  createdAt: z.string(),
});
export type PackageManifest = z.infer<typeof ManifestSchema>;

export class PackageError extends Error {
  constructor(message: string) {
    super(`malformed log package: ${message}`);
    this.name = 'PackageError';
  }
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

export interface BuildOptions {
  deviceId?: string;
  /**
   * Defaults to the newest record's time rather than now: together with fixed tar and gzip times,
   * the same batch packs to the same bytes, so a resend after a lost acknowledgement is identical.
   */
  createdAt?: string;
}

export async function buildPackage(
  batchId: string,
  records: readonly object[],
  attachments: Readonly<Record<string, Uint8Array>> = {},
  options: BuildOptions = {},
): Promise<Uint8Array> {
  BatchIdSchema.parse(batchId);
  const contents: [string, Uint8Array][] = [[RECORDS, strToU8(records.map((r) => `${JSON.stringify(r)}\n`).join(''))]];
  for (const [name, data] of Object.entries(attachments)) {
    if (name === MANIFEST || name === RECORDS) throw new Error(`attachment name ${name} is reserved`);
    contents.push([name, data]);
  }
  const files = await Promise.all(
    contents.map(async ([name, data]) => ({ name, sha256: await sha256Hex(data), size: data.length })),
  );
  let newest = 0;
  for (const r of records) {
    const ts = (r as { ts?: unknown }).ts;
    // A time out of range is the server's to refuse (naming the record), not a reason to fail packing.
    if (typeof ts === 'number' && ts >= MIN_RECORD_TS && ts <= MAX_RECORD_TS) newest = Math.max(newest, ts);
  }
  const manifest: PackageManifest = {
    batchId,
    ...(options.deviceId ? { deviceId: options.deviceId } : {}),
    records: records.length,
    files,
    createdAt: options.createdAt ?? new Date(newest).toISOString(),
  };
  const tar = createTar(
    [{ name: MANIFEST, data: strToU8(JSON.stringify(manifest)) }, ...contents.map(([name, data]) => ({ name, data }))],
    { attrs: { mtime: 0 } },
  );
  return gzip(tar);
}

/**
 * gzip by the platform's zlib (CompressionStream: browsers, Node ≥ 18) — several times faster than
 * JS deflate on a device — else fflate. Either way the header carries no time, so one device
 * packs one batch to the same bytes on every resend.
 */
async function gzip(data: Uint8Array): Promise<Uint8Array> {
  if (typeof CompressionStream === 'undefined') return gzipSync(data, { mtime: 0 });
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A package over a limit (MAX_BATCH_RECORDS, MAX_RECORD_BYTES, or the unpacked size they allow): the server answers 413. */
export class PackageTooLargeError extends Error {
  constructor(
    readonly limit: 'records' | 'record_bytes' | 'unpacked_bytes',
    message: string,
  ) {
    super(`log package too large: ${message}`);
    this.name = 'PackageTooLargeError';
  }
}
