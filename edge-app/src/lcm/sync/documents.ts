import * as A from '@automerge/automerge';
import { API_PREFIX } from '../../../../shared/protocol/index.ts';
import { changesSince, fromBase64, initDoc, SyncAnswerSchema, toBase64, type SyncRequest } from '../../../../shared/documents/index.ts';

/** Where a replica keeps its document between runs (IndexedDB in the browser, memory in tests). */
export interface DocStorage {
  load(docId: string): Promise<{ doc: Uint8Array; serverHeads: string[] } | undefined>;
  save(docId: string, state: { doc: Uint8Array; serverHeads: string[] }): Promise<void>;
}

export interface DocSyncOptions {
  /** The server's origin, e.g. `https://tinysphere.example`. */
  url: string;
  token: string;
  docId: string;
  storage?: DocStorage;
  fetch?: typeof fetch;
}

/**
 * One replica of one document and its sync with TinySphere (protocol: shared/documents/sync.ts).
 * Edits apply locally at once, online or not; `sync()` sends what the server has not seen and
 * merges what it sends back. Pure TypeScript over fetch: runs in Node (simulator, tests) and, with
 * Automerge's slim build initialised, in the browser.
 */
export class DocSync<T> {
  private doc: A.Doc<T>;
  /** The server's heads as of the last exchange: what we need not send again. */
  private serverHeads: string[] = [];

  private constructor(private readonly opts: DocSyncOptions) {
    this.doc = initDoc(opts.docId) as A.Doc<T>;
  }

  static async open<T>(opts: DocSyncOptions): Promise<DocSync<T>> {
    const s = new DocSync<T>(opts);
    const stored = await opts.storage?.load(opts.docId);
    if (stored) {
      s.doc = A.loadIncremental(s.doc, stored.doc);
      s.serverHeads = stored.serverHeads;
    }
    return s;
  }

  get value(): A.Doc<T> {
    return this.doc;
  }

  /** A local edit with one of the who-writes-what functions (shared/documents), kept at once. */
  async edit(fn: (doc: A.Doc<T>) => A.Doc<T>): Promise<void> {
    this.doc = fn(this.doc);
    await this.persist();
  }

  /** One exchange; a second when the server's answer shows it lacks history we assumed it had. */
  async sync(): Promise<void> {
    const missing = await this.exchange();
    if (missing.length > 0) {
      this.serverHeads = [];
      const still = await this.exchange();
      if (still.length > 0) throw new Error(`the server still lacks ${still.length} change(s) after a full resend`);
    }
  }

  private async exchange(): Promise<string[]> {
    const body: SyncRequest = { have: A.getHeads(this.doc), changes: changesSince(this.doc, this.serverHeads).map(toBase64) };
    const res = await (this.opts.fetch ?? fetch)(`${this.opts.url}${API_PREFIX}/sync/${encodeURIComponent(this.opts.docId)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.opts.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`document sync failed: HTTP ${res.status} ${await res.text()}`);
    const answer = SyncAnswerSchema.parse(await res.json());
    [this.doc] = A.applyChanges(this.doc, answer.changes.map(fromBase64));
    this.serverHeads = answer.heads;
    await this.persist();
    return answer.missing;
  }

  private async persist(): Promise<void> {
    await this.opts.storage?.save(this.opts.docId, { doc: A.save(this.doc), serverHeads: this.serverHeads });
  }
}
