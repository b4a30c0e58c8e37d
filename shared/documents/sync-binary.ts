import * as A from '@automerge/automerge';
import { changesSince } from './sync.ts';

/**
 * The sync protocol of sync.ts in a compact binary frame (content type SYNC_CONTENT_TYPE): the
 * same request and answer, without JSON's hex heads and base64 changes. A no-change exchange for a
 * document with one head costs 36 bytes up and 37 down.
 *
 *   frame    = version:u8 (1)  kind:u8 (1 request, 2 answer)  fields  (nothing may follow)
 *   request  = heads(have)  changes
 *   answer   = heads(heads)  changes  heads(missing)
 *   heads    = count:varint  count × 32 raw bytes (an Automerge change hash)
 *   changes  = count:varint  count × (length:varint  length bytes of one Automerge change)
 *
 * varints are unsigned LEB128, minimally encoded, at most 5 bytes. Decoding is strict: anything
 * truncated, trailing, oversized or of another version throws a SyncFrameError (the server answers
 * 400). Whether change bytes really are Automerge changes is left to decodeChanges (sync.ts).
 * No Buffer: this runs in browsers too.
 */
export const SYNC_CONTENT_TYPE = 'application/vnd.tinylcm.sync';
export const SYNC_FRAME_VERSION = 1;
/** The same caps as the JSON schemas in sync.ts. */
export const MAX_SYNC_HEADS = 1000;
export const MAX_SYNC_CHANGES = 10_000;
/** Default cap on a whole frame; the server caps request bodies lower (see routes/documents.ts). */
export const MAX_SYNC_FRAME_BYTES = 16 * 1024 * 1024;

const KIND = { request: 1, answer: 2 } as const;
type Kind = keyof typeof KIND;
const HASH_BYTES = 32;

export interface SyncFrameRequest {
  have: string[];
  changes: Uint8Array[];
}
export interface SyncFrameAnswer {
  heads: string[];
  changes: Uint8Array[];
  missing: string[];
}

export class SyncFrameError extends Error {
  override name = 'SyncFrameError';
  constructor(message: string) {
    super(`sync frame: ${message}`);
  }
}

/** Server side of one exchange in frame form, as `answer` in sync.ts is in JSON form. */
export function answerFrame<T>(doc: A.Doc<T>, have: readonly string[]): SyncFrameAnswer {
  return { heads: A.getHeads(doc), changes: changesSince(doc, have), missing: A.getMissingDeps(doc, []) };
}

export function encodeSyncRequest(req: SyncFrameRequest): Uint8Array<ArrayBuffer> {
  return encode('request', [heads('have', req.have), changes(req.changes)]);
}

export function encodeSyncAnswer(ans: SyncFrameAnswer): Uint8Array<ArrayBuffer> {
  return encode('answer', [heads('heads', ans.heads), changes(ans.changes), heads('missing', ans.missing)]);
}

export function decodeSyncRequest(bytes: Uint8Array, maxBytes = MAX_SYNC_FRAME_BYTES): SyncFrameRequest {
  const r = new Reader(bytes, 'request', maxBytes);
  const req = { have: r.heads('have'), changes: r.changes() };
  r.end();
  return req;
}

export function decodeSyncAnswer(bytes: Uint8Array, maxBytes = MAX_SYNC_FRAME_BYTES): SyncFrameAnswer {
  const r = new Reader(bytes, 'answer', maxBytes);
  const ans = { heads: r.heads('heads'), changes: r.changes(), missing: r.heads('missing') };
  r.end();
  return ans;
}

// ---- encoding ----

/** A field as a size and a writer, so a frame is allocated once at its exact size. */
interface Field {
  size: number;
  write(out: Uint8Array, at: number): number;
}

function encode(kind: Kind, fields: Field[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(2 + fields.reduce((n, f) => n + f.size, 0));
  out[0] = SYNC_FRAME_VERSION;
  out[1] = KIND[kind];
  let at = 2;
  for (const f of fields) at = f.write(out, at);
  return out;
}

function heads(what: string, list: readonly string[]): Field {
  if (list.length > MAX_SYNC_HEADS)
    throw new SyncFrameError(`${list.length} hashes in "${what}" exceed the limit of ${MAX_SYNC_HEADS}`);
  return {
    size: varintSize(list.length) + list.length * HASH_BYTES,
    write(out, at) {
      at = writeVarint(out, at, list.length);
      for (const h of list) at = writeHex(out, at, h, what);
      return at;
    },
  };
}

function changes(list: readonly Uint8Array[]): Field {
  if (list.length > MAX_SYNC_CHANGES)
    throw new SyncFrameError(`${list.length} changes exceed the limit of ${MAX_SYNC_CHANGES}`);
  return {
    size: list.reduce((n, c) => n + varintSize(c.length) + c.length, varintSize(list.length)),
    write(out, at) {
      at = writeVarint(out, at, list.length);
      for (const c of list) {
        at = writeVarint(out, at, c.length);
        out.set(c, at);
        at += c.length;
      }
      return at;
    },
  };
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function writeHex(out: Uint8Array, at: number, hash: string, what: string): number {
  if (!/^[0-9a-f]{64}$/.test(hash))
    throw new SyncFrameError(
      `"${what}" holds ${JSON.stringify(hash.slice(0, 80))}, not a 64-digit lower-case hex hash`,
    );
  for (let i = 0; i < HASH_BYTES; i++) out[at + i] = parseInt(hash.slice(2 * i, 2 * i + 2), 16);
  return at + HASH_BYTES;
}

// ---- decoding ----

class Reader {
  private at = 0;

  constructor(
    private readonly bytes: Uint8Array,
    kind: Kind,
    maxBytes: number,
  ) {
    if (bytes.length > maxBytes) throw new SyncFrameError(`${bytes.length} bytes exceed the limit of ${maxBytes}`);
    const version = this.byte('the version');
    if (version !== SYNC_FRAME_VERSION)
      throw new SyncFrameError(`version ${version} is not supported (this side speaks version ${SYNC_FRAME_VERSION})`);
    const got = this.byte('the frame kind');
    if (got !== KIND[kind])
      throw new SyncFrameError(
        `expected ${kind === 'request' ? 'a request' : 'an answer'} (kind ${KIND[kind]}), got kind ${got}`,
      );
  }

  heads(what: string): string[] {
    const count = this.count(`the count of "${what}"`, MAX_SYNC_HEADS);
    this.need(count * HASH_BYTES, `${count} hashes of "${what}"`);
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      let hex = '';
      for (let j = 0; j < HASH_BYTES; j++) hex += HEX[this.bytes[this.at++]!];
      out.push(hex);
    }
    return out;
  }

  changes(): Uint8Array[] {
    const count = this.count('the count of changes', MAX_SYNC_CHANGES);
    // Each change takes at least its length byte: a count past the bytes left is a lie.
    this.need(count, `${count} changes`);
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const length = this.varint(`the length of change ${i}`);
      if (length === 0) throw new SyncFrameError(`change ${i} is empty`);
      this.need(length, `change ${i} (${length} bytes)`);
      // A copy, as a plain Uint8Array: no view keeping a whole request buffer (or a Node Buffer) alive.
      out.push(new Uint8Array(this.bytes.subarray(this.at, this.at + length)));
      this.at += length;
    }
    return out;
  }

  end(): void {
    const left = this.bytes.length - this.at;
    if (left > 0) throw new SyncFrameError(`${left} trailing byte(s) after the frame`);
  }

  private count(what: string, max: number): number {
    const n = this.varint(what);
    if (n > max) throw new SyncFrameError(`${what} is ${n}, beyond the limit of ${max}`);
    return n;
  }

  private byte(what: string): number {
    this.need(1, what);
    return this.bytes[this.at++]!;
  }

  private varint(what: string): number {
    let n = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.byte(what);
      n += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) {
        if (b === 0 && i > 0) throw new SyncFrameError(`${what} is not minimally encoded`);
        return n;
      }
    }
    throw new SyncFrameError(`${what} is a varint longer than 5 bytes`);
  }

  private need(n: number, what: string): void {
    const left = this.bytes.length - this.at;
    if (n > left)
      throw new SyncFrameError(`truncated: ${what} need(s) ${n} byte(s) at offset ${this.at}, ${left} left`);
  }
}
