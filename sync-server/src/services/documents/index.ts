import * as A from '@automerge/automerge';
import {
  DEFAULT_DOC_LIMITS,
  decodeChanges,
  fromBase64,
  initDoc,
  parseDocId,
  type DocLimits,
  type Refusal,
  type SyncAnswer,
  type SyncFrameAnswer,
  type SyncFrameRequest,
  type SyncRequest,
  type Writer,
} from '../../../../shared/documents/index.ts';
import { Conflict, type DomainError, Forbidden, Invalid, NotFound, TooLarge } from '../errors.ts';
import type { Db, Queryable } from '../../store/db/index.ts';
import { COMPACT_AFTER, DocCache } from './cache.ts';
import { DocWorkers } from './pool.ts';
import { insertChanges, lockDoc, readChangesAfter, readSnapshot, writeSnapshot } from './store.ts';
import type { Applied, Finished, Respond } from './worker.ts';

/**
 * Called after a sync brought changes, with a plain JS view of the merged document (A.toJS, made
 * in the worker that applied them; not an Automerge document).
 */
export type ReceiveListener = (docId: string, doc: unknown) => Promise<void>;

export interface DocumentsOptions {
  cachedDocuments?: number;
  /** Bounds on what a sync may write (config.ts reads them from the environment). */
  limits?: DocLimits;
  /** Worker threads doing the Automerge work of syncs. */
  workers?: number;
}

interface Loaded {
  doc: A.Doc<unknown>;
  /** Highest seq read, and how many changes lie past the snapshot. */
  seq: string;
  sinceSnapshot: number;
  total: number;
}

/**
 * Automerge documents stored as append-only changes in PostgreSQL (plus snapshots), so any number
 * of instances may serve the same documents: each change is a row keyed by its hash, and
 * concurrent writers can only add rows. Each instance keeps recently used documents with the seq
 * they were read up to (DocCache); a read then fetches only the changes after that seq — complete,
 * because seqs are assigned in commit order per document — instead of loading the whole history.
 *
 * Two paths write. Syncs (clients: devices, the console) are untrusted: their Automerge work runs
 * in worker threads (worker.ts, pool.ts) and what they write is checked against limits and who
 * writes what before anything is stored. Server-side edits (`change`, `applyChanges`: deployments,
 * drift-event verdicts, remote config) are trusted and run here, with this thread's own cache.
 */
export class DocumentsService {
  private readonly listeners: ReceiveListener[] = [];
  private readonly cache: DocCache<Loaded>;
  private readonly workers: DocWorkers;
  readonly limits: DocLimits;
  private nextTicket = 0;

  constructor(
    private readonly db: Db,
    options: DocumentsOptions = {},
  ) {
    const cached = options.cachedDocuments ?? 1024;
    this.cache = new DocCache(cached);
    this.limits = options.limits ?? DEFAULT_DOC_LIMITS;
    this.workers = new DocWorkers(options.workers ?? 2, this.limits, cached);
  }

  /** Stops the worker threads (they also stop with the process). */
  close(): Promise<void> {
    return this.workers.close();
  }

  /** 404 unless the document's device or group exists: syncs create no documents for made-up ids. */
  async requireExisting(docId: string): Promise<void> {
    const { kind, id } = parseDocId(docId);
    const table = kind === 'device' ? 'devices' : 'device_groups';
    const { rowCount } = await this.db.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id]);
    if (!rowCount)
      throw new NotFound(`no ${kind === 'device' ? 'device' : 'device group'} ${id}: document ${docId} does not exist`);
  }

  /** The document as stored: its skeleton, the snapshot, then the changes after it. The caller owns it. */
  async load(docId: string): Promise<A.Doc<unknown>> {
    return (await this.read(this.db, docId)).doc;
  }

  /**
   * A kept document plus the changes stored after it, or a fresh load. The entry is taken out while
   * in use (an Automerge document is outdated once changes are applied to it, so two calls must not
   * share one); whoever read it puts it back only once what it read is committed.
   */
  private async read(q: Queryable, docId: string): Promise<Loaded> {
    const kept = this.cache.take(docId);
    if (kept) {
      const rows = await readChangesAfter(q, docId, kept.seq);
      const [doc] = A.applyChanges(
        kept.doc,
        rows.map((r) => r.change),
      );
      return {
        doc,
        seq: rows.at(-1)?.seq ?? kept.seq,
        sinceSnapshot: kept.sinceSnapshot + rows.length,
        total: kept.total + rows.length,
      };
    }
    const snapshot = await readSnapshot(q, docId);
    // Every replica starts from the same deterministic skeleton, so a never-synced id loads fine.
    let doc = initDoc(docId);
    if (snapshot) doc = A.loadIncremental(doc, snapshot.bytes);
    const rows = await readChangesAfter(q, docId, snapshot?.seq ?? '0');
    [doc] = A.applyChanges(
      doc,
      rows.map((r) => r.change),
    );
    const seq = rows.at(-1)?.seq ?? snapshot?.seq ?? '0';
    return { doc, seq, sinceSnapshot: rows.length, total: (snapshot?.changes ?? 0) + rows.length };
  }

  /**
   * Stores changes (duplicates are harmless) and returns the document after them. Changes whose
   * dependencies are unknown are kept too: a later change may complete them, and `load` queues
   * them the same way Automerge does.
   */
  async applyChanges(docId: string, changes: readonly Uint8Array[]): Promise<A.Doc<unknown>> {
    return (await this.store(docId, changes)).doc;
  }

  private store(docId: string, changes: readonly Uint8Array[]): Promise<Loaded> {
    const decoded = decode(changes);
    return this.db.transaction(async (tx) => {
      await lockDoc(tx, docId);
      await insertChanges(tx, docId, decoded);
      const loaded = await this.read(tx, docId);
      if (loaded.sinceSnapshot >= COMPACT_AFTER)
        loaded.sinceSnapshot = (await this.snapshot(tx, docId, loaded)) ? 0 : loaded.sinceSnapshot;
      return loaded;
    });
  }

  /** One exchange of the sync protocol (shared/documents/sync.ts), written by `writer`. */
  async sync(docId: string, req: SyncRequest, writer: Writer = 'person'): Promise<SyncAnswer> {
    return (await this.exchange(
      docId,
      req.changes.map(fromBase64),
      { format: 'json', have: req.have },
      writer,
    )) as SyncAnswer;
  }

  /** The same exchange in the binary frame's form (shared/documents/sync-binary.ts): no base64 round trip. */
  async syncFrame(docId: string, req: SyncFrameRequest, writer: Writer = 'person'): Promise<SyncFrameAnswer> {
    return (await this.exchange(docId, req.changes, { format: 'frame', have: req.have }, writer)) as SyncFrameAnswer;
  }

  /**
   * Checks and applies the request's changes in the document's worker, stores them (committed
   * before listeners run) and answers from the document after them; a refused write stores nothing.
   */
  private async exchange(
    docId: string,
    changes: readonly Uint8Array[],
    respond: Respond,
    writer: Writer,
  ): Promise<SyncAnswer | SyncFrameAnswer> {
    // The cheap bound first, before any bytes go to a worker.
    const big = changes.find((c) => c.length > this.limits.maxChangeBytes);
    if (big)
      throw refusal({
        status: 413,
        what: 'MAX_DOC_CHANGE_BYTES',
        message: `a change of ${big.length} bytes is larger than the limit of ${this.limits.maxChangeBytes} bytes (MAX_DOC_CHANGE_BYTES)`,
      });
    const ticket = ++this.nextTicket;
    const call = <R>(req: Parameters<DocWorkers['call']>[1]) => this.workers.call<R>(docId, req);
    let committed = false;
    try {
      const { seq } = await call<{ seq: string | null }>({ op: 'begin', ticket, docId });
      const base =
        seq === null ? await readBase(this.db, docId) : { rows: await readChangesAfter(this.db, docId, seq) };
      const applied = await call<Applied>({ op: 'apply', ticket, base, changes: [...changes], writer });
      if ('refused' in applied) throw refusal(applied.refused);
      if (changes.length === 0) {
        const out = await call<Finished>({
          op: 'finish',
          ticket,
          rows: [],
          seq: applied.seq,
          inserted: 0,
          respond,
          view: false,
        });
        committed = true;
        return out.answer;
      }
      const out = await this.db.transaction(async (tx) => {
        await lockDoc(tx, docId);
        // Rows other writers committed since the worker read; the lock keeps more from coming.
        const rows = await readChangesAfter(tx, docId, applied.seq);
        const inserted = await insertChanges(
          tx,
          docId,
          applied.hashes.map((hash, i) => ({ hash, bytes: changes[i]! })),
        );
        const seq = [applied.seq, rows.at(-1)?.seq, inserted.maxSeq].reduce((a, b) =>
          b !== undefined && b !== null && BigInt(b) > BigInt(a!) ? b : a,
        )!;
        const fin = await call<Finished>({
          op: 'finish',
          ticket,
          rows,
          seq,
          inserted: inserted.count,
          respond,
          view: true,
        });
        if (fin.snapshot) await writeSnapshot(tx, docId, { ...fin.snapshot, seq });
        return fin;
      });
      committed = true;
      for (const listener of this.listeners) await listener(docId, out.view);
      return out.answer;
    } finally {
      await call({ op: 'release', ticket, keep: committed }).catch(() => undefined);
    }
  }

  /**
   * Called after a sync brought changes, with a plain view of the merged document, before the answer goes out
   * (deployments read what a device reported there). A listener's failure fails the exchange;
   * the changes are already stored, so the client's retry is cheap.
   */
  onReceive(listener: ReceiveListener): void {
    this.listeners.push(listener);
  }

  /** A server-side edit (e.g. setDesired): load, change, store the new changes. */
  async change<T>(docId: string, edit: (doc: A.Doc<T>) => A.Doc<T>): Promise<A.Doc<T>> {
    const before = (await this.load(docId)) as A.Doc<T>;
    const after = edit(before);
    return (await this.applyChanges(docId, A.getChanges(before, after))) as A.Doc<T>;
  }

  /** Writes a snapshot now (also done on every write once enough changes pile up). */
  async compact(docId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await lockDoc(tx, docId);
      await this.snapshot(tx, docId, await this.read(tx, docId));
    });
  }

  /** Whether it wrote one. */
  private async snapshot(tx: Queryable, docId: string, loaded: Loaded): Promise<boolean> {
    // Changes still waiting for dependencies are not in save()'s output; snapshotting past them
    // would drop them, so wait until the document is complete.
    if (A.getMissingDeps(loaded.doc, []).length > 0) return false;
    await writeSnapshot(tx, docId, {
      bytes: A.save(loaded.doc),
      heads: A.getHeads(loaded.doc),
      seq: loaded.seq,
      changes: loaded.total,
    });
    return true;
  }
}

/** A document's snapshot and every row after it. */
async function readBase(q: Queryable, docId: string) {
  const snapshot = await readSnapshot(q, docId);
  return { snapshot, rows: await readChangesAfter(q, docId, snapshot?.seq ?? '0') };
}

/** The limits' refusal (shared/documents names it by the status it travels with) as the domain's. */
function refusal(r: Refusal): DomainError {
  const details = { limit: r.what, ...(r.missing ? { missing: r.missing } : {}) };
  switch (r.status) {
    case 400:
      return new Invalid(r.message, { details });
    case 403:
      return new Forbidden(r.message, { details });
    case 409:
      return new Conflict(r.message, { code: 'missing_dependencies', details });
    case 413:
      return new TooLarge(r.message, { details });
  }
}

function decode(changes: readonly Uint8Array[]) {
  try {
    return decodeChanges(changes);
  } catch (err) {
    throw new Invalid(`not an Automerge change: ${(err as Error).message}`);
  }
}
