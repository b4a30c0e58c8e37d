import * as A from '@automerge/automerge';
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import {
  answer,
  answerFrame,
  checkChanges,
  checkDocSize,
  checkDocWrite,
  initDoc,
  type DocLimits,
  type Refusal,
  type SyncAnswer,
  type SyncFrameAnswer,
  type Writer,
} from '../../../../shared/documents/index.ts';
import { COMPACT_AFTER, DocCache } from './cache.ts';

/**
 * The Automerge side of untrusted syncs, run in a worker thread (pool.ts) so that no change, however
 * costly, stalls the server's event loop. A worker owns the live state of the documents hashed to
 * it: its own DocCache, entries taken out per exchange (a "ticket") and put back only once the
 * exchange's changes are committed. The database stays with the main thread, which hands rows in:
 *
 *   begin   → the cached seq (or null: the main thread then reads the snapshot and all rows)
 *   apply   → catches up on the rows read, then checks and applies the incoming changes on trial:
 *             limits (change-limits.ts), unknown dependencies, round trip, who writes what
 *             (validate.ts); a refusal drops the entry, so nothing of it is kept anywhere
 *   finish  → (inside the main thread's transaction) rows committed meanwhile, the answer, the
 *             plain view for the receive listeners, and a snapshot when one is due
 *   release → keep the entry (committed) or drop it
 */

export interface Row {
  change: Uint8Array;
  seq: string;
}
export interface Base {
  snapshot?: { bytes: Uint8Array; seq: string; changes: number } | undefined;
  rows: Row[];
}
export type Respond = { format: 'json' | 'frame'; have: string[] };

export type Request =
  | { op: 'begin'; ticket: number; docId: string }
  | { op: 'apply'; ticket: number; base: Base; changes: Uint8Array[]; writer: Writer }
  | { op: 'finish'; ticket: number; rows: Row[]; seq: string; inserted: number; respond: Respond; view: boolean }
  | { op: 'release'; ticket: number; keep: boolean };

export type Applied = { refused: Refusal } | { seq: string; hashes: string[] };
export interface Finished {
  answer: SyncAnswer | SyncFrameAnswer;
  view?: unknown;
  snapshot?: { bytes: Uint8Array; heads: string[]; changes: number };
}

interface Entry {
  docId: string;
  doc: A.Doc<unknown>;
  seq: string;
  sinceSnapshot: number;
  total: number;
  /** A.toJS(doc), while it is current. */
  view?: unknown;
}

export class DocWorkerState {
  private readonly cache: DocCache<Entry>;
  private readonly pending = new Map<number, Entry | { docId: string; doc?: undefined }>();

  constructor(
    private readonly limits: DocLimits,
    cachedDocuments: number,
  ) {
    this.cache = new DocCache(cachedDocuments);
  }

  handle(req: Request): { seq: string | null } | Applied | Finished | null {
    switch (req.op) {
      case 'begin': {
        const kept = this.cache.take(req.docId);
        this.pending.set(req.ticket, kept ?? { docId: req.docId });
        return { seq: kept?.seq ?? null };
      }
      case 'apply':
        return this.apply(req.ticket, req.base, req.changes, req.writer);
      case 'finish':
        return this.finish(req);
      case 'release': {
        const e = this.pending.get(req.ticket);
        this.pending.delete(req.ticket);
        if (req.keep && e?.doc) this.cache.put(e.docId, e);
        return null;
      }
    }
  }

  private entry(ticket: number): Entry | { docId: string; doc?: undefined } {
    const e = this.pending.get(ticket);
    if (!e) throw new Error(`no exchange ${ticket} in this worker`);
    return e;
  }

  private apply(ticket: number, base: Base, changes: Uint8Array[], writer: Writer): Applied {
    const e = this.catchUp(this.entry(ticket), base);
    this.pending.set(ticket, e);
    if (changes.length === 0) return { seq: e.seq, hashes: [] };
    const checked = this.check(e, changes, writer);
    // The trial left the entry's document outdated: on refusal it goes, and is read again next time.
    if ('refused' in checked) this.pending.set(ticket, { docId: e.docId });
    return checked;
  }

  private check(e: Entry, changes: Uint8Array[], writer: Writer): Applied {
    const limited = checkChanges(changes, this.limits);
    if (limited) return { refused: limited };
    // A change's hash is the SHA-256 of its chunk (the checksum is its first 4 bytes): no decoding needed.
    const hashes = changes.map((bytes) => createHash('sha256').update(bytes.subarray(8)).digest('hex'));
    const before = (e.view ??= A.toJS(e.doc));
    const missingBefore = new Set(A.getMissingDeps(e.doc, []));
    try {
      [e.doc] = A.applyChanges(e.doc, changes);
    } catch (err) {
      return {
        refused: {
          status: 400,
          what: 'change',
          message: `not an Automerge change Automerge can apply: ${(err as Error).message}`,
        },
      };
    }
    e.view = undefined;
    const missing = A.getMissingDeps(e.doc, []).filter((h) => !missingBefore.has(h));
    if (missing.length > 0) {
      return {
        refused: {
          status: 409,
          what: 'missing_dependencies',
          message: `the changes depend on ${missing.length} change(s) this server does not have; send the changes they depend on with them`,
          missing,
        },
      };
    }
    // What Automerge keeps must be the very bytes stored: else it would hand out a change under
    // another hash than the row's, and every later change would depend on one the table lacks.
    // (Not decodeChange→encodeChange in JS: that path alters float64 values by one unit in the last place.)
    const backend = A.getBackend(e.doc);
    const odd = hashes.findIndex((h, i) => !sameBytes(backend.getChangeByHash(h) ?? new Uint8Array(), changes[i]!));
    if (odd >= 0)
      return {
        refused: {
          status: 400,
          what: 'change',
          message: `change ${odd} does not round-trip (Automerge keeps other bytes for it than those sent)`,
        },
      };
    const after = A.toJS(e.doc);
    const refused = checkDocSize(before, after, this.limits) ?? checkDocWrite(e.docId, before, after, writer);
    if (refused) return { refused };
    e.view = after;
    return { seq: e.seq, hashes };
  }

  private finish(req: Extract<Request, { op: 'finish' }>): Finished {
    const pending = this.entry(req.ticket);
    if (!pending.doc) throw new Error(`exchange ${req.ticket} has no document`);
    const e = this.catchUp(pending, { rows: req.rows });
    e.seq = req.seq;
    e.sinceSnapshot += req.inserted;
    e.total += req.inserted;
    const out: Finished = {
      answer:
        req.respond.format === 'json'
          ? answer(e.doc, { have: req.respond.have, changes: [] })
          : answerFrame(e.doc, req.respond.have),
    };
    if (req.view) out.view = e.view ??= A.toJS(e.doc);
    // Changes still waiting for dependencies are not in save()'s output; snapshotting past them
    // would drop them, so wait until the document is complete.
    if (req.inserted > 0 && e.sinceSnapshot >= COMPACT_AFTER && A.getMissingDeps(e.doc, []).length === 0) {
      out.snapshot = { bytes: A.save(e.doc), heads: A.getHeads(e.doc), changes: e.total };
      e.sinceSnapshot = 0;
    }
    return out;
  }

  /** The entry brought up to date with rows read after its seq (or built from the snapshot and all rows). */
  private catchUp(e: Entry | { docId: string; doc?: undefined }, base: Base): Entry {
    const rows = base.rows;
    if (!e.doc) {
      // Every replica starts from the same deterministic skeleton, so a never-synced id loads fine.
      let doc = initDoc(e.docId);
      if (base.snapshot) doc = A.loadIncremental(doc, base.snapshot.bytes);
      [doc] = A.applyChanges(
        doc,
        rows.map((r) => r.change),
      );
      const seq = rows.at(-1)?.seq ?? base.snapshot?.seq ?? '0';
      return {
        docId: e.docId,
        doc,
        seq,
        sinceSnapshot: rows.length,
        total: (base.snapshot?.changes ?? 0) + rows.length,
      };
    }
    if (rows.length === 0) return e;
    [e.doc] = A.applyChanges(
      e.doc,
      rows.map((r) => r.change),
    );
    e.view = undefined;
    e.seq = rows.at(-1)!.seq;
    e.sinceSnapshot += rows.length;
    e.total += rows.length;
    return e;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The message loop when this module runs as a worker (pool.ts); replies carry the request's id. */
if (parentPort && workerData?.kind === 'tinysphere-documents') {
  const port = parentPort;
  const state = new DocWorkerState(workerData.limits as DocLimits, workerData.cachedDocuments as number);
  port.on('message', ({ id, req }: { id: number; req: Request }) => {
    try {
      port.postMessage({ id, value: state.handle(req) });
    } catch (err) {
      port.postMessage({ id, error: (err as Error).stack ?? String(err) });
    }
  });
}
