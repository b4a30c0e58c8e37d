import type { LcmDb } from '../storage/db.ts';
import type { DocStorage } from '../../../../shared/sync/documents.ts';

type Stored = { doc: Uint8Array; serverHeads: string[] };

/**
 * Document replicas in the `docs` store of TinyLCM's IndexedDB (schema v4): the saved Automerge
 * bytes and the server heads of the last exchange, by doc id, written in one put so a reload never
 * sees a document without the heads that go with it.
 */
export class IdbDocStorage implements DocStorage {
  constructor(private readonly db: LcmDb) {}

  load(docId: string): Promise<Stored | undefined> {
    return this.db.get('docs', docId);
  }

  async save(docId: string, state: Stored): Promise<void> {
    await this.db.put('docs', { doc: state.doc, serverHeads: [...state.serverHeads] }, docId);
  }
}

/** The same in memory (Node runs, tests): copies on the way in and out, as IndexedDB's structured clone does. */
export class MemoryDocStorage implements DocStorage {
  private readonly docs = new Map<string, Stored>();

  async load(docId: string): Promise<Stored | undefined> {
    const s = this.docs.get(docId);
    return s && copy(s);
  }

  async save(docId: string, state: Stored): Promise<void> {
    this.docs.set(docId, copy(state));
  }
}

const copy = (s: Stored): Stored => ({ doc: s.doc.slice(), serverHeads: [...s.serverHeads] });
