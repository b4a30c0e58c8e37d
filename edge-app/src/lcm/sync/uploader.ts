import { buildPackage } from '../../../../shared/ingest/package.ts';
import { DEFAULT_MAX_BATCH_RECORDS } from '../../../../shared/ingest/record.ts';
import { API_PREFIX } from '../../../../shared/protocol/index.ts';
import type { DataLogger } from '../logger/logger.ts';
import type { InferenceRecord } from '../types.ts';
import { ApiError } from '../../../../shared/protocol/client.ts';
import { httpError, networkError, RetryableError } from '../../../../shared/sync/http-errors.ts';
import { withBackoff, type BackoffOptions } from './backoff.ts';

export { RetryableError };

export interface LogUploaderOptions {
  logger: DataLogger;
  /** The server's base URL (e.g. `https://sphere.example`). */
  url: string;
  /** The device token. */
  token: string;
  fetch?: typeof fetch;
  /** Records per batch, at most (whole segments; one segment even if larger): default 5000, never above the server's default MAX_BATCH_RECORDS. */
  maxRecords?: number;
  /** Packages larger than this many bytes go up in resumable chunks; 1 MiB by default. */
  chunkThreshold?: number;
  /** Bytes per chunk of a resumable upload; 1 MiB by default. */
  chunkSize?: number;
}

const MiB = 1024 * 1024;
/** 409s in a row (another chunk of the batch still in flight on the server) before backing off. */
const MAX_OFFSET_CONFLICTS = 3;

export interface UploadSummary {
  batches: number;
  records: number;
  /** Batches the server refused for good and the logger set aside (see DataLogger.setAsideBatches). */
  setAside: number;
}

/**
 * Refusals of the batch itself (malformed, over a limit, invalid records): the same bytes will be
 * refused again, so the batch is set aside and the next one goes. 401/403/409, 429, 5xx and network
 * failures say nothing against the batch and stop the run instead.
 */
const SET_ASIDE_STATUSES = new Set([400, 413, 422]);

/** The server refused a batch for good (4xx other than 429): retrying the same bytes cannot help. */
export class UploadRejectedError extends ApiError {
  constructor(message: string, status: number, code = 'http') {
    super(status, code, message);
    this.name = 'UploadRejectedError';
  }
}

/**
 * Sends the logger's records as batches, exactly once from the server's view: a batch id is fixed
 * (markSent) before the first attempt and reused by every retry, so a batch whose acknowledgement
 * was lost is resent under the same id and the server stores it once. Records are acknowledged —
 * and only then eligible for retention — after the server's 200/201.
 */
export class LogUploader {
  private readonly logger: DataLogger;
  private readonly endpoint: string;
  private readonly token: string;
  private readonly fetch: typeof fetch;
  private readonly maxRecords: number;
  private readonly chunkThreshold: number;
  private readonly chunkSize: number;

  constructor(options: LogUploaderOptions) {
    this.logger = options.logger;
    this.endpoint = `${options.url.replace(/\/+$/, '')}${API_PREFIX}/devices/me/batches`;
    this.token = options.token;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.maxRecords = Math.min(options.maxRecords ?? 5000, DEFAULT_MAX_BATCH_RECORDS);
    this.chunkThreshold = options.chunkThreshold ?? MiB;
    this.chunkSize = Math.max(1, options.chunkSize ?? MiB);
  }

  /** Resends pending batches, then sends new ones until nothing is unsent. Throws on the first failure. */
  uploadOnce(): Promise<UploadSummary> {
    return this.run({ batches: 0, records: 0, setAside: 0 });
  }

  /** uploadOnce, retried with exponential backoff and full jitter while failures are retryable. */
  async uploadWithRetry(opts: BackoffOptions): Promise<UploadSummary> {
    // One summary across attempts: batches acknowledged before a failure still count.
    const total: UploadSummary = { batches: 0, records: 0, setAside: 0 };
    return withBackoff(() => this.run(total), opts);
  }

  /**
   * Closes every unsent record into batches and packs them now, so a later upload only sends
   * (e.g. while the network is down, or before a benchmark's clock). Returns how many are ready.
   */
  async prepare(): Promise<number> {
    while (await this.closeBatch()) {
      /* until nothing is unsent */
    }
    for (const batchId of await this.logger.pendingBatches()) {
      if (!this.packed.has(batchId))
        this.packed.set(batchId, await this.pack(batchId, await this.logger.batch(batchId)));
    }
    return this.packed.size;
  }

  /** Packages built ahead by `prepare`, by batch id; dropped once acknowledged. */
  private readonly packed = new Map<string, { bytes: Uint8Array; records: number } | undefined>();

  private async run(done: UploadSummary): Promise<UploadSummary> {
    for (const batchId of await this.logger.pendingBatches()) {
      await this.send(done, batchId);
    }
    for (;;) {
      const batchId = await this.closeBatch();
      if (!batchId) return done;
      await this.send(done, batchId);
    }
  }

  /** Takes unsent records into a new batch; its id is fixed before the first byte leaves, and only ever sent under it. */
  private async closeBatch(): Promise<string | undefined> {
    const records = await this.logger.unacked(this.maxRecords);
    if (records.length === 0) return undefined;
    // unacked() ends with the segment that reaches the limit: leave it for the next batch when it
    // would go beyond (the logger keeps each segment within the server's limit).
    const segments: number[] = [];
    let taken = 0;
    for (const r of records) {
      if (r.segment === undefined) continue;
      if (r.segment !== segments.at(-1)) {
        if (segments.length > 0 && taken + countOf(records, r.segment) > this.maxRecords) break;
        segments.push(r.segment);
      }
      taken += 1;
    }
    const batchId = crypto.randomUUID();
    await this.logger.markSent(segments, batchId);
    return batchId;
  }

  private async pack(
    batchId: string,
    records: readonly InferenceRecord[],
  ): Promise<{ bytes: Uint8Array; records: number } | undefined> {
    return records.length === 0
      ? undefined
      : { bytes: await buildPackage(batchId, records.map(portable)), records: records.length };
  }

  private async send(done: UploadSummary, batchId: string): Promise<void> {
    const pkg = this.packed.has(batchId)
      ? this.packed.get(batchId)
      : await this.pack(batchId, await this.logger.batch(batchId));
    if (!pkg) return;
    const { bytes, records } = pkg;
    const res =
      bytes.length > this.chunkThreshold
        ? await this.sendChunked(batchId, bytes)
        : await this.sendWhole(batchId, bytes);
    try {
      await refusal(res, batchId);
    } catch (err) {
      if (!(err instanceof UploadRejectedError && SET_ASIDE_STATUSES.has(err.status))) throw err;
      await this.logger.setAside(batchId, { status: err.status, message: err.message });
      this.packed.delete(batchId);
      done.setAside += 1;
      return;
    }
    await this.logger.acknowledge(batchId);
    this.packed.delete(batchId);
    done.batches += 1;
    done.records += records;
  }

  private sendWhole(batchId: string, bytes: Uint8Array): Promise<Response> {
    const form = new FormData();
    form.append(
      'package',
      new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/gzip' }),
      `${batchId}.tar.gz`,
    );
    return this.request(batchId, this.endpoint, { method: 'POST', body: form });
  }

  /**
   * A large package in chunks, from the offset the server holds: after a lost connection only the
   * unsent rest goes up again. The chunk that completes the package gets the multipart route's
   * answer (201, or 200 for a duplicate); a 409 names the offset to continue from.
   */
  private async sendChunked(batchId: string, bytes: Uint8Array): Promise<Response> {
    const url = `${this.endpoint}/${encodeURIComponent(batchId)}/upload`;
    const probe = await this.request(batchId, url, { method: 'GET' });
    await refusal(probe, batchId, [200]);
    let offset = Number(probe.headers.get('upload-offset') ?? 0);
    let conflicts = 0;
    for (;;) {
      if (!(offset >= 0 && offset < bytes.length)) offset = 0;
      const end = Math.min(bytes.length, offset + this.chunkSize);
      const res = await this.request(batchId, url, {
        method: 'PUT',
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `bytes ${offset}-${end - 1}/${bytes.length}`,
        },
        body: bytes.slice(offset, end) as Uint8Array<ArrayBuffer>,
      });
      const next = res.headers.get('upload-offset');
      if (res.status === 202 || (res.status === 409 && next !== null)) {
        conflicts = res.status === 409 ? conflicts + 1 : 0;
        if (conflicts > MAX_OFFSET_CONFLICTS)
          throw new RetryableError(`upload of batch ${batchId}: the server keeps answering 409 at offset ${next}`);
        await res.body?.cancel();
        offset = Number(next);
        continue;
      }
      return res;
    }
  }

  /** One request; a network failure is retryable. */
  private async request(batchId: string, url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(url, {
        ...init,
        headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${this.token}` },
      });
    } catch (err) {
      throw networkError(err, `upload of batch ${batchId}`);
    }
  }
}

/**
 * Throws for an answer that is not one of `ok`: 429 and 5xx are retryable, carrying the server's
 * Retry-After (seconds or an HTTP date); any other status refuses the batch for good.
 */
async function refusal(res: Response, batchId: string, ok: readonly number[] = [200, 201]): Promise<void> {
  if (ok.includes(res.status)) return;
  throw await httpError(
    res,
    `upload of batch ${batchId}`,
    (m, status, code) =>
      new UploadRejectedError(m.replace(/^upload of batch (\S+):/, 'upload of batch $1 refused:'), status, code),
  );
}

/** A record as the server sees it: without the device's bookkeeping, so every resend packs the same bytes. */
function portable(r: InferenceRecord): Omit<InferenceRecord, 'segment' | 'acked' | 'batchId' | 'setAside'> {
  const { segment: _s, acked: _a, batchId: _b, setAside: _x, ...rest } = r;
  return rest;
}

function countOf(records: readonly InferenceRecord[], segment: number): number {
  let n = 0;
  for (const r of records) if (r.segment === segment) n++;
  return n;
}
