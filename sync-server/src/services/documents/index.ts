import * as A from '@automerge/automerge';
import { answer, answerFrame, decodeChanges, fromBase64, initDoc, type SyncAnswer, type SyncFrameAnswer, type SyncFrameRequest, type SyncRequest } from '../../../../shared/documents/index.ts';
import { HttpError } from '../../http/errors.ts';
import type { Db, Queryable } from '../../store/db/index.ts';
import { insertChanges, lockDoc, readChangesAfter, readSnapshot, writeSnapshot } from './store.ts';

/** Changes past the snapshot after which a write also rewrites the snapshot. */
const COMPACT_AFTER = 64;

export type ReceiveListener = (docId: string, doc: A.Doc<unknown>) => Promise<void>;

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
 */
export class DocumentsService {
  private readonly listeners: ReceiveListener[] = [];
  private readonly cache: DocCache;

  constructor(
    private readonly db: Db,
    options: { cachedDocuments?: number } = {},
  ) {
    this.cache = new DocCache(options.cachedDocuments ?? 1024);
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
      const [doc] = A.applyChanges(kept.doc, rows.map((r) => r.change));
      return { doc, seq: rows.at(-1)?.seq ?? kept.seq, sinceSnapshot: kept.sinceSnapshot + rows.length, total: kept.total + rows.length };
    }
    const snapshot = await readSnapshot(q, docId);
    // Every replica starts from the same deterministic skeleton, so a never-synced id loads fine.
    let doc = initDoc(docId);
    if (snapshot) doc = A.loadIncremental(doc, snapshot.bytes);
    const rows = await readChangesAfter(q, docId, snapshot?.seq ?? '0');
    [doc] = A.applyChanges(doc, rows.map((r) => r.change));
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
      if (loaded.sinceSnapshot >= COMPACT_AFTER) loaded.sinceSnapshot = (await this.snapshot(tx, docId, loaded)) ? 0 : loaded.sinceSnapshot;
      return loaded;
    });
  }

  /** One exchange of the sync protocol (shared/documents/sync.ts). */
  sync(docId: string, req: SyncRequest): Promise<SyncAnswer> {
    return this.exchange(docId, req.changes.map(fromBase64), (doc) => answer(doc, req));
  }

  /** The same exchange in the binary frame's form (shared/documents/sync-binary.ts): no base64 round trip. */
  syncFrame(docId: string, req: SyncFrameRequest): Promise<SyncFrameAnswer> {
    return this.exchange(docId, req.changes, (doc) => answerFrame(doc, req.have));
  }

  /**
   * Stores the request's changes (committed before listeners run), answers from the document after
   * them, and keeps that document for the next exchange.
   */
  private async exchange<R>(docId: string, changes: readonly Uint8Array[], respond: (doc: A.Doc<unknown>) => R): Promise<R> {
    const loaded = changes.length === 0 ? await this.read(this.db, docId) : await this.store(docId, changes);
    if (changes.length > 0) for (const listener of this.listeners) await listener(docId, loaded.doc);
    const out = respond(loaded.doc);
    this.cache.put(docId, loaded);
    return out;
  }

  /**
   * Called after a sync brought changes, with the merged document, before the answer goes out
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
    await writeSnapshot(tx, docId, { bytes: A.save(loaded.doc), heads: A.getHeads(loaded.doc), seq: loaded.seq, changes: loaded.total });
    return true;
  }
}

/** Documents read recently, least recently used dropped first; see DocumentsService.read. */
class DocCache {
  private readonly entries = new Map<string, Loaded>();
  constructor(private readonly max: number) {}

  take(docId: string): Loaded | undefined {
    const e = this.entries.get(docId);
    this.entries.delete(docId);
    return e;
  }

  put(docId: string, loaded: Loaded): void {
    if (this.max <= 0) return;
    this.entries.delete(docId);
    this.entries.set(docId, loaded);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}

function decode(changes: readonly Uint8Array[]) {
  try {
    return decodeChanges(changes);
  } catch (err) {
    throw HttpError.of('bad_request', `not an Automerge change: ${(err as Error).message}`);
  }
}
