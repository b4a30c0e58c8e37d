import { gunzipSync, gzipSync, strFromU8, strToU8 } from 'fflate';
import { createTar, parseTar } from 'nanotar';
import { z } from 'zod';
import { BatchIdSchema, IngestRecordSchema, isPlainRecord, type IngestRecord } from './record.ts';

/**
 * A log batch as it travels: a tar.gz holding `manifest.json`, `records.jsonl` (one record per
 * line) and optional attachments (e.g. drift samples' input images). The manifest names every
 * other file with its sha256 and size, so a truncated or altered package is refused as a whole.
 * Pure TS (fflate, nanotar, SubtleCrypto): the device builds it in the browser, the server reads it in Node.
 */
export const MANIFEST = 'manifest.json';
export const RECORDS = 'records.jsonl';

const FileSchema = z.object({ name: z.string().min(1).max(255), sha256: z.string().regex(/^[0-9a-f]{64}$/), size: z.number().int().nonnegative() });
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

export async function buildPackage(batchId: string, records: readonly object[], attachments: Readonly<Record<string, Uint8Array>> = {}, options: BuildOptions = {}): Promise<Uint8Array> {
  BatchIdSchema.parse(batchId);
  const contents: [string, Uint8Array][] = [[RECORDS, strToU8(records.map((r) => JSON.stringify(r) + '\n').join(''))]];
  for (const [name, data] of Object.entries(attachments)) {
    if (name === MANIFEST || name === RECORDS) throw new Error(`attachment name ${name} is reserved`);
    contents.push([name, data]);
  }
  const files = await Promise.all(contents.map(async ([name, data]) => ({ name, sha256: await sha256Hex(data), size: data.length })));
  let newest = 0;
  for (const r of records) {
    const ts = (r as { ts?: unknown }).ts;
    if (typeof ts === 'number' && Number.isFinite(ts)) newest = Math.max(newest, ts);
  }
  const manifest: PackageManifest = {
    batchId,
    ...(options.deviceId ? { deviceId: options.deviceId } : {}),
    records: records.length,
    files,
    createdAt: options.createdAt ?? new Date(newest).toISOString(),
  };
  const tar = createTar([{ name: MANIFEST, data: strToU8(JSON.stringify(manifest)) }, ...contents.map(([name, data]) => ({ name, data }))], { attrs: { mtime: 0 } });
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

export interface ReadOptions {
  /** Largest unpacked size accepted (default MAX_UNPACKED_BYTES). */
  maxUnpackedBytes?: number;
  /** The platform's gunzip (the server passes node:zlib's, which runs off the event loop); it must stop past `max` bytes. */
  gunzip?: (bytes: Uint8Array, max: number) => Promise<Uint8Array>;
}

export interface ReadPackage {
  manifest: PackageManifest;
  records: IngestRecord[];
  attachments: Map<string, Uint8Array>;
}

/** Unpacked size a package may claim, by default: bounds what a small upload can make the server allocate. */
export const MAX_UNPACKED_BYTES = 512 * 1024 * 1024;

/** Unpacks and verifies a package; anything wrong throws a PackageError saying what. */
export async function readPackage(bytes: Uint8Array, options: ReadOptions | number = {}): Promise<ReadPackage> {
  const { maxUnpackedBytes = MAX_UNPACKED_BYTES, gunzip } = typeof options === 'number' ? { maxUnpackedBytes: options } : options;
  // gzip's trailer states the unpacked size (mod 2^32), and fflate allocates exactly that: checking
  // it first refuses a decompression bomb before any memory is spent on it.
  const n = bytes.length;
  const claimed = n >= 18 ? ((bytes[n - 4]! | (bytes[n - 3]! << 8) | (bytes[n - 2]! << 16)) + bytes[n - 1]! * 2 ** 24) : 0;
  if (claimed > maxUnpackedBytes) throw new PackageError(`it unpacks to ${claimed} bytes, more than the limit of ${maxUnpackedBytes}`);
  let tar: Uint8Array;
  try {
    tar = gunzip ? await gunzip(bytes, maxUnpackedBytes) : gunzipSync(bytes);
  } catch (err) {
    throw new PackageError(`not gzip data (${(err as Error).message})`);
  }
  let entries: { name: string; data?: Uint8Array; type?: string | undefined }[];
  try {
    entries = parseTar(tar);
  } catch (err) {
    throw new PackageError(`not a tar archive (${(err as Error).message})`);
  }
  const found = new Map<string, Uint8Array>();
  for (const e of entries) {
    if (e.type !== undefined && e.type !== 'file') continue;
    if (found.has(e.name)) throw new PackageError(`${e.name} appears twice`);
    found.set(e.name, e.data ?? new Uint8Array());
  }
  const manifestBytes = found.get(MANIFEST);
  if (!manifestBytes) throw new PackageError(`no ${MANIFEST}`);
  let json: unknown;
  try {
    json = JSON.parse(strFromU8(manifestBytes));
  } catch (err) {
    throw new PackageError(`${MANIFEST} is not JSON (${(err as Error).message})`);
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) throw new PackageError(`invalid ${MANIFEST}: ${z.prettifyError(parsed.error)}`);
  const manifest = parsed.data;

  const listed = new Set(manifest.files.map((f) => f.name));
  for (const name of found.keys()) if (name !== MANIFEST && !listed.has(name)) throw new PackageError(`${name} is not listed in the manifest`);
  for (const f of manifest.files) {
    const data = found.get(f.name);
    if (!data) throw new PackageError(`${f.name} is listed but missing`);
    if (data.length !== f.size) throw new PackageError(`${f.name} has ${data.length} bytes, the manifest says ${f.size}`);
    if ((await sha256Hex(data)) !== f.sha256) throw new PackageError(`${f.name} does not match its sha256`);
  }
  const recordsBytes = found.get(RECORDS);
  if (!recordsBytes) throw new PackageError(`no ${RECORDS}`);
  const records = parseRecords(strFromU8(recordsBytes));
  if (records.length !== manifest.records) throw new PackageError(`${RECORDS} holds ${records.length} records, the manifest says ${manifest.records}`);
  const attachments = new Map([...found].filter(([name]) => name !== MANIFEST && name !== RECORDS));
  return { manifest, records, attachments };
}

/**
 * Parses records.jsonl. The happy path is one JSON.parse of the whole file and a hand-written check
 * per record (~20x cheaper than zod, which matters at 100k records/s); any record the quick check
 * does not accept goes through the zod schema, which either accepts it after all or says what is
 * wrong, with its line number.
 */
function parseRecords(text: string): IngestRecord[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let all: unknown[] | undefined;
  try {
    all = JSON.parse(`[${lines.join(',')}]`) as unknown[];
    // A line holding two values ("1,2") would shift every later line: then count per line.
    if (all.length !== lines.length) all = undefined;
  } catch {
    all = undefined;
  }
  const out: IngestRecord[] = [];
  for (const [i, line] of lines.entries()) {
    let json: unknown;
    if (all) json = all[i];
    else {
      try {
        json = JSON.parse(line);
      } catch {
        throw new PackageError(`${RECORDS} line ${i + 1} is not JSON`);
      }
    }
    if (isPlainRecord(json)) {
      out.push(json);
      continue;
    }
    const r = IngestRecordSchema.safeParse(json);
    if (!r.success) throw new PackageError(`${RECORDS} line ${i + 1}: ${z.prettifyError(r.error)}`);
    out.push(r.data);
  }
  return out;
}
