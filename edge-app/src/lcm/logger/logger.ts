import { callSafely } from '../monitor/report-error.ts';
import type { LcmDb } from '../storage/db.ts';
import type { InferenceObservation, InferenceRecord } from '../types.ts';
import { csvHeader, csvRow, jsonLine, type ExportFormat } from './export.ts';
import { DEFAULT_MAX_BATCH_RECORDS } from '../../../../shared/ingest/record.ts';
import { LogStore, type LogTotals, type RetentionPolicy, type SetAsideBatch } from './log-store.ts';
import { SegmentBuilder, segmentRecords, type LogSegment, type RecordPolicy } from './segment.ts';
import { Sampler, type SamplingPolicy } from './sampling.ts';

export interface DataLoggerOptions extends RecordPolicy {
  sampling?: SamplingPolicy;
  /** Flush when this many records are buffered — one stored segment (default 1000, at most the server's 10 000 per batch)… */
  batchSize?: number;
  /** …or this long after the first buffered record (default 1000 ms). */
  flushIntervalMs?: number;
  /** Records held in memory while writes fail; beyond it the oldest are dropped (default 50 000). */
  maxBuffered?: number;
  retention?: RetentionPolicy;
  /** Retention runs after a flush that exceeded a limit, and at least this often (default 30 s). */
  retentionEveryMs?: number;
  /** Write failures (e.g. QuotaExceededError); records stay buffered and are retried. */
  onError?: (err: unknown) => void;
}

export interface ExportOptions {
  /** Only records with from <= ts < to, and of this model name. */
  from?: number;
  to?: number;
  model?: string;
}

export interface LoggerStats extends LogTotals {
  buffered: number;
  written: number;
  dropped: number;
  /** Batches the server refused for good, set aside (see setAsideBatches), and their records. */
  setAsideBatches: number;
  setAsideRecords: number;
}

const PAGE = 16; // segments per export page
/** Errors that retrying cannot fix (as opposed to e.g. QuotaExceededError or an aborted transaction). */
const UNWRITABLE = new Set(['DataCloneError', 'DataError', 'ConstraintError']);
const ignore = (): void => {};
const POOL = 4; // reusable builders: a few segments can be in flight at 50k records/s

/**
 * Inference records into IndexedDB: sampled per policy, collected in memory column by column
 * (logger/segment.ts), written one segment per transaction. log() is the per-inference call: it
 * writes a few numbers into preallocated arrays and never waits for IndexedDB. Records leave only
 * through sync (unacked → markSent → acknowledge), by segment; retention deletes acknowledged ones.
 */
export class DataLogger {
  readonly store: LogStore;
  private sampler: Sampler;
  private readonly policy: RecordPolicy;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxBuffered: number;
  private retention: RetentionPolicy | undefined;
  private readonly retentionEveryMs: number;
  private readonly onError: ((err: unknown) => void) | undefined;
  private builder: SegmentBuilder | null = null;
  /** Builders whose columns can be reused, and the builder behind each stored-but-unconfirmed segment. */
  private readonly free: SegmentBuilder[] = [];
  private readonly owners = new WeakMap<LogSegment, SegmentBuilder>();
  /** Built segments not yet handed to a write. */
  private pending: LogSegment[] = [];
  /** Segments of failed writes, in write order (all older than `pending`), retried first. */
  private retry: LogSegment[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private lastRetention = 0;
  private written = 0;
  private dropped = 0;
  private closed = false;
  private readonly keep = (obs: InferenceObservation, drift: number, ref: string | undefined): void => {
    let b = this.builder;
    if (b === null || !b.fits(obs, this.policy)) {
      this.seal();
      b = this.builder = this.takeBuilder(obs);
      if (this.timer === null) this.arm();
    }
    b.add(obs, drift, ref, this.policy);
    if (b.count >= b.capacity) this.flush().catch(ignore); // failures are reported through onError
  };

  constructor(db: LcmDb, options: DataLoggerOptions = {}) {
    this.store = new LogStore(db);
    this.sampler = new Sampler(options.sampling);
    this.policy = { input: options.input ?? 'features', probabilities: options.probabilities ?? true };
    this.batchSize = options.batchSize ?? 1000;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.maxBuffered = options.maxBuffered ?? 50_000;
    this.retention = options.retention;
    this.retentionEveryMs = options.retentionEveryMs ?? 30_000;
    this.onError = options.onError;
    // A segment is never split across batches, so one larger than a batch may be could never be sent.
    if (!(Number.isInteger(this.batchSize) && this.batchSize >= 1 && this.batchSize <= DEFAULT_MAX_BATCH_RECORDS))
      throw new RangeError(
        `batchSize must be a whole number from 1 to ${DEFAULT_MAX_BATCH_RECORDS}, got ${this.batchSize}`,
      );
  }

  /**
   * Offers one inference to the sampling policy; `drift` is DeviceDrift.update()'s result and
   * `inputRef` an optional reference to an input kept elsewhere. Returns whether it was kept.
   */
  log(obs: InferenceObservation, drift = 0, inputRef?: string): boolean {
    if (this.closed) return false;
    return this.sampler.offer(obs, drift, inputRef, this.keep);
  }

  /** Changes the sampling and/or retention policy of a running logger (a device's settings changed). */
  configure(options: Pick<DataLoggerOptions, 'sampling' | 'retention'>): void {
    if (options.sampling) this.sampler = new Sampler(options.sampling);
    if ('retention' in options) this.retention = options.retention;
  }

  /** Writes everything buffered (call on pagehide / visibilitychange 'hidden'); resolves with the count written. */
  flush(): Promise<number> {
    this.disarm();
    this.seal();
    const pending = this.pending;
    this.pending = [];
    // The batch is taken when its turn comes, so segments of an earlier write that failed meanwhile
    // (put back in `retry`) go first and records stay in order.
    const run = this.chain.then(() => {
      const batch = this.retry.length ? this.retry.concat(pending) : pending;
      this.retry = [];
      return batch.length ? this.write(batch) : 0;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * For pagehide: writes everything buffered in one transaction that completes even as the page
   * unloads (flush() needs round trips an unloading page does not get). The records join the log's
   * totals and batches at the next recover() — at the next start, or on pageshow from the back/forward cache.
   */
  spill(): void {
    this.disarm();
    this.seal();
    const batch = this.retry.concat(this.pending);
    this.retry = [];
    this.pending = [];
    if (batch.length === 0) return;
    try {
      this.store.spill(batch, (err) => callSafely(this.onError, err));
    } catch (err) {
      this.retry = batch;
      callSafely(this.onError, err);
      return;
    }
    for (const s of batch) this.written += s.count;
    this.releaseStored(batch);
  }

  /** Moves records spilled by an earlier page into the log, before any later write; resolves with their count. */
  recover(): Promise<number> {
    return this.serial(() => this.store.recoverSpilled());
  }

  /**
   * Records in no batch yet, oldest first (flushes first): whole segments, until at least `limit`
   * records (so possibly more). Pass their `segment` keys to markSent.
   */
  async unacked(limit = 5000): Promise<InferenceRecord[]> {
    await this.flush();
    return (await this.store.unsent(limit)).flatMap(segmentRecords);
  }

  /** Records of a batch already sent (to send it again after a failure). */
  async batch(batchId: string): Promise<InferenceRecord[]> {
    return (await this.store.batch(batchId)).flatMap(segmentRecords);
  }

  /** Ids of batches sent but not yet acknowledged, oldest first (a retry resends them as they are). */
  pendingBatches(): Promise<string[]> {
    return this.serial(() => this.store.pendingBatches());
  }

  /** Assigns segments (the records' `segment` keys) to a batch; resolves with the number assigned. */
  markSent(segments: readonly number[], batchId: string): Promise<number> {
    return this.serial(() => this.store.markSent([...new Set(segments)], batchId));
  }

  acknowledge(batchId: string): Promise<number> {
    return this.serial(() => this.store.acknowledge(batchId));
  }

  /**
   * Sets aside a batch the server refused for good (the uploader does, on a 400/413/422): its
   * records stay stored and exported (`setAside: true`), are never resent nor deleted by retention,
   * and the next batches go on. Resolves with the records set aside.
   */
  setAside(batchId: string, refusal: { status: number; message: string }, now = Date.now()): Promise<number> {
    return this.serial(() =>
      this.store.setAside(batchId, { status: refusal.status, message: refusal.message.slice(0, 1000), at: now }),
    );
  }

  /** The batches set aside, oldest first: id, the server's status and message, when, how many records. */
  setAsideBatches(): Promise<SetAsideBatch[]> {
    return this.store.setAsideBatches();
  }

  /** Applies the retention policy now; resolves with the number of records deleted. */
  enforceRetention(now = Date.now()): Promise<number> {
    const policy = this.retention;
    if (!policy) return Promise.resolve(0);
    this.lastRetention = now;
    return this.serial(() => this.store.enforce(policy, now));
  }

  async stats(): Promise<LoggerStats> {
    await this.chain;
    const t = await this.store.totals();
    let buffered = this.builder?.count ?? 0;
    for (const s of this.retry) buffered += s.count;
    for (const s of this.pending) buffered += s.count;
    return {
      ...t,
      buffered,
      written: this.written,
      dropped: this.dropped,
      setAsideBatches: t.setAsideBatches ?? 0,
      setAsideRecords: t.setAsideRecords ?? 0,
    };
  }

  /** Stored records as JSON Lines or CSV, page by page (flushes first). */
  exportStream(format: ExportFormat, options: ExportOptions = {}): ReadableStream<string> {
    let after = 0;
    let started = false;
    return new ReadableStream<string>({
      pull: async (controller) => {
        if (!started) {
          started = true;
          await this.flush();
          if (format === 'csv') controller.enqueue(csvHeader());
        }
        const page = await this.store.page(after, PAGE);
        const line = format === 'csv' ? csvRow : jsonLine;
        let text = '';
        for (const s of page) {
          if (!overlaps(s, options)) continue;
          for (const r of segmentRecords(s)) if (matches(r, options)) text += line(r);
        }
        if (text) controller.enqueue(text);
        if (page.length < PAGE) controller.close();
        else after = page[page.length - 1]?.key ?? after;
      },
    });
  }

  /** The whole export as one string (for a download Blob in the browser or a file in Node). */
  async exportText(format: ExportFormat, options: ExportOptions = {}): Promise<string> {
    const parts: string[] = [];
    const reader = this.exportStream(format, options).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
    return parts.join('');
  }

  /** Flushes and stops the timer; later log() calls are ignored. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private seal(): void {
    const b = this.builder;
    this.builder = null;
    if (!b) return;
    if (b.count === 0) {
      this.release(b);
      return;
    }
    const s = b.build();
    if (b.shared) this.owners.set(s, b);
    else this.release(b);
    this.pending.push(s);
  }

  private takeBuilder(obs: InferenceObservation): SegmentBuilder {
    const x = this.policy.input !== 'none' ? (obs.features?.length ?? 0) : 0;
    const p = this.policy.probabilities !== false ? (obs.probabilities?.length ?? 0) : 0;
    const i = this.free.findIndex((b) => b.inputDim === x && b.probsDim === p);
    const b = i >= 0 ? (this.free.splice(i, 1)[0] as SegmentBuilder) : new SegmentBuilder(this.batchSize, x, p);
    return b.start(obs.model);
  }

  /** Stored segments (IndexedDB cloned them when they were put): their builders' columns may take new records. */
  private releaseStored(batch: readonly LogSegment[]): void {
    for (const s of batch) {
      const b = this.owners.get(s);
      if (b) {
        this.owners.delete(s);
        this.release(b);
      }
    }
  }

  private release(b: SegmentBuilder): void {
    if (this.free.length < POOL) this.free.push(b);
  }

  private async write(batch: LogSegment[]): Promise<number> {
    let totals: LogTotals;
    let records = 0;
    for (const s of batch) records += s.count;
    try {
      totals = await this.store.append(batch);
    } catch (err) {
      callSafely(this.onError, err);
      if (UNWRITABLE.has((err as { name?: string })?.name ?? '')) {
        // A segment IndexedDB can never store would block every later one: drop it.
        this.dropped += records;
        throw err;
      }
      // Keep the segments for the next flush, in order; beyond the memory bound drop the oldest.
      this.retry.push(...batch);
      let held = 0;
      for (const s of this.retry) held += s.count;
      for (const s of this.pending) held += s.count;
      while (held > this.maxBuffered && this.retry.length > 0) {
        const old = this.retry.shift() as LogSegment;
        held -= old.count;
        this.dropped += old.count;
      }
      if (this.timer === null && !this.closed) this.arm();
      throw err;
    }
    this.written += records;
    this.releaseStored(batch);
    const r = this.retention;
    const now = Date.now();
    if (
      r &&
      (totals.count > (r.maxRecords ?? Infinity) ||
        totals.bytes > (r.maxBytes ?? Infinity) ||
        now - this.lastRetention >= this.retentionEveryMs)
    ) {
      this.lastRetention = now;
      await this.store.enforce(r, now).catch((err: unknown) => callSafely(this.onError, err));
    }
    return records;
  }

  /** Runs `fn` after pending writes, so a batch never interleaves with a flush. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch(ignore); // reported through onError
    }, this.flushIntervalMs);
    // In Node (CLIs, simulator) a pending flush must not keep the process alive; close() flushes.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

function overlaps(s: LogSegment, o: ExportOptions): boolean {
  return (
    (o.from === undefined || s.lastTs >= o.from) &&
    (o.to === undefined || s.firstTs < o.to) &&
    (o.model === undefined || s.model.name === o.model)
  );
}

function matches(r: InferenceRecord, o: ExportOptions): boolean {
  return (
    (o.from === undefined || r.ts >= o.from) &&
    (o.to === undefined || r.ts < o.to) &&
    (o.model === undefined || r.model.name === o.model)
  );
}
