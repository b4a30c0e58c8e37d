import * as A from '@automerge/automerge';
import { z } from 'zod';

/**
 * The document sync protocol over HTTP POST, built for stateless server instances: the server
 * keeps no per-peer state between requests, so each request carries all it needs.
 *
 *   client → server  { have: heads of the client's doc, changes: base64 Automerge changes the
 *                      client made since the server heads it last saw }
 *   server → client  { heads: the server's heads after applying, changes: base64 changes the client
 *                      lacks (everything since the client's `have` the server knows),
 *                      missing: hashes the server could not apply for want of their dependencies }
 *
 * A non-empty `missing` means the client's idea of the server's heads was wrong (the server lost
 * state, or another replica's changes were never uploaded); the client then resends everything
 * from the start. Changes are content-addressed, so every duplicate on either side is a no-op.
 * A no-change exchange costs two heads lists (~100 bytes each way).
 */
const Hash = z.string().regex(/^[0-9a-f]{64}$/);
const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

export const SyncRequestSchema = z
  .object({
    have: z.array(Hash).max(1000),
    changes: z.array(Base64).max(10_000),
  })
  .meta({ id: 'DocSyncRequest' });
export type SyncRequest = z.infer<typeof SyncRequestSchema>;

export const SyncAnswerSchema = z
  .object({
    heads: z.array(Hash),
    changes: z.array(Base64),
    missing: z.array(Hash),
  })
  .meta({ id: 'DocSyncAnswer' });
export type SyncAnswer = z.infer<typeof SyncAnswerSchema>;

import { toBase64 } from './base64.ts';

export { fromBase64, toBase64 } from './base64.ts';

/** Changes of `doc` since `heads`, counting only the heads `doc` knows (unknown ones would mean "all"). */
export function changesSince<T>(doc: A.Doc<T>, heads: readonly string[]): Uint8Array[] {
  return A.getChangesSince(
    doc,
    heads.filter((h) => A.hasHeads(doc as A.Doc<unknown>, [h])),
  );
}

/** Decodes changes, rejecting bytes that are not an Automerge change (the caller answers 400). */
export function decodeChanges(changes: readonly Uint8Array[]): { hash: string; bytes: Uint8Array }[] {
  return changes.map((bytes) => {
    const hash = A.decodeChange(bytes).hash;
    if (!hash) throw new Error('a change without a hash');
    return { hash, bytes };
  });
}

/** Server side of one exchange, given the document after the client's changes were applied. */
export function answer<T>(doc: A.Doc<T>, req: SyncRequest): SyncAnswer {
  return {
    heads: A.getHeads(doc),
    changes: changesSince(doc, req.have).map(toBase64),
    missing: A.getMissingDeps(doc, []),
  };
}
