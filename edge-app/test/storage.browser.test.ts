import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { deleteDB } from 'idb';
import { KvStore, openLcmDb } from '../src/lcm/storage/db.ts';

describe('TinyLCM IndexedDB (idb, real Chromium)', () => {
  const name = `tinylcm-test-${Math.random().toString(36).slice(2)}`;
  after(() => deleteDB(name));

  it('round-trips structured values, including typed arrays, across a reopen', async () => {
    const db = await openLcmDb(name);
    const kv = new KvStore(db);
    const value = {
      deviceId: 'dev-1',
      when: new Date(1_700_000_000_000),
      features: new Float32Array([1.5, -2, 3.25]),
      nested: { a: [1, 'x'] },
    };
    await kv.set('device', value);
    db.close();

    const again = new KvStore(await openLcmDb(name));
    const back = await again.get<typeof value>('device');
    assert.equal(back?.deviceId, 'dev-1');
    assert.ok(back?.when instanceof Date);
    assert.equal(back?.when.getTime(), 1_700_000_000_000);
    assert.ok(back?.features instanceof Float32Array);
    assert.deepEqual(Array.from(back!.features), [1.5, -2, 3.25]);
    assert.deepEqual(back?.nested, { a: [1, 'x'] });
    await again.delete('device');
    assert.equal(await again.get('device'), undefined);
  });

  it('an aborted transaction settles as a rejection and writes nothing', async () => {
    const db = await openLcmDb(name);
    const tx = db.transaction('kv', 'readwrite');
    const put = tx.store.put('should vanish', 'k').then(
      () => 'stored',
      (err: DOMException) => err.name,
    );
    tx.abort();
    assert.equal(await put, 'AbortError');
    let error: unknown;
    try {
      await tx.done;
    } catch (err) {
      error = err;
    }
    assert.equal((error as DOMException | undefined)?.name, 'AbortError');
    assert.equal(await db.get('kv', 'k'), undefined);
    db.close();
  });
});
