import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Conflict, TooLarge } from '../errors.ts';
import type { IngestResult } from './index.ts';

/** `Content-Range: bytes start-end/total`, end inclusive. */
export interface ChunkRange {
  start: number;
  end: number;
  total: number;
}

export type ChunkAnswer = { done: false; offset: number; total: number } | { done: true; result: IngestResult };

export interface UploadState {
  offset: number;
  /** The package's size, once a first chunk announced it. */
  total: number | null;
}

export interface ResumableOptions {
  /** Folder of the partial uploads (under DATA_DIR/staging). */
  root: string;
  ingest(deviceId: string, file: { path: string; sha256: string }, batchId: string): Promise<IngestResult>;
  lookup(deviceId: string, batchId: string): Promise<IngestResult | undefined>;
  /** Partial uploads untouched this long are deleted. */
  ttlMs?: number;
  now?: () => number;
}

const DAY_MS = 24 * 3_600_000;

/** A chunk at the wrong offset: a conflict carrying the offset to continue from (the route sends it as a header too). */
export class OffsetConflict extends Conflict {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message, { details: { offset } });
  }
}

/**
 * Resumable upload of large batches: chunks with a Content-Range are appended to a file staged
 * under `<root>/<device id>/<batch id>/<total>.part`, so a device sees only its own partial uploads
 * and a lost connection costs only the unsent part: whatever bytes reached the disk count (they
 * are the package's bytes at those offsets). The chunk that completes the file hands it to the
 * same ingest as the multipart route. One chunk per batch at a time in this process; partial
 * uploads untouched for ttlMs are swept on a later request. Staging is per instance: behind a load
 * balancer a device reaching another instance is told offset 0 and starts over — slower, still once.
 */
export class ResumableUploads {
  private readonly busy = new Set<string>();
  private lastSweep = 0;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: ResumableOptions) {
    this.ttlMs = opts.ttlMs ?? DAY_MS;
    this.now = opts.now ?? Date.now;
  }

  async state(deviceId: string, batchId: string): Promise<UploadState> {
    await this.sweep();
    const part = await this.part(deviceId, batchId);
    return part ? { offset: part.size, total: part.total } : { offset: 0, total: null };
  }

  async append(
    deviceId: string,
    batchId: string,
    range: ChunkRange,
    body: Readable,
    maxBytes: number,
  ): Promise<ChunkAnswer> {
    if (range.total > maxBytes)
      throw new TooLarge(
        `the batch (${range.total} bytes) is larger than the limit of ${maxBytes} bytes (MAX_UPLOAD_BYTES)`,
      );
    await this.sweep();
    const key = `${deviceId}/${batchId}`;
    if (this.busy.has(key))
      throw new OffsetConflict(
        `a chunk of batch ${batchId} is being received already`,
        (await this.state(deviceId, batchId)).offset,
      );
    this.busy.add(key);
    try {
      return await this.appendLocked(deviceId, batchId, range, body);
    } finally {
      this.busy.delete(key);
    }
  }

  private async appendLocked(
    deviceId: string,
    batchId: string,
    range: ChunkRange,
    body: Readable,
  ): Promise<ChunkAnswer> {
    const part = await this.part(deviceId, batchId);
    if (!part) {
      // Nothing staged: either nothing was sent yet, or the batch was stored and its answer lost.
      const stored = await this.opts.lookup(deviceId, batchId);
      if (stored) return { done: true, result: stored };
      if (range.start !== 0) throw new OffsetConflict(`batch ${batchId}: nothing received yet; start at offset 0`, 0);
    } else {
      if (part.total !== range.total)
        throw new OffsetConflict(
          `batch ${batchId} was announced with ${part.total} bytes, this chunk says ${range.total}`,
          part.size,
        );
      if (range.start !== part.size)
        throw new OffsetConflict(`batch ${batchId}: ${part.size} bytes received; continue at that offset`, part.size);
    }
    const dir = this.dir(deviceId, batchId);
    const file = path.join(dir, `${range.total}.part`);
    await mkdir(dir, { recursive: true });
    let left = range.end - range.start + 1;
    // Bytes past the announced range are dropped, never written at the wrong offset.
    const cap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        const take = chunk.subarray(0, Math.max(0, left));
        left -= take.length;
        done(null, take);
      },
    });
    // A cut connection rejects here; the bytes written before the cut stay and count.
    await pipeline(body, cap, createWriteStream(file, { flags: 'a' }));
    const size = (await stat(file)).size;
    if (size < range.total) return { done: false, offset: size, total: range.total };
    try {
      return {
        done: true,
        result: await this.opts.ingest(deviceId, { path: file, sha256: await sha256Of(file) }, batchId),
      };
    } finally {
      // Stored, or refused (a malformed package, a digest that does not match): either way the
      // staged bytes are done with, and a retry starts over from offset 0.
      await rm(dir, { recursive: true, force: true });
    }
  }

  private dir(deviceId: string, batchId: string): string {
    return path.join(this.opts.root, deviceId, batchId);
  }

  private async part(deviceId: string, batchId: string): Promise<{ size: number; total: number } | undefined> {
    const dir = this.dir(deviceId, batchId);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const name = names.find((n) => /^\d+\.part$/.test(n));
    if (!name) return undefined;
    return { size: (await stat(path.join(dir, name))).size, total: Number(name.slice(0, -'.part'.length)) };
  }

  /** Deletes partial uploads untouched for ttlMs; runs at most once per tenth of the TTL (and per minute). */
  private async sweep(): Promise<void> {
    const now = this.now();
    if (now - this.lastSweep < Math.min(this.ttlMs / 10, 60_000)) return;
    this.lastSweep = now;
    const list = (dir: string) => readdir(dir).catch(() => [] as string[]);
    for (const device of await list(this.opts.root)) {
      for (const batch of await list(path.join(this.opts.root, device))) {
        const dir = path.join(this.opts.root, device, batch);
        if (this.busy.has(`${device}/${batch}`)) continue;
        const touched = Math.max(
          0,
          ...(await Promise.all(
            (await list(dir)).map(async (n) => (await stat(path.join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0),
          )),
        );
        if (now - touched > this.ttlMs) await rm(dir, { recursive: true, force: true });
      }
      await rmdir(path.join(this.opts.root, device)).catch(() => {}); // fails, as meant, while not empty
    }
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
