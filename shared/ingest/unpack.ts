import { Gunzip } from 'fflate';
import { z } from 'zod';
import {
  MANIFEST,
  ManifestSchema,
  PackageError,
  PackageTooLargeError,
  RECORDS,
  sha256Hex,
  type PackageManifest,
} from './package.ts';
import {
  DEFAULT_MAX_BATCH_RECORDS,
  DEFAULT_MAX_RECORD_BYTES,
  IngestRecordSchema,
  isPlainRecord,
  type IngestRecord,
} from './record.ts';

/**
 * Reading a package as a stream of tar bytes (the caller gunzips: node:zlib on the server, fflate
 * here), checked as it arrives so a bomb is refused after at most one limit's worth of work: the
 * manifest comes first and is checked before anything else, every entry's declared size is checked
 * against the manifest and the caps at its header, records.jsonl is split, parsed and validated line
 * by line (each line at most maxRecordBytes, at most maxRecords lines), and only what `mapRecord`
 * keeps of each record stays in memory.
 */

export interface Hasher {
  update(bytes: Uint8Array): void;
  digest(): Promise<string>;
}

export interface PackageLimits {
  /** Records a package may hold (MAX_BATCH_RECORDS). */
  maxRecords: number;
  /** Bytes one line of records.jsonl may take (MAX_RECORD_BYTES). */
  maxRecordBytes: number;
  /** Unpacked (tar) bytes in all; by default maxRecords × maxRecordBytes, plus room for the manifest and tar's headers. */
  maxUnpackedBytes: number;
}

export interface UnpackOptions<R> extends Partial<PackageLimits> {
  /** Incremental sha256 (the server passes node:crypto's); by default the file is kept and hashed by SubtleCrypto at its end. */
  hasher?: () => Hasher;
  /** What to keep of each valid record (default: the record itself). */
  mapRecord?: (record: IngestRecord) => R;
  /** Keep the attachments' bytes in the result (default false: only their digests are checked). */
  keepAttachments?: boolean;
}

export interface UnpackedPackage<R = IngestRecord> {
  manifest: PackageManifest;
  records: R[];
  attachments: Map<string, Uint8Array>;
}

const BLOCK = 512;
/** manifest.json is a few hundred bytes per listed file. */
const MAX_MANIFEST_BYTES = 1024 * 1024;
/** Zero padding accepted after the end-of-archive block (writers pad to 10 KiB records). */
const MAX_TRAILING_BYTES = 20 * 1024;
const TAR_OVERHEAD = MAX_MANIFEST_BYTES + 64 * 1024;

export const limitsOf = (o: Partial<PackageLimits> = {}): PackageLimits => {
  const maxRecords = o.maxRecords ?? DEFAULT_MAX_BATCH_RECORDS;
  const maxRecordBytes = o.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  return {
    maxRecords,
    maxRecordBytes,
    maxUnpackedBytes: o.maxUnpackedBytes ?? maxRecords * maxRecordBytes + TAR_OVERHEAD,
  };
};

/** Keeps the chunks and hashes them once at the end: SubtleCrypto has no incremental sha256. */
function bufferingHasher(): Hasher {
  const parts: Uint8Array[] = [];
  return { update: (b) => void parts.push(b.slice()), digest: () => sha256Hex(concat(parts)) };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

interface Entry {
  name: string;
  left: number;
  /** Padding after the data, to the next block. */
  pad: number;
  hasher: Hasher | undefined;
  kept: Uint8Array[] | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Octal number field of a tar header (NUL/space terminated); NaN when it is not one. */
function octal(block: Uint8Array, at: number, len: number): number {
  let s = '';
  for (let i = at; i < at + len; i++) {
    const c = block[i]!;
    if (c === 0 || c === 0x20) {
      if (s) break;
      continue;
    }
    if (c < 0x30 || c > 0x37) return NaN;
    s += String.fromCharCode(c);
  }
  return s ? parseInt(s, 8) : NaN;
}

function text(block: Uint8Array, at: number, len: number): string {
  const field = block.subarray(at, at + len);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

export class PackageUnpacker<R = IngestRecord> {
  readonly limits: PackageLimits;
  private readonly hasher: () => Hasher;
  private readonly mapRecord: (r: IngestRecord) => R;
  private readonly keepAttachments: boolean;
  private header = new Uint8Array(BLOCK);
  private headerFill = 0;
  private entry: Entry | undefined;
  private pad = 0;
  private ended = false;
  private trailing = 0;
  private total = 0;
  private manifest: PackageManifest | undefined;
  private readonly seen = new Set<string>();
  private readonly digests: Promise<void>[] = [];
  private readonly attachments = new Map<string, Uint8Array>();
  readonly records: R[] = [];
  private line: Uint8Array[] = [];
  private lineBytes = 0;
  private lines = 0;

  constructor(options: UnpackOptions<R> = {}) {
    this.limits = limitsOf(options);
    this.hasher = options.hasher ?? bufferingHasher;
    this.mapRecord = options.mapRecord ?? ((r) => r as unknown as R);
    this.keepAttachments = options.keepAttachments ?? false;
  }

  /** Takes the next tar bytes; throws a PackageError or PackageTooLargeError as soon as something is wrong. */
  push(chunk: Uint8Array): void {
    this.total += chunk.length;
    if (this.total > this.limits.maxUnpackedBytes)
      throw new PackageTooLargeError('unpacked_bytes', `it unpacks to more than ${this.limits.maxUnpackedBytes} bytes`);
    let at = 0;
    while (at < chunk.length) {
      if (this.ended) {
        this.trail(chunk.subarray(at));
        return;
      }
      if (this.pad > 0) {
        const n = Math.min(this.pad, chunk.length - at);
        this.pad -= n;
        at += n;
      } else if (this.entry) {
        const e = this.entry;
        const n = Math.min(e.left, chunk.length - at);
        this.data(e, chunk.subarray(at, at + n));
        e.left -= n;
        at += n;
        if (e.left === 0) this.endEntry(e);
      } else {
        const n = Math.min(BLOCK - this.headerFill, chunk.length - at);
        this.header.set(chunk.subarray(at, at + n), this.headerFill);
        this.headerFill += n;
        at += n;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.startEntry(this.header);
        }
      }
    }
  }

  /** After the last byte: checks what only the whole package shows, and gives the result. */
  async finish(): Promise<UnpackedPackage<R>> {
    if (this.entry || this.pad > 0 || this.headerFill > 0) throw new PackageError('the tar archive is truncated');
    const manifest = this.manifest;
    if (!manifest) throw new PackageError(`no ${MANIFEST}`);
    for (const f of manifest.files)
      if (!this.seen.has(f.name)) throw new PackageError(`${f.name} is listed but missing`);
    if (!this.seen.has(RECORDS)) throw new PackageError(`no ${RECORDS}`);
    await Promise.all(this.digests);
    if (this.records.length !== manifest.records)
      throw new PackageError(`${RECORDS} holds ${this.records.length} records, the manifest says ${manifest.records}`);
    return { manifest, records: this.records, attachments: this.attachments };
  }

  private trail(bytes: Uint8Array): void {
    this.trailing += bytes.length;
    if (this.trailing > MAX_TRAILING_BYTES || bytes.some((b) => b !== 0))
      throw new PackageError('data after the end of the tar archive');
  }

  private startEntry(h: Uint8Array): void {
    if (h.every((b) => b === 0)) {
      this.ended = true;
      return;
    }
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (octal(h, 148, 8) !== sum) throw new PackageError('not a tar archive (a header checksum does not match)');
    const size = octal(h, 124, 12);
    if (!Number.isSafeInteger(size)) throw new PackageError('not a tar archive (an entry size is not a number)');
    const type = h[156];
    let name = text(h, 0, 100);
    const prefix = text(h, 257, 6) === 'ustar' ? text(h, 345, 155) : '';
    if (prefix) name = `${prefix}/${name}`;
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    // Directories carry nothing; other special entries never occur in a package.
    if (type === 0x35) return void (this.pad = size + pad);
    if (type !== 0x30 && type !== 0)
      throw new PackageError(`${name}: tar entries of type ${String.fromCharCode(type ?? 0)} are not accepted`);
    if (size > this.limits.maxUnpackedBytes)
      throw new PackageTooLargeError(
        'unpacked_bytes',
        `${name} has ${size} bytes, more than the limit of ${this.limits.maxUnpackedBytes}`,
      );
    if (this.seen.has(name)) throw new PackageError(`${name} appears twice`);
    this.seen.add(name);
    const m = this.manifest;
    if (!m) {
      // First, so sizes and the record count are known before any other byte is spent on.
      if (name !== MANIFEST) throw new PackageError(`no ${MANIFEST} (it must be the first entry)`);
      if (size > MAX_MANIFEST_BYTES)
        throw new PackageError(`${MANIFEST} has ${size} bytes, more than ${MAX_MANIFEST_BYTES}`);
    } else {
      const listed = m.files.find((f) => f.name === name);
      if (!listed) throw new PackageError(`${name} is not listed in the manifest`);
      if (listed.size !== size) throw new PackageError(`${name} has ${size} bytes, the manifest says ${listed.size}`);
    }
    const keep = !m || (name !== RECORDS && this.keepAttachments);
    this.entry = { name, left: size, pad, hasher: m ? this.hasher() : undefined, kept: keep ? [] : undefined };
    if (size === 0) this.endEntry(this.entry);
  }

  private data(e: Entry, bytes: Uint8Array): void {
    e.hasher?.update(bytes);
    e.kept?.push(bytes.slice());
    if (e.name === RECORDS) this.recordBytes(bytes);
  }

  private endEntry(e: Entry): void {
    this.entry = undefined;
    this.pad = e.pad;
    if (!this.manifest) return void (this.manifest = parseManifest(concat(e.kept!), this.limits));
    if (e.name === RECORDS) this.endRecords();
    const expected = this.manifest.files.find((f) => f.name === e.name)!.sha256;
    const kept = e.kept;
    const digest = e.hasher!.digest().then((hex) => {
      if (hex !== expected) throw new PackageError(`${e.name} does not match its sha256`);
      if (kept) this.attachments.set(e.name, concat(kept));
    });
    digest.catch(() => {}); // awaited in finish(); an early throw elsewhere must not leave it unhandled
    this.digests.push(digest);
  }

  /** Splits records.jsonl into lines as bytes arrive; each complete line is parsed at once. */
  private recordBytes(bytes: Uint8Array): void {
    let from = 0;
    const complete: string[] = [];
    for (let nl = bytes.indexOf(0x0a); nl >= 0; nl = bytes.indexOf(0x0a, from)) {
      this.addToLine(bytes.subarray(from, nl));
      complete.push(this.takeLine());
      from = nl + 1;
    }
    this.addToLine(bytes.subarray(from));
    if (complete.length) this.parse(complete);
  }

  private addToLine(part: Uint8Array): void {
    if (part.length === 0) return;
    this.lineBytes += part.length;
    if (this.lineBytes > this.limits.maxRecordBytes)
      throw new PackageTooLargeError(
        'record_bytes',
        `${RECORDS} line ${this.lines + 1} is longer than the limit of ${this.limits.maxRecordBytes} bytes`,
      );
    this.line.push(part.slice());
  }

  private takeLine(): string {
    const n = ++this.lines;
    if (n > this.limits.maxRecords)
      throw new PackageTooLargeError(
        'records',
        `${RECORDS} holds more than the limit of ${this.limits.maxRecords} records`,
      );
    if (n > this.manifest!.records)
      throw new PackageError(`${RECORDS} holds more records than the ${this.manifest!.records} the manifest says`);
    const bytes = concat(this.line);
    this.line = [];
    this.lineBytes = 0;
    try {
      return utf8.decode(bytes);
    } catch {
      throw new PackageError(`${RECORDS} line ${n} is not UTF-8`);
    }
  }

  private endRecords(): void {
    if (this.lineBytes > 0) this.parse([this.takeLine()]);
  }

  /**
   * The happy path is one JSON.parse for the lines at hand and a hand-written check per record
   * (~20x cheaper than zod); a record the quick check does not accept goes through the zod schema,
   * which either accepts it after all or says what is wrong, with its line number.
   */
  private parse(lines: string[]): void {
    const first = this.lines - lines.length + 1;
    let all: unknown[] | undefined;
    try {
      all = JSON.parse(`[${lines.join(',')}]`) as unknown[];
      // A line holding two values ("1,2") would shift every later line: then parse line by line.
      if (all.length !== lines.length) all = undefined;
    } catch {
      all = undefined;
    }
    for (const [i, line] of lines.entries()) {
      let json: unknown;
      if (all) json = all[i];
      else {
        try {
          json = JSON.parse(line);
        } catch {
          throw new PackageError(`${RECORDS} line ${first + i} is not JSON`);
        }
      }
      if (isPlainRecord(json)) {
        this.records.push(this.mapRecord(json));
        continue;
      }
      const r = IngestRecordSchema.safeParse(json);
      if (!r.success) throw new PackageError(`${RECORDS} line ${first + i}: ${z.prettifyError(r.error)}`);
      this.records.push(this.mapRecord(r.data));
    }
  }
}

function parseManifest(bytes: Uint8Array, limits: PackageLimits): PackageManifest {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes));
  } catch (err) {
    throw new PackageError(`${MANIFEST} is not JSON (${(err as Error).message})`);
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) throw new PackageError(`invalid ${MANIFEST}: ${z.prettifyError(parsed.error)}`);
  const m = parsed.data;
  if (m.records > limits.maxRecords)
    throw new PackageTooLargeError(
      'records',
      `the manifest says ${m.records} records, more than the limit of ${limits.maxRecords}`,
    );
  return m;
}

export interface ReadOptions extends Partial<PackageLimits> {
  /** Keep the attachments' bytes (default true here). */
  keepAttachments?: boolean;
}

/**
 * Unpacks and verifies a whole package held in memory (tests, tools, the browser); anything wrong
 * throws a PackageError or PackageTooLargeError saying what. The server streams instead.
 */
export async function readPackage(bytes: Uint8Array, options: ReadOptions = {}): Promise<UnpackedPackage> {
  const unpacker = new PackageUnpacker({ keepAttachments: true, ...options });
  let failure: unknown;
  let done = false;
  const gunzip = new Gunzip((chunk, final) => {
    if (failure) return;
    try {
      unpacker.push(chunk);
    } catch (err) {
      failure = err;
    }
    if (final) done = true;
  });
  try {
    // In slices, so a bomb stops at the first limit instead of inflating all at once.
    for (let at = 0; at < bytes.length && !failure; at += 16 * 1024)
      gunzip.push(bytes.subarray(at, at + 16 * 1024), at + 16 * 1024 >= bytes.length);
  } catch (err) {
    throw new PackageError(`not gzip data (${(err as Error).message})`);
  }
  if (failure) throw failure;
  if (!done) throw new PackageError('not gzip data (it is truncated)');
  return unpacker.finish();
}
