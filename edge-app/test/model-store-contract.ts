// The model store's contract, one suite for every IndexedDB it runs on: real Chromium
// (model-store.browser.test.ts) and fake-indexeddb in Node (model-store-contract.test.ts). The issue's
// store → verify → activate → rollback path, refusals that must leave nothing behind, atomic
// activation, file import, collection, reopening.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
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

/** What differs between the places the contract runs. */
export interface ModelStorePlatform {
  /** Names the suite: where it runs. */
  name: string;
  /** The committed fixtures classifier-v1.onnx and classifier-v2.onnx, as the platform reads files. */
  models(): Promise<[Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>]>;
  /** Calls `listener` with each unhandled promise rejection until the returned function is called. */
  onUnhandledRejection(listener: (reason: unknown) => void): () => void;
}

async function counts(store: ModelStore): Promise<[number, number, number]> {
  return Promise.all([store.db.count('model-versions'), store.db.count('model-bytes'), store.db.count('model-active')]);
}

/** Makes IDBObjectStore.put misbehave for one store until the returned function is called. */
function patchPut(storeName: string, misbehave: (req: IDBRequest, store: IDBObjectStore) => void): () => void {
  const original = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
    const req = original.apply(this, args);
    if (this.name === storeName) misbehave(req, this);
    return req;
  };
  return () => {
    IDBObjectStore.prototype.put = original;
  };
}

/**
 * What chai's include() checked: `actual` has each property of `expected`, deep-equal, and none of
 * `absent`. The failure shows those properties of `actual` against `expected`.
 */
function assertHas(actual: object | undefined, expected: Record<string, unknown>, absent: string[] = []): void {
  const keys = [...Object.keys(expected), ...absent].filter((k) => actual !== undefined && k in actual);
  assert.deepEqual(Object.fromEntries(keys.map((k) => [k, (actual as Record<string, unknown>)[k]])), expected);
}

export function modelStoreContract(platform: ModelStorePlatform): void {
  describe(`ModelStore (${platform.name})`, () => {
    let v1: Uint8Array<ArrayBuffer>;
    let v2: Uint8Array<ArrayBuffer>;
    let sha1: string;
    let sha2: string;
    const unhandled: unknown[] = [];
    let stopWatching = () => {};
    const stores = useStores('model-store');

    before(async () => {
      [v1, v2] = await platform.models();
      [sha1, sha2] = await Promise.all([sha256Hex(v1), sha256Hex(v2)]);
      stopWatching = platform.onUnhandledRejection((reason) => unhandled.push(reason));
    });
    afterEach(() => stores.cleanup());
    after(async () => {
      // Let late rejections surface before checking that there were none.
      await new Promise((r) => setTimeout(r, 50));
      stopWatching();
      assert.deepEqual(unhandled.map(String), []);
    });

    it('stores, verifies, activates, hands back identical bytes, activates a second version and rolls back', async () => {
      // The platform's own navigator.storage: Chromium's estimate and persist(), none in Node.
      const store = await stores.open({});
      const m1 = await store.add(v1, {
        name: 'clf',
        version: 1,
        sha256: sha1.toUpperCase(),
        metadata: { classLabels: ['no', 'yes'] },
      });
      assertHas(m1, { name: 'clf', version: 1, sha256: sha1, size: v1.length, origin: 'registry' });
      assert.equal(m1.onnx.graphName, 'tiny_classifier');
      assert.deepEqual(m1.onnx.inputs, [{ name: 'features', type: 'float32', shape: ['batch', 3] }]);
      assert.equal(await store.active('clf'), undefined);
      assert.equal(await store.verify(m1), true);

      const a1 = await store.activate('clf', 1);
      assertHas(a1, { name: 'clf', version: 1 }, ['previous']);
      const bytes = await store.bytes({ name: 'clf', version: 1, sha256: sha1 });
      assert.ok(bytes instanceof Uint8Array);
      assert.deepEqual(Array.from(bytes), Array.from(v1));
      assert.ok((await store.blob(m1)) instanceof Blob);

      await store.add(new Blob([v2]), { name: 'clf', version: 2, sha256: sha2 });
      const a2 = await store.activate('clf', 2);
      assertHas(a2, { version: 2, previous: 1 });
      const active = await store.active('clf');
      assert.equal(active?.model.sha256, sha2);
      assert.deepEqual(Array.from(await store.bytes(active!.model)), Array.from(v2));

      const back = await store.rollback('clf');
      assertHas(back, { name: 'clf', version: 1, rolledBackFrom: 2 }, ['previous']);
      assert.equal((await store.active('clf'))?.model.sha256, sha1);
      assert.equal((await rejection(store.rollback('clf'))).name, 'ModelStateError');

      // persist() was asked once and its answer recorded, whatever the platform granted.
      const record = (await store.db.get('kv', PERSIST_KEY)) as { persisted?: unknown } | undefined;
      assert.equal(typeof record?.persisted, 'boolean');
    });

    it('refuses a corrupted download (one flipped byte) and keeps nothing', async () => {
      const store = await stores.open();
      const corrupted = v1.slice();
      corrupted[corrupted.length >> 1]! ^= 0x01;
      const err = await rejection(store.add(corrupted, { name: 'clf', version: 1, sha256: sha1 }, { activate: true }));
      assert.ok(err instanceof ModelIntegrityError);
      for (const part of ['sha256 mismatch', sha1, 'nothing was stored'])
        assert.ok(err.message.includes(part), err.message);
      assert.deepEqual(await counts(store), [0, 0, 0]);
      assert.equal(await store.active('clf'), undefined);
    });

    it('refuses bytes that hash right but are no ONNX model with the reader’s message', async () => {
      const store = await stores.open();
      const cut = v1.slice(0, 100);
      const err = await rejection(store.add(cut, { name: 'clf', version: 1, sha256: await sha256Hex(cut) }));
      assert.ok(err instanceof InvalidOnnxError);
      assert.match(err.message, /^not a valid ONNX model: /);
      assert.deepEqual(await counts(store), [0, 0, 0]);
    });

    it('reports a nearly full quota (injected estimate) with a clear error and keeps nothing', async () => {
      const storage = fakeStorage(980e6, 1000e6);
      const store = await stores.open({ storage });
      const err = await rejection(store.add(v1, { name: 'clf', version: 1, sha256: sha1 }));
      assert.ok(err instanceof ModelQuotaError);
      // 20 MB free, but the margin is max(10 % of 1000 MB, 50 MB) = 100 MB.
      assert.equal(
        err.message,
        'clf v1: model needs 0.0 MB plus a 100.0 MB safety margin, 20.0 MB free of 1000.0 MB quota; nothing was stored',
      );
      assertHas(err, { needed: v1.length, usage: 980e6, quota: 1000e6, margin: 100e6 });
      assert.deepEqual(await counts(store), [0, 0, 0]);
      assert.equal(storage.persistCalls, 1);

      // The same check before a download of known size, for the sync engine.
      assert.match((await rejection(store.ensureSpace(5e6, 'big v9'))).message, /^big v9: model needs 5\.0 MB/);
      storage.usage = 100e6;
      assert.deepEqual(await store.ensureSpace(5e6), { usage: 100e6, quota: 1000e6, free: 900e6, margin: 100e6 });
      await store.add(v1, { name: 'clf', version: 1, sha256: sha1 });
      assert.deepEqual(await counts(store), [1, 1, 0]);
      assert.equal(storage.persistCalls, 1);
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
      assert.ok(err instanceof ModelQuotaError);
      assert.match(
        err.message,
        /^clf v1: model needs 0\.0 MB, 10000\.0 MB free of 10000\.0 MB quota; IndexedDB refused the write \(QuotaExceededError\)/,
      );
      assert.equal((err.cause as DOMException).name, 'QuotaExceededError');
      assert.deepEqual(await counts(store), [0, 0, 0]);
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
        assert.equal(err.message, 'simulated crash after the write was queued');
        assertHas(await store.active('clf'), { version: 1 }, ['previous']);
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
        assert.equal(err.name, 'AbortError');
        store.close();
        const again = await stores.open();
        assertHas(await again.active('clf'), { version: 1 }, ['previous']);
        assertHas(await again.activate('clf', 2), { version: 2, previous: 1 });
      });

      it('refuses to activate a version that is not stored', async () => {
        const store = await twoVersions();
        assert.equal((await rejection(store.activate('clf', 3))).name, 'ModelNotFoundError');
        assert.equal((await store.active('clf'))?.version, 1);
      });
    });

    it('imports a File: sha256 computed, name from the graph, next local version, origin "file"', async () => {
      const store = await stores.open();
      const m1 = await store.importFile(new File([v1], 'my model.onnx'));
      assertHas(m1, { name: 'tiny_classifier', version: 1, sha256: sha1, origin: 'file', size: v1.length });
      assert.deepEqual(m1.metadata, {
        classLabels: ['no', 'yes'],
        features: ['a', 'b', 'c'],
        description: 'A 2-class test classifier.',
      });
      const m2 = await store.importFile(new File([v2], 'v2.onnx'), { activate: true });
      assertHas(m2, { name: 'tiny_classifier', version: 2, sha256: sha2 });
      assert.equal((await store.active('tiny_classifier'))?.version, 2);
      // The same file again is the version already stored, not a third one.
      assertHas(await store.importFile(new File([v1], 'again.onnx')), { version: 1 });
      const named = await store.importFile(new File([v1], 'x.onnx'), {
        name: 'kiosk',
        version: 7,
        metadata: { description: 'mine' },
      });
      assertHas(named, { name: 'kiosk', version: 7, sha256: sha1 });
      assert.deepEqual(named.metadata, { description: 'mine' });
      assert.deepEqual(await counts(store), [3, 2, 1]); // v1's bytes are stored once for both names

      const bad = await rejection(store.importFile(new File([v1.slice(0, 50)], 'cut.onnx')));
      assert.ok(bad instanceof InvalidOnnxError);
      assert.deepEqual(await counts(store), [3, 2, 1]);
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

      assert.equal((await rejection(store.remove({ name: 'clf', version: 5 }))).name, 'ModelStateError');
      assert.match((await rejection(store.remove({ name: 'clf', version: 4 }))).message, /kept for rollback/);

      const removed = await store.collect('clf');
      assert.deepEqual(
        removed.map((m) => m.version),
        [3, 2, 1],
      );
      assert.deepEqual(
        (await store.list('clf')).map((m) => m.version),
        [4, 5, 6],
      );
      assert.equal(await store.db.count('model-bytes'), 4); // v4, v5, v6, and v1 (still used by "other")
      assert.deepEqual(Array.from(await store.bytes({ name: 'other', version: 1 })), Array.from(v1));
      assertHas(await store.rollback('clf'), { version: 4 });

      assert.equal(await store.remove({ name: 'clf', version: 6 }), true);
      assert.equal(await store.remove({ name: 'clf', version: 6 }), false);
      assert.equal(await store.db.count('model-bytes'), 3);
    });

    it('keeps its state across closing and reopening the database', async () => {
      const store = await stores.open();
      await store.add(v1, { name: 'clf', version: 1, sha256: sha1 }, { activate: true });
      await store.add(v2, { name: 'clf', version: 2, sha256: sha2 }, { activate: true });
      store.close();

      const again = await stores.open();
      assertHas(await again.active('clf'), { version: 2, previous: 1 });
      assert.deepEqual(
        (await again.list()).map((m) => [m.name, m.version, m.sha256]),
        [
          ['clf', 1, sha1],
          ['clf', 2, sha2],
        ],
      );
      assert.deepEqual(Array.from(await again.bytes({ name: 'clf', version: 2 })), Array.from(v2));
      assertHas(await again.rollback('clf'), { version: 1, rolledBackFrom: 2 });
    });

    it('refuses a version number reused for different bytes', async () => {
      const store = await stores.open();
      await store.add(v1, { name: 'clf', version: 1, sha256: sha1 });
      assertHas(await store.add(v1, { name: 'clf', version: 1, sha256: sha1 }), { version: 1 });
      const err = await rejection(store.add(v2, { name: 'clf', version: 1, sha256: sha2 }));
      assert.ok(err instanceof ModelStateError);
      assert.deepEqual(await counts(store), [1, 1, 0]);
    });
  });
}
