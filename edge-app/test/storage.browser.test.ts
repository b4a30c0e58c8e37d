import { expect } from '@esm-bundle/chai';
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
    expect(back?.deviceId).to.equal('dev-1');
    expect(back?.when).to.be.instanceOf(Date);
    expect(back?.when.getTime()).to.equal(1_700_000_000_000);
    expect(back?.features).to.be.instanceOf(Float32Array);
    expect(Array.from(back!.features)).to.deep.equal([1.5, -2, 3.25]);
    expect(back?.nested).to.deep.equal({ a: [1, 'x'] });
    await again.delete('device');
    expect(await again.get('device')).to.equal(undefined);
  });

  it('an aborted transaction settles as a rejection and writes nothing', async () => {
    const db = await openLcmDb(name);
    const tx = db.transaction('kv', 'readwrite');
    const put = tx.store.put('should vanish', 'k').then(
      () => 'stored',
      (err: DOMException) => err.name,
    );
    tx.abort();
    expect(await put).to.equal('AbortError');
    let error: unknown;
    try {
      await tx.done;
    } catch (err) {
      error = err;
    }
    expect((error as DOMException | undefined)?.name).to.equal('AbortError');
    expect(await db.get('kv', 'k')).to.equal(undefined);
    db.close();
  });
});
