// Document replicas in real Chromium IndexedDB. Raw bytes stand in for a saved Automerge document:
// Automerge's default entry needs a bundler for its wasm in the browser, and the storage never looks
// inside the bytes anyway. DocSync over this storage, with real documents, runs in doc-storage.test.ts.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { deleteDB } from 'idb';
import { openLcmDb } from '../src/lcm/storage/db.ts';
import { IdbDocStorage } from '../src/lcm/sync/doc-storage.ts';

describe('IdbDocStorage (real Chromium IndexedDB)', () => {
  const name = `tinylcm-docs-${Math.random().toString(36).slice(2)}`;
  after(() => deleteDB(name));

  it('a saved replica and its server heads survive closing and reopening the database', async () => {
    const db = await openLcmDb(name);
    const storage = new IdbDocStorage(db);
    assert.equal(await storage.load('device:a'), undefined);
    const doc = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff);
    await storage.save('device:a', { doc, serverHeads: ['a'.repeat(64)] });
    await storage.save('device:a', { doc, serverHeads: ['b'.repeat(64), 'c'.repeat(64)] }); // the newer save wins
    await storage.save('group:g', { doc: new Uint8Array([1, 2, 3]), serverHeads: [] });
    db.close();

    const again = await openLcmDb(name);
    const back = await new IdbDocStorage(again).load('device:a');
    assert.ok(back?.doc instanceof Uint8Array);
    assert.deepEqual(Array.from(back!.doc), Array.from(doc));
    assert.deepEqual(back?.serverHeads, ['b'.repeat(64), 'c'.repeat(64)]);
    assert.deepEqual(Array.from((await new IdbDocStorage(again).load('group:g'))!.doc), [1, 2, 3]);
    again.close();
  });
});
