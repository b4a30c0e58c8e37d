// The model store in real Chromium IndexedDB: the store → verify → activate → rollback path,
// refusals that must leave nothing behind, atomic activation, file import, collection, reopening.
import { expect } from '@esm-bundle/chai';
import { InvalidOnnxError } from '../../shared/onnx/reader.ts';
import {
  ModelIntegrityError,
  ModelQuotaError,
  ModelStateError,
  PERSIST_KEY,
  sha256Hex,
  type ModelStore,
} from '../src/lcm/models/index.ts';
import { fakeStorage, rejection, useStores, variant } from '../src/lcm/models/testing.ts';

async function fixture(name: string): Promise<Uint8Array<ArrayBuffer>> {
  const res = await fetch(`/edge-app/test/fixtures/${name}`);
  if (!res.ok) throw new Error(`fixture ${name}: HTTP ${res.status} (run build-fixtures.ts)`);
  return new Uint8Array(await res.arrayBuffer());
}

async function counts(store: ModelStore): Promise<[number, number, number]> {
  return Promise.all([store.db.count('model-versions'), store.db.count('model-bytes'), store.db.count('model-active')]);
}

/** Makes IDBObjectStore.put misbehave for one store until the returned function is called. */
function patchPut(storeName: string, after: (req: IDBRequest, store: IDBObjectStore) => void): () => void {
  const original = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
    const req = original.apply(this, args);
    if (this.name === storeName) after(req, this);
    return req;
  };
  return () => {
    IDBObjectStore.prototype.put = original;
  };
}

describe('ModelStore in Chromium', () => {
  let v1: Uint8Array<ArrayBuffer>;
  let v2: Uint8Array<ArrayBuffer>;
  let sha1: string;
  let sha2: string;
  const unhandled: unknown[] = [];
  const onUnhandled = (e: PromiseRejectionEvent): void => void unhandled.push(e.reason);
  const stores = useStores('model-store');

  before(async () => {
    [v1, v2] = await Promise.all([fixture('classifier-v1.onnx'), fixture('classifier-v2.onnx')]);
    [sha1, sha2] = await Promise.all([sha256Hex(v1), sha256Hex(v2)]);
    window.addEventListener('unhandledrejection', onUnhandled);
  });
  afterEach(() => stores.cleanup());
  after(async () => {
    // Let late rejections surface before checking that there were none.
    await new Promise((r) => setTimeout(r, 50));
    window.removeEventListener('unhandledrejection', onUnhandled);
    expect(unhandled.map(String)).to.deep.equal([]);
  });

  it('stores, verifies, activates, hands back identical bytes, activates a second version and rolls back', async () => {
    // The real navigator.storage here: Chromium's estimate and persist().
    const store = await stores.open({});
    const m1 = await store.add(v1, {
      name: 'clf',
      version: 1,
      sha256: sha1.toUpperCase(),
      metadata: { classLabels: ['no', 'yes'] },
    });
    expect(m1).to.include({ name: 'clf', version: 1, sha256: sha1, size: v1.length, origin: 'registry' });
    expect(m1.onnx.graphName).to.equal('tiny_classifier');
    expect(m1.onnx.inputs).to.deep.equal([{ name: 'features', type: 'float32', shape: ['batch', 3] }]);
    expect(await store.active('clf')).to.equal(undefined);
    expect(await store.verify(m1)).to.equal(true);

    const a1 = await store.activate('clf', 1);
    expect(a1).to.include({ name: 'clf', version: 1 }).and.not.have.property('previous');
    const bytes = await store.bytes({ name: 'clf', version: 1, sha256: sha1 });
    expect(bytes).to.be.instanceOf(Uint8Array);
    expect(Array.from(bytes)).to.deep.equal(Array.from(v1));
    expect(await store.blob(m1)).to.be.instanceOf(Blob);

    await store.add(new Blob([v2]), { name: 'clf', version: 2, sha256: sha2 });
    const a2 = await store.activate('clf', 2);
    expect(a2).to.include({ version: 2, previous: 1 });
    const active = await store.active('clf');
    expect(active?.model.sha256).to.equal(sha2);
    expect(Array.from(await store.bytes(active!.model))).to.deep.equal(Array.from(v2));

    const back = await store.rollback('clf');
    expect(back).to.include({ name: 'clf', version: 1, rolledBackFrom: 2 }).and.not.have.property('previous');
    expect((await store.active('clf'))?.model.sha256).to.equal(sha1);
    expect((await rejection(store.rollback('clf'))).name).to.equal('ModelStateError');

    // persist() was asked once and its answer recorded, whatever Chromium granted.
    const record = await store.db.get('kv', PERSIST_KEY);
    expect(record).to.have.property('persisted').that.is.a('boolean');
  });

  it('refuses a corrupted download (one flipped byte) and keeps nothing', async () => {
    const store = await stores.open();
    const corrupted = v1.slice();
    corrupted[corrupted.length >> 1]! ^= 0x01;
    const err = await rejection(store.add(corrupted, { name: 'clf', version: 1, sha256: sha1 }, { activate: true }));
    expect(err).to.be.instanceOf(ModelIntegrityError);
    expect(err.message).to.contain('sha256 mismatch').and.contain(sha1).and.contain('nothing was stored');
    expect(await counts(store)).to.deep.equal([0, 0, 0]);
    expect(await store.active('clf')).to.equal(undefined);
  });

  it('refuses bytes that hash right but are no ONNX model with the reader’s message', async () => {
    const store = await stores.open();
    const cut = v1.slice(0, 100);
    const err = await rejection(store.add(cut, { name: 'clf', version: 1, sha256: await sha256Hex(cut) }));
    expect(err).to.be.instanceOf(InvalidOnnxError);
    expect(err.message).to.match(/^not a valid ONNX model: /);
    expect(await counts(store)).to.deep.equal([0, 0, 0]);
  });

  it('reports a nearly full quota (injected estimate) with a clear error and keeps nothing', async () => {
    const storage = fakeStorage(980e6, 1000e6);
    const store = await stores.open({ storage });
    const err = await rejection(store.add(v1, { name: 'clf', version: 1, sha256: sha1 }));
    expect(err).to.be.instanceOf(ModelQuotaError);
    // 20 MB free, but the margin is max(10 % of 1000 MB, 50 MB) = 100 MB.
    expect(err.message).to.equal(
      'clf v1: model needs 0.0 MB plus a 100.0 MB safety margin, 20.0 MB free of 1000.0 MB quota; nothing was stored',
    );
    expect(err).to.include({ needed: v1.length, usage: 980e6, quota: 1000e6, margin: 100e6 });
    expect(await counts(store)).to.deep.equal([0, 0, 0]);
    expect(storage.persistCalls).to.equal(1);

    // The same check before a download of known size, for the sync engine.
    expect((await rejection(store.ensureSpace(5e6, 'big v9'))).message).to.match(/^big v9: model needs 5\.0 MB/);
    storage.usage = 100e6;
    expect(await store.ensureSpace(5e6)).to.deep.equal({ usage: 100e6, quota: 1000e6, free: 900e6, margin: 100e6 });
    await store.add(v1, { name: 'clf', version: 1, sha256: sha1 });
    expect(await counts(store)).to.deep.equal([1, 1, 0]);
    expect(storage.persistCalls).to.equal(1);
  });

  it('turns IndexedDB’s own QuotaExceededError into ModelQuotaError with nothing half-written', async () => {
    const store = await stores.open({ storage: fakeStorage(0, 10e9) });
    // The bytes are queued first; the metadata write then fails as a full disk would.
    const restore = patchPut('model-versions', () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    let err: Error;
    try {
      err = await rejection(store.add(v1, { name: 'clf', version: 1, sha256: sha1 }, { activate: true }));
    } finally {
      restore();
    }
    expect(err).to.be.instanceOf(ModelQuotaError);
    expect(err.message).to.match(
      /^clf v1: model needs 0\.0 MB, 10000\.0 MB free of 10000\.0 MB quota; IndexedDB refused the write \(QuotaExceededError\)/,
    );
    expect((err.cause as DOMException).name).to.equal('QuotaExceededError');
    expect(await counts(store)).to.deep.equal([0, 0, 0]);
  });

  describe('activation is atomic', () => {
    async function twoVersions(): Promise<ModelStore> {
      const store = await stores.open();
      await store.add(v1, { name: 'clf', version: 1, sha256: sha1 }, { activate: true });
      await store.add(v2, { name: 'clf', version: 2, sha256: sha2 });
      return store;
    }

    it('a failure after the pointer write is queued leaves the old version active', async () => {
      const store = await twoVersions();
      const restore = patchPut('model-active', () => {
        throw new Error('simulated crash after the write was queued');
      });
      let err: Error;
      try {
        err = await rejection(store.activate('clf', 2));
      } finally {
        restore();
      }
      expect(err.message).to.equal('simulated crash after the write was queued');
      expect(await store.active('clf'))
        .to.include({ version: 1 })
        .and.not.have.property('previous');
    });

    it('a transaction aborted mid-way leaves the old version active, also after reopening', async () => {
      const store = await twoVersions();
      const restore = patchPut('model-active', (_req, s) => s.transaction.abort());
      let err: Error;
      try {
        err = await rejection(store.activate('clf', 2));
      } finally {
        restore();
      }
      expect(err.name).to.equal('AbortError');
      store.close();
      const again = await stores.open();
      expect(await again.active('clf'))
        .to.include({ version: 1 })
        .and.not.have.property('previous');
      expect(await again.activate('clf', 2)).to.include({ version: 2, previous: 1 });
    });

    it('refuses to activate a version that is not stored', async () => {
      const store = await twoVersions();
      expect((await rejection(store.activate('clf', 3))).name).to.equal('ModelNotFoundError');
      expect((await store.active('clf'))?.version).to.equal(1);
    });
  });

  it('imports a File: sha256 computed, name from the graph, next local version, origin "file"', async () => {
    const store = await stores.open();
    const m1 = await store.importFile(new File([v1], 'my model.onnx'));
    expect(m1).to.include({ name: 'tiny_classifier', version: 1, sha256: sha1, origin: 'file', size: v1.length });
    expect(m1.metadata).to.deep.equal({
      classLabels: ['no', 'yes'],
      features: ['a', 'b', 'c'],
      description: 'A 2-class test classifier.',
    });
    const m2 = await store.importFile(new File([v2], 'v2.onnx'), { activate: true });
    expect(m2).to.include({ name: 'tiny_classifier', version: 2, sha256: sha2 });
    expect((await store.active('tiny_classifier'))?.version).to.equal(2);
    // The same file again is the version already stored, not a third one.
    expect(await store.importFile(new File([v1], 'again.onnx'))).to.include({ version: 1 });
    const named = await store.importFile(new File([v1], 'x.onnx'), {
      name: 'kiosk',
      version: 7,
      metadata: { description: 'mine' },
    });
    expect(named).to.include({ name: 'kiosk', version: 7, sha256: sha1 });
    expect(named.metadata).to.deep.equal({ description: 'mine' });
    expect(await counts(store)).to.deep.equal([3, 2, 1]); // v1's bytes are stored once for both names

    const bad = await rejection(store.importFile(new File([v1.slice(0, 50)], 'cut.onnx')));
    expect(bad).to.be.instanceOf(InvalidOnnxError);
    expect(await counts(store)).to.deep.equal([3, 2, 1]);
  });

  it('collect keeps the active and previous versions (and newer, not yet active ones) and frees unshared bytes', async () => {
    const store = await stores.open();
    const models = [variant(v1, 1), variant(v1, 2), v1, variant(v1, 4), v2, variant(v2, 6)];
    for (const [i, bytes] of models.entries())
      await store.add(bytes, { name: 'clf', version: i + 1, sha256: await sha256Hex(bytes) });
    // v3 and v5 share their bytes with another model name: those bytes must survive.
    await store.add(v1, { name: 'other', version: 1, sha256: sha1 });
    await store.activate('clf', 4);
    await store.activate('clf', 5);

    expect((await rejection(store.remove({ name: 'clf', version: 5 }))).name).to.equal('ModelStateError');
    expect((await rejection(store.remove({ name: 'clf', version: 4 }))).message).to.contain('kept for rollback');

    const removed = await store.collect('clf');
    expect(removed.map((m) => m.version)).to.deep.equal([3, 2, 1]);
    expect((await store.list('clf')).map((m) => m.version)).to.deep.equal([4, 5, 6]);
    expect(await store.db.count('model-bytes')).to.equal(4); // v4, v5, v6, and v1 (still used by "other")
    expect(Array.from(await store.bytes({ name: 'other', version: 1 }))).to.deep.equal(Array.from(v1));
    expect(await store.rollback('clf')).to.include({ version: 4 });

    expect(await store.remove({ name: 'clf', version: 6 })).to.equal(true);
    expect(await store.remove({ name: 'clf', version: 6 })).to.equal(false);
    expect(await store.db.count('model-bytes')).to.equal(3);
  });

  it('keeps its state across closing and reopening the database', async () => {
    const store = await stores.open();
    await store.add(v1, { name: 'clf', version: 1, sha256: sha1 }, { activate: true });
    await store.add(v2, { name: 'clf', version: 2, sha256: sha2 }, { activate: true });
    store.close();

    const again = await stores.open();
    expect(await again.active('clf')).to.include({ version: 2, previous: 1 });
    expect((await again.list()).map((m) => [m.name, m.version, m.sha256])).to.deep.equal([
      ['clf', 1, sha1],
      ['clf', 2, sha2],
    ]);
    expect(Array.from(await again.bytes({ name: 'clf', version: 2 }))).to.deep.equal(Array.from(v2));
    expect(await again.rollback('clf')).to.include({ version: 1, rolledBackFrom: 2 });
  });

  it('refuses a version number reused for different bytes', async () => {
    const store = await stores.open();
    await store.add(v1, { name: 'clf', version: 1, sha256: sha1 });
    expect(await store.add(v1, { name: 'clf', version: 1, sha256: sha1 })).to.include({ version: 1 });
    const err = await rejection(store.add(v2, { name: 'clf', version: 1, sha256: sha2 }));
    expect(err).to.be.instanceOf(ModelStateError);
    expect(await counts(store)).to.deep.equal([1, 1, 0]);
  });
});
