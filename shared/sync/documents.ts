import * as A from '@automerge/automerge';
import { ApiError } from '../protocol/client.ts';
import { API_PREFIX } from '../protocol/index.ts';
import { httpError, networkError, readFailure } from './http-errors.ts';
import {
  changesSince,
  decodeSyncAnswer,
  encodeSyncRequest,
  fromBase64,
  initDoc,
  SYNC_CONTENT_TYPE,
  SyncAnswerSchema,
  toBase64,
  type SyncFrameAnswer,
  type SyncFrameRequest,
} from '../documents/index.ts';

/** Where a replica keeps its document between runs (IndexedDB on a device, edge-app's doc-storage.ts; memory in tests). */
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
  /** Wire format: binary frames (shared/documents/sync-binary.ts, the default) or JSON (sync.ts). */
  format?: 'binary' | 'json';
}

/** Body bytes of one `sync()`, both of its exchanges when it needed two (headers not counted). */
export interface ExchangeBytes {
  up: number;
  down: number;
}

/**
 * One replica of one document and its sync with TinySphere (protocol: shared/documents/sync.ts).
 * Edits apply locally at once, online or not; `sync()` sends what the server has not seen and
 * merges what it sends back. Pure TypeScript over fetch: runs in Node (simulator, tests, the
 * console's and server's tests) and, with Automerge's slim build initialised, in the browser.
 * Failures are ApiErrors (shared/sync/http-errors.ts): RetryableError for no answer, 429 and 5xx.
 */
export class DocSync<T> {
  private doc: A.Doc<T>;
  /** The server's heads as of the last exchange: what we need not send again. */
  private serverHeads: string[] = [];
  private bytes: ExchangeBytes | undefined;

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
    const before = this.doc;
    this.doc = fn(this.doc);
    if (!sameHeads(A.getHeads(before), A.getHeads(this.doc))) await this.persist();
  }

  /** Whether this replica holds changes the server has not acknowledged. */
  get unsent(): boolean {
    return !sameHeads(A.getHeads(this.doc), this.serverHeads);
  }

  /** What the last `sync()` sent and received; undefined before the first. */
  get lastExchange(): ExchangeBytes | undefined {
    return this.bytes;
  }

  /** One exchange; a second when the server's answer shows it lacks history we assumed it had. */
  async sync(): Promise<void> {
    this.bytes = { up: 0, down: 0 };
    const missing = await this.exchange();
    if (missing.length > 0) {
      this.serverHeads = [];
      const still = await this.exchange();
      if (still.length > 0) throw new Error(`the server still lacks ${still.length} change(s) after a full resend`);
    }
  }

  private async exchange(): Promise<string[]> {
    const req: SyncFrameRequest = { have: A.getHeads(this.doc), changes: changesSince(this.doc, this.serverHeads) };
    const binary = (this.opts.format ?? 'binary') === 'binary';
    const body = binary
      ? encodeSyncRequest(req)
      : new TextEncoder().encode(JSON.stringify({ have: req.have, changes: req.changes.map(toBase64) }));
    let res: Response;
    try {
      res = await (this.opts.fetch ?? fetch)(
        `${this.opts.url}${API_PREFIX}/sync/${encodeURIComponent(this.opts.docId)}`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.opts.token}`,
            'content-type': binary ? SYNC_CONTENT_TYPE : 'application/json',
          },
          body,
        },
      );
    } catch (err) {
      throw networkError(err, 'document sync');
    }
    // Changes that depend on ones the server lacks are refused (409 missing_dependencies), not kept:
    // like an answer's `missing`, it means our idea of the server's heads was wrong, so sync() resends all.
    if (res.status === 409) {
      const { text, body } = await readFailure(res);
      if (body?.error.code === 'missing_dependencies') return missingOf(body.error.details);
      throw new ApiError(409, body?.error.code ?? 'http', `document sync failed: HTTP 409 ${text}`);
    }
    if (!res.ok) throw await httpError(res, 'document sync failed');
    const bytes = new Uint8Array(await res.arrayBuffer());
    this.bytes = { up: (this.bytes?.up ?? 0) + body.length, down: (this.bytes?.down ?? 0) + bytes.length };
    const answer = readAnswer(res.headers.get('content-type'), bytes);
    [this.doc] = A.applyChanges(this.doc, answer.changes);
    this.serverHeads = answer.heads;
    await this.persist();
    return answer.missing;
  }

  private async persist(): Promise<void> {
    await this.opts.storage?.save(this.opts.docId, { doc: A.save(this.doc), serverHeads: this.serverHeads });
  }
}

/** The hashes a 409 missing_dependencies refusal names (its details), `['unknown']` when it names none. */
function missingOf(details: unknown): string[] {
  const missing = (details as { missing?: unknown } | undefined)?.missing;
  return Array.isArray(missing) && missing.length > 0 ? missing.map(String) : ['unknown'];
}

function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((h) => b.includes(h));
}

/** The answer in whichever format the server chose (it answers in kind; an older one only in JSON). */
function readAnswer(contentType: string | null, bytes: Uint8Array): SyncFrameAnswer {
  if (contentType?.split(';')[0]?.trim() === SYNC_CONTENT_TYPE) return decodeSyncAnswer(bytes);
  const json = SyncAnswerSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
  return { ...json, changes: json.changes.map(fromBase64) };
}
