import { buildPackage } from '../../../../shared/ingest/package.ts';
import { API_PREFIX } from '../../../../shared/protocol/index.ts';
import type { DataLogger } from '../logger/logger.ts';
import type { InferenceRecord } from '../types.ts';
import { RetryableError, withBackoff, type BackoffOptions } from './backoff.ts';

export { RetryableError } from './backoff.ts';

export interface LogUploaderOptions {
  logger: DataLogger;
  /** The server's base URL (e.g. `https://sphere.example`). */
  url: string;
  /** The device token. */
  token: string;
  fetch?: typeof fetch;
  /** Records per batch, at least (whole segments are taken). */
  maxRecords?: number;
}

export interface UploadSummary {
  batches: number;
  records: number;
}

/** The server refused a batch for good (4xx other than 429): retrying the same bytes cannot help. */
export class UploadRejectedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
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

  constructor(options: LogUploaderOptions) {
    this.logger = options.logger;
    this.endpoint = `${options.url.replace(/\/+$/, '')}${API_PREFIX}/devices/me/batches`;
    this.token = options.token;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.maxRecords = options.maxRecords ?? 5000;
  }

  /** Resends pending batches, then sends new ones until nothing is unsent. Throws on the first failure. */
  uploadOnce(): Promise<UploadSummary> {
    return this.run({ batches: 0, records: 0 });
  }

  /** uploadOnce, retried with exponential backoff and full jitter while failures are retryable. */
  async uploadWithRetry(opts: BackoffOptions): Promise<UploadSummary> {
    // One summary across attempts: batches acknowledged before a failure still count.
    const total: UploadSummary = { batches: 0, records: 0 };
    return withBackoff(() => this.run(total), opts);
  }

  private async run(done: UploadSummary): Promise<UploadSummary> {
    for (const batchId of await this.logger.pendingBatches()) {
      await this.send(done, batchId, await this.logger.batch(batchId));
    }
    for (;;) {
      const records = await this.logger.unacked(this.maxRecords);
      if (records.length === 0) return done;
      const batchId = crypto.randomUUID();
      // Fixed before the first byte leaves: from now on this batch is only ever sent under this id.
      await this.logger.markSent(records.flatMap((r) => (r.segment === undefined ? [] : [r.segment])), batchId);
      await this.send(done, batchId, records);
    }
  }

  private async send(done: UploadSummary, batchId: string, records: readonly InferenceRecord[]): Promise<void> {
    if (records.length === 0) return;
    const bytes = await buildPackage(batchId, records.map(portable));
    const form = new FormData();
    form.append('package', new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/gzip' }), `${batchId}.tar.gz`);
    let res: Response;
    try {
      res = await this.fetch(this.endpoint, { method: 'POST', headers: { authorization: `Bearer ${this.token}` }, body: form });
    } catch (err) {
      throw new RetryableError(`upload of batch ${batchId} failed: ${(err as Error).message}`);
    }
    const text = await res.text().catch(() => '');
    if (res.status === 429 || res.status >= 500) {
      const after = Number(res.headers.get('retry-after'));
      throw new RetryableError(`upload of batch ${batchId}: HTTP ${res.status} ${text}`, Number.isFinite(after) && after > 0 ? after * 1000 : undefined);
    }
    if (res.status !== 200 && res.status !== 201) throw new UploadRejectedError(`upload of batch ${batchId} refused: HTTP ${res.status} ${text}`, res.status);
    await this.logger.acknowledge(batchId);
    done.batches += 1;
    done.records += records.length;
  }
}

/** A record as the server sees it: without the device's bookkeeping, so every resend packs the same bytes. */
function portable(r: InferenceRecord): Omit<InferenceRecord, 'segment' | 'acked' | 'batchId'> {
  const { segment: _s, acked: _a, batchId: _b, ...rest } = r;
  return rest;
}
