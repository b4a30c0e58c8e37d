import type { Readable } from 'node:stream';

export interface BlobStat {
  key: string;
  size: number;
  lastModified: Date;
  /** Opaque; changes whenever the bytes under the key are written again (an ETag, an inode and ctime). */
  version?: string;
}

/** Inclusive byte range, as in HTTP's `Range: bytes=start-end`; `end` omitted means to the last byte. */
export interface ByteRange {
  start: number;
  end?: number;
}

/**
 * The blob seam: a dumb key/value store for large bytes. Key layout (e.g. `models/<sha256>`) and
 * hashing live in the services that use it. Keys are validated by `assertBlobKey`.
 */
export interface BlobStore {
  readonly kind: 'fs' | 's3';
  /** Stores the bytes under key, replacing what was there; the size must be known up front. */
  put(key: string, body: Readable | Uint8Array, size: number): Promise<void>;
  /** A stream of the bytes, or of the range; undefined when the key does not exist. */
  get(key: string, range?: ByteRange): Promise<Readable | undefined>;
  stat(key: string): Promise<BlobStat | undefined>;
  /** Removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every key starting with prefix, in lexicographic order. */
  list(prefix?: string): AsyncIterable<string>;
  close(): Promise<void>;
}

export class InvalidBlobKeyError extends Error {
  constructor(key: string, reason: string) {
    super(`invalid blob key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidBlobKeyError';
  }
}

/** A folder store cannot hold both `a` and `a/b`: one would have to be a file and a folder. */
export class BlobConflictError extends Error {
  constructor(key: string) {
    super(
      `blob key ${JSON.stringify(key)} conflicts with an existing key (a key cannot also be a folder of other keys)`,
    );
    this.name = 'BlobConflictError';
  }
}

export class InvalidRangeError extends Error {
  constructor(range: ByteRange, size: number) {
    super(`range ${range.start}-${range.end ?? ''} is outside 0-${Math.max(0, size - 1)}`);
    this.name = 'InvalidRangeError';
  }
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Keys are slash-separated segments of [A-Za-z0-9._-] that do not start with a dot, so no key can
 * name a parent folder, an absolute path, or a hidden file in the folder store; at most 512 bytes.
 */
export function assertBlobKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidBlobKeyError(String(key), 'empty');
  if (key.length > 512) throw new InvalidBlobKeyError(`${key.slice(0, 40)}…`, 'longer than 512 characters');
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment)) {
      throw new InvalidBlobKeyError(
        key,
        'segments must be non-empty, use only A-Z a-z 0-9 . _ - and not start with a dot',
      );
    }
  }
}

/** Resolves a range against the object size; throws InvalidRangeError when unsatisfiable. */
export function resolveRange(range: ByteRange, size: number): { start: number; end: number } {
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (!Number.isInteger(range.start) || range.start < 0 || range.start > end) throw new InvalidRangeError(range, size);
  return { start: range.start, end };
}
