import { API_PREFIX } from '../../../../shared/protocol/index.ts';
import { ModelVersionSchema, type ModelVersion } from '../../../../shared/protocol/registry.ts';
import { ModelIntegrityError } from '../models/index.ts';
import type { LcmSchema } from '../storage/db.ts';
import type { TinyLCM } from '../tinylcm.ts';
import type { StoredModel } from '../types.ts';
import { ApiError } from '../../../../shared/protocol/client.ts';
import { httpError, networkError, RetryableError } from '../../../../shared/sync/http-errors.ts';
import { withBackoff, type BackoffOptions } from './backoff.ts';

export interface PullProgress {
  sha256: string;
  received: number;
  /** Null while the server has not said (no Content-Length). */
  total: number | null;
}

export interface ModelPullerOptions {
  lcm: TinyLCM;
  /** The server's origin, e.g. `https://tinysphere.example`. */
  url: string;
  /** The device token. */
  token: string;
  fetch?: typeof fetch;
  /** Bytes held in memory before they are written to IndexedDB; default 256 KiB. */
  persistEveryBytes?: number;
  /** Retries of a download within one pull; default 3 attempts, 1 s base, 30 s cap. */
  retry?: BackoffOptions;
  onProgress?: (p: PullProgress) => void;
  now?: () => number;
}

type DownloadRecord = LcmSchema['downloads']['value'];

/** The server refused the model for good (403, 404…): retrying the same request cannot help. */
export class ModelPullError extends ApiError {
  /** `status` 0: the answer came but says something else than asked (code `bad_response`). */
  constructor(message: string, status = 0, code = 'bad_response') {
    super(status, code, message);
    this.name = 'ModelPullError';
  }
}

/** `bytes <start>-<end>/<total|*>` → start and total (null when `*`); undefined when unparsable. */
function parseContentRange(h: string | null): { start: number; total: number | null } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(h?.trim() ?? '');
  if (!m) return undefined;
  return { start: Number(m[1]), total: m[3] === '*' ? null : Number(m[3]) };
}

const pullError = (res: Response, what: string) =>
  httpError(res, what, (m, status, code) => new ModelPullError(m, status, code));

/**
 * Brings a deployed model onto the device by its sha256: a resumable download (the bytes received
 * so far live in IndexedDB's `downloads` store, so a lost connection or a reload continues with a
 * Range request), then the ModelStore checks the hash as it adds the version, and TinyLCM activates
 * it (loads first, then moves the pointer). An EventTarget: `progress` with a PullProgress.
 */
export class ModelPuller extends EventTarget {
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private readonly persistEvery: number;
  private readonly retry: BackoffOptions;
  private readonly now: () => number;

  constructor(private readonly opts: ModelPullerOptions) {
    super();
    this.base = `${opts.url.replace(/\/+$/, '')}${API_PREFIX}/devices/me/models`;
    this.fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.persistEvery = opts.persistEveryBytes ?? 256 * 1024;
    this.retry = opts.retry ?? { attempts: 3, baseMs: 1000, maxMs: 30_000 };
    this.now = opts.now ?? Date.now;
  }

  private get db() {
    return this.opts.lcm.db;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.opts.token}`, ...extra };
  }

  /**
   * Makes the version with this sha256 the active one: from the store when it is already there
   * (a rollback to a kept version downloads nothing), else downloaded, verified and stored first.
   */
  async pull(sha256: string): Promise<StoredModel> {
    const stored = (await this.opts.lcm.models.list()).find((m) => m.sha256 === sha256);
    if (stored) return this.opts.lcm.activate(stored.name, stored.version);
    // The registry's facts first: a version we could not store is not worth its download.
    const version = await this.version(sha256);
    await this.opts.lcm.models.ensureSpace(version.size, `${version.name} v${version.version}`);
    const bytes = await this.download(sha256);
    let model: StoredModel;
    try {
      model = await this.opts.lcm.models.add(bytes, {
        name: version.name,
        version: version.version,
        sha256,
        metadata: version.metadata,
        origin: 'registry',
      });
    } catch (err) {
      // Bytes that do not hash right would fail the same way on every resume: start over next time.
      if (err instanceof ModelIntegrityError) await this.discard(sha256);
      throw err;
    }
    await this.discard(sha256);
    return this.opts.lcm.activate(model.name, model.version);
  }

  /** The registry's description of the version (name, number, metadata) this device may pull. */
  async version(sha256: string): Promise<ModelVersion> {
    const what = `model ${sha256.slice(0, 12)} version`;
    let res: Response;
    try {
      res = await this.fetch(`${this.base}/${sha256}/version`, { headers: this.headers() });
    } catch (err) {
      throw networkError(err, what);
    }
    if (!res.ok) throw await pullError(res, what);
    const v = ModelVersionSchema.parse(await res.json());
    if (v.sha256 !== sha256)
      throw new ModelPullError(
        `${what}: the server describes ${v.name} v${v.version} with sha256 ${v.sha256}, not ${sha256}`,
      );
    return v;
  }

  /** The download in progress for this sha256, if any (for the UI). */
  async progress(sha256: string): Promise<PullProgress | undefined> {
    const r = await this.db.get('downloads', sha256);
    return r && { sha256, received: r.received, total: r.total };
  }

  /** Forgets a download in progress and its bytes. */
  async discard(sha256: string): Promise<void> {
    await this.db.delete('downloads', sha256);
  }

  /** All bytes of the artifact (not yet verified), resuming what earlier attempts kept. */
  download(sha256: string): Promise<Blob> {
    return withBackoff(() => this.attempt(sha256, false), this.retry);
  }

  private async attempt(sha256: string, restarted: boolean): Promise<Blob> {
    let record = await this.db.get('downloads', sha256);
    // A record whose chunks do not add up to what it claims is not trusted with a resume.
    if (record && record.chunks.reduce((n, c) => n + c.size, 0) !== record.received) {
      await this.discard(sha256);
      record = undefined;
    }
    const resume =
      record !== undefined && record.received > 0 && (record.total === null || record.received <= record.total);
    const headers = this.headers(
      resume ? { range: `bytes=${record!.received}-`, ...(record!.etag ? { 'if-range': record!.etag } : {}) } : {},
    );
    let res: Response;
    try {
      res = await this.fetch(`${this.base}/${sha256}`, { headers });
    } catch (err) {
      throw networkError(err, `model ${sha256.slice(0, 12)} download`);
    }
    const what = `model ${sha256.slice(0, 12)} download`;
    if (
      res.status === 416 ||
      (res.status === 206 && parseContentRange(res.headers.get('content-range'))?.start !== record?.received)
    ) {
      // The server cannot continue where we are (our bytes are beyond its file, or it answered another range): from zero.
      await res.body?.cancel();
      await this.discard(sha256);
      if (restarted) throw new RetryableError(`${what}: the server refused the resume twice`);
      return this.attempt(sha256, true);
    }
    if (res.status !== 200 && res.status !== 206) throw await pullError(res, what);
    const etag = res.headers.get('etag');
    if (res.status === 200 || !record) {
      // A full answer (the file changed under If-Range, or the server ignores Range): what we had is void.
      const length = res.headers.get('content-length');
      record = {
        sha256,
        total: length === null ? null : Number(length),
        etag,
        chunks: [],
        received: 0,
        updatedAt: this.now(),
      };
      await this.db.put('downloads', record, sha256);
    } else {
      const range = parseContentRange(res.headers.get('content-range'))!;
      record.total = range.total ?? record.total;
      record.etag = etag ?? record.etag;
    }
    await this.receive(res, record, what);
    return new Blob(record.chunks);
  }

  private async receive(res: Response, record: DownloadRecord, what: string): Promise<void> {
    if (!res.body) throw new RetryableError(`${what}: the answer has no body`);
    const reader = res.body.getReader();
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      record.chunks.push(new Blob(pending as Uint8Array<ArrayBuffer>[]));
      record.received += pendingBytes;
      record.updatedAt = this.now();
      pending = [];
      pendingBytes = 0;
      await this.db.put('downloads', record, record.sha256);
    };
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        pending.push(value);
        pendingBytes += value.byteLength;
        this.report(record.sha256, record.received + pendingBytes, record.total);
        if (pendingBytes >= this.persistEvery) await flush();
      }
    } catch (err) {
      // Keep every byte that arrived: the next attempt asks only for the rest.
      await flush();
      const lost = new RetryableError(
        `${what}: connection lost after ${record.received} of ${record.total ?? '?'} bytes (${(err as Error).message})`,
      );
      lost.cause = err;
      throw lost;
    }
    await flush();
    if (record.total !== null && record.received !== record.total) {
      if (record.received > record.total) {
        await this.discard(record.sha256);
        throw new RetryableError(
          `${what}: received ${record.received} bytes, more than the ${record.total} announced; starting over`,
        );
      }
      throw new RetryableError(`${what}: the answer ended after ${record.received} of ${record.total} bytes`);
    }
  }

  private report(sha256: string, received: number, total: number | null): void {
    const p: PullProgress = { sha256, received, total };
    this.opts.onProgress?.(p);
    this.dispatchEvent(new CustomEvent('progress', { detail: p }));
  }
}
