// DocSync over IdbDocStorage in Node (fake-indexeddb), with real Automerge documents, against an
// in-process peer that speaks the protocol as TinySphere does (the real server: the integration
// tests in sync-server/test/integration/documents*.int.test.ts).
import 'fake-indexeddb/auto';
import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { deleteDB } from 'idb';
import {
  answer,
  answerFrame,
  decodeChanges,
  decodeSyncRequest,
  deviceDocId,
  encodeSyncAnswer,
  fromBase64,
  initDoc,
  report,
  setDesired,
  SYNC_CONTENT_TYPE,
  SyncRequestSchema,
  type DeviceDoc,
} from '../../shared/documents/index.ts';
import { openLcmDb } from '../src/lcm/storage/db.ts';
import { IdbDocStorage, MemoryDocStorage } from '../src/lcm/sync/doc-storage.ts';
import { DocSync, type DocStorage } from '../../shared/sync/documents.ts';

const DEVICE = '22222222-2222-4222-8222-222222222222';
const docId = deviceDocId(DEVICE);

/** A stateless peer over fetch, answering in the request's format; it records how many changes each request carried. */
function peer() {
  let doc = initDoc(docId) as A.Doc<DeviceDoc>;
  const received: number[] = [];
  const fetch = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = new Uint8Array(init!.body as Uint8Array);
    if ((init!.headers as Record<string, string>)['content-type'] === SYNC_CONTENT_TYPE) {
      const req = decodeSyncRequest(body);
      decodeChanges(req.changes);
      [doc] = A.applyChanges(doc, req.changes);
      received.push(req.changes.length);
      return new Response(encodeSyncAnswer(answerFrame(doc, req.have)), {
        headers: { 'content-type': SYNC_CONTENT_TYPE },
      });
    }
    const req = SyncRequestSchema.parse(JSON.parse(new TextDecoder().decode(body)));
    [doc] = A.applyChanges(doc, req.changes.map(fromBase64));
    received.push(req.changes.length);
    return Response.json(answer(doc, req));
  };
  return {
    fetch: fetch as typeof globalThis.fetch,
    received,
    get doc() {
      return doc;
    },
    edit(fn: (d: A.Doc<DeviceDoc>) => A.Doc<DeviceDoc>) {
      doc = fn(doc);
    },
    /** Loses every change, as a server restored from an old backup would. */
    forget() {
      doc = initDoc(docId) as A.Doc<DeviceDoc>;
    },
  };
}

const open = (storage: DocStorage, p: ReturnType<typeof peer>, format?: 'binary' | 'json') =>
  DocSync.open<DeviceDoc>({
    url: 'http://peer',
    token: 't',
    docId,
    storage,
    fetch: p.fetch,
    ...(format ? { format } : {}),
  });

describe('DocSync over IdbDocStorage (Node, fake-indexeddb)', () => {
  const names: string[] = [];
  const db = (name: string) => {
    names.push(name);
    return openLcmDb(name);
  };
  after(() => Promise.all(names.map((n) => deleteDB(n))));

  it('an edited, synced document and the server heads survive reopening the database', async () => {
    const server = peer();
    server.edit((d) => setDesired(d, { syncIntervalSec: 120 }));
    const first = await db('docs-a');
    const device = await open(new IdbDocStorage(first), server);
    await device.edit((d) => report(d, { status: 'ok', appVersion: '1.2.3' }));
    await device.sync();
    assert.equal(server.doc.reported.appVersion, '1.2.3');
    await device.edit((d) => report(d, { status: 'degraded' })); // kept while offline
    first.close();

    const again = await openLcmDb('docs-a');
    const reopened = await open(new IdbDocStorage(again), server);
    assert.equal(reopened.value.reported.status, 'degraded');
    assert.equal(reopened.value.desired.syncIntervalSec, 120);
    await reopened.sync();
    // The stored server heads mean only the offline edit goes up, not the whole history again
    // (the first exchange carried the skeleton, which every replica shares, and the report).
    assert.deepEqual(server.received, [2, 1]);
    assert.equal(server.doc.reported.status, 'degraded');
    assert.deepEqual(A.getHeads(reopened.value), A.getHeads(server.doc));
    again.close();
  });

  it('a no-change binary exchange is a few dozen bytes each way; JSON still works and costs more', async () => {
    const server = peer();
    const binary = await open(new MemoryDocStorage(), server);
    assert.equal(binary.lastExchange, undefined);
    await binary.sync();
    await binary.sync();
    assert.deepEqual(binary.lastExchange, { up: 36, down: 37 }, 'one head each way, nothing else');

    const json = await open(new MemoryDocStorage(), server, 'json');
    await json.edit((d) => report(d, { status: 'ok' }));
    await json.sync();
    await binary.sync();
    assert.equal(binary.value.reported.status, 'ok', 'a JSON replica and a binary one converge');
    await json.sync();
    assert.ok(json.lastExchange!.up > 2 * 36 && json.lastExchange!.down > 2 * 37, JSON.stringify(json.lastExchange));
  });

  it('a full resend after the peer lost state counts both exchanges', async () => {
    const server = peer();
    const device = await open(new MemoryDocStorage(), server);
    await device.edit((d) => report(d, { status: 'ok' }));
    await device.sync();
    await device.edit((d) => report(d, { status: 'degraded' }));
    // The peer lost the first change: the new one lacks its parent, so the device resends everything.
    server.forget();
    await device.sync();
    // skeleton + first report; then the new change alone (refused: missing parent); then all three.
    assert.deepEqual(server.received, [2, 1, 3]);
    assert.equal(server.doc.reported.status, 'degraded');
    const { up, down } = device.lastExchange!;
    assert.ok(up > 2 * 36 && down >= 2 * 37, JSON.stringify(device.lastExchange));
  });
});
