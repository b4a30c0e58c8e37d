// The model store in Node (fake-indexeddb): the same code the CLIs and the fleet simulator run,
// and the edges that are easier to reach here than in a browser.
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, before, describe, it } from 'node:test';
import { deleteDB, openDB } from 'idb';
import { bytesSource, readOnnxMetadata } from '../../shared/onnx/reader.ts';
import { isModelName, metadataFromOnnx, nameFromOnnx, toModelName } from '../src/lcm/models/import-meta.ts';
import { ModelStore, PERSIST_KEY, defaultSafetyMargin, isQuotaExceeded, sha256Hex } from '../src/lcm/models/index.ts';
import { fakeStorage, rejection, useStores, variant } from '../src/lcm/models/testing.ts';
import { DB_VERSION, openLcmDb } from '../src/lcm/storage/db.ts';
import { MODEL_STORE_FIXTURES, classifierV1, classifierV2 } from './fixtures/model-store-models.ts';

// Own ArrayBuffer copies (the builder hands back a view typed over any buffer).
const v1 = classifierV1().slice();
const v2 = classifierV2().slice();
let sha1 = '';
let sha2 = '';

describe('ModelStore (Node, fake-indexeddb)', () => {
  const stores = useStores('model-store-node');
  before(async () => {
    [sha1, sha2] = await Promise.all([sha256Hex(v1), sha256Hex(v2)]);
  });
  afterEach(() => stores.cleanup());

  it('the committed fixture files are what the builders write', () => {
    for (const [file, build] of Object.entries(MODEL_STORE_FIXTURES)) {
      const onDisk = readFileSync(new URL(`./fixtures/${file}`, import.meta.url));
      assert.deepEqual(
        new Uint8Array(onDisk),
        build(),
        `${file} is stale: run edge-app/test/fixtures/build-fixtures.ts`,
      );
    }
  });

  it('runs the store → activate → rollback path without navigator.storage', async () => {
    const store = await stores.open({}); // Node has no navigator.storage: the pre-check is skipped
    await store.add(v1, { name: 'clf', version: 1, sha256: sha1 }, { activate: true });
    await store.add(new Blob([v2]), { name: 'clf', version: 2, sha256: sha2 }, { activate: true });
    assert.deepEqual(await store.bytes({ name: 'clf', version: 2 }), v2);
    assert.equal((await store.rollback('clf')).version, 1);
    assert.deepEqual(await store.activeRecords(), [
      { name: 'clf', version: 1, activatedAt: (await store.active('clf'))!.activatedAt, rolledBackFrom: 2 },
    ]);
    assert.deepEqual(await store.requestPersistence(), {
      persisted: false,
      asked: false,
      at: (await store.requestPersistence()).at,
    });
    assert.equal(((await store.db.get('kv', PERSIST_KEY)) as { asked: boolean }).asked, false);
  });

  it('asks persist() once per store and records the answer', async () => {
    const storage = fakeStorage(0, 10e9, true);
    const store = await stores.open({ storage, now: () => 1234 });
    await store.add(v1, { name: 'clf', version: 1, sha256: sha1 });
    await store.add(v2, { name: 'clf', version: 2, sha256: sha2 });
    await store.ensureSpace(1e6);
    assert.equal(storage.persistCalls, 1);
    assert.deepEqual(await store.db.get('kv', PERSIST_KEY), { persisted: true, asked: true, at: 1234 });
  });

  it('does not ask again when storage is already persistent', async () => {
    const storage = { ...fakeStorage(0, 10e9), persisted: async () => true };
    const store = await stores.open({ storage });
    assert.deepEqual({ ...(await store.requestPersistence()), at: 0 }, { persisted: true, asked: false, at: 0 });
    assert.equal(storage.persistCalls, 0);
  });

  it('keeps a margin of 10 % of the quota, at least 50 MB, and skips the check without figures', async () => {
    assert.equal(defaultSafetyMargin(100e6), 50e6);
    assert.equal(defaultSafetyMargin(2e9), 200e6);
    const store = await stores.open({ storage: { estimate: () => Promise.reject(new Error('no')) } });
    assert.equal(await store.ensureSpace(1e12), undefined);
    const zero = await stores.open({ storage: { estimate: async () => ({}) } });
    assert.equal(await zero.ensureSpace(1e12), undefined);
    const custom = await stores.open({ storage: fakeStorage(0, 1e6), safetyMargin: () => 0 });
    assert.deepEqual(await custom.ensureSpace(1e6), { usage: 0, quota: 1e6, free: 1e6, margin: 0 });
    assert.equal((await rejection(custom.ensureSpace(1e6 + 1))).name, 'ModelQuotaError');
  });

  it('recognises the quota errors browsers raise', () => {
    assert.equal(isQuotaExceeded(new DOMException('full', 'QuotaExceededError')), true);
    assert.equal(isQuotaExceeded({ name: 'NS_ERROR_DOM_QUOTA_REACHED' }), true);
    assert.equal(isQuotaExceeded(new DOMException('gone', 'AbortError')), false);
    assert.equal(isQuotaExceeded(undefined), false);
  });

  it('refuses a malformed expected hash, a bad name or version before reading anything', async () => {
    const store = await stores.open();
    assert.match(
      (await rejection(store.add(v1, { name: 'clf', version: 1, sha256: 'abc' }))).message,
      /expected sha256 must be 64 hex digits/,
    );
    assert.equal((await rejection(store.add(v1, { name: '../x', version: 1, sha256: sha1 }))).name, 'TypeError');
    assert.equal((await rejection(store.add(v1, { name: 'clf', version: 0, sha256: sha1 }))).name, 'TypeError');
    assert.deepEqual(await store.list(), []);
  });

  it('settles concurrent adds of one version into one record, and numbers concurrent imports apart', async () => {
    const store = await stores.open();
    const same = await Promise.all([1, 2, 3].map(() => store.add(v1, { name: 'clf', version: 1, sha256: sha1 })));
    assert.deepEqual(
      same.map((m) => m.version),
      [1, 1, 1],
    );
    const imported = await Promise.all(
      [variant(v1, 1), variant(v1, 2), variant(v1, 3)].map((b) => store.importFile(new Blob([b]), { name: 'local' })),
    );
    assert.deepEqual(imported.map((m) => m.version).sort(), [1, 2, 3]);
    assert.equal(await store.db.count('model-versions'), 4);
  });

  it('collect: `keep` counts active and previous, never removes them, and waits for an active version', async () => {
    const store = await stores.open();
    for (let v = 1; v <= 6; v++) {
      const bytes = variant(v1, v);
      await store.add(bytes, { name: 'clf', version: v, sha256: await sha256Hex(bytes) });
    }
    assert.deepEqual(await store.collect('clf'), []); // nothing active yet
    await store.activate('clf', 2);
    await store.activate('clf', 5);
    assert.deepEqual(
      (await store.collect('clf', 3)).map((m) => m.version),
      [3, 1],
    ); // keeps 5, 2 and the newest other (4)
    assert.deepEqual(
      (await store.collect('clf', 0)).map((m) => m.version),
      [4],
    );
    assert.deepEqual(
      (await store.list('clf')).map((m) => m.version),
      [2, 5, 6],
    );
    assert.equal(await store.db.count('model-bytes'), 3);
  });

  it('get and bytes honour the sha256 of a ref', async () => {
    const store = await stores.open();
    await store.add(v1, { name: 'clf', version: 1, sha256: sha1 });
    assert.equal(await store.get({ name: 'clf', version: 1, sha256: sha2 }), undefined);
    assert.equal((await store.get({ name: 'clf', version: 1, sha256: sha1 }))?.size, v1.length);
    assert.equal((await rejection(store.bytes({ name: 'clf', version: 1, sha256: sha2 }))).name, 'ModelNotFoundError');
    assert.equal((await rejection(store.bytes({ name: 'nope', version: 1 }))).name, 'ModelNotFoundError');
    assert.equal(await store.verify({ name: 'clf', version: 1 }), true);
  });

  it('upgrades a version-1 database additively, keeping what kv held', async () => {
    const name = `model-store-upgrade-${Date.now()}`;
    const old = await openDB(name, 1, { upgrade: (db) => void db.createObjectStore('kv') });
    await old.put('kv', 'dev-1', 'deviceId');
    old.close();
    const db = await openLcmDb(name);
    assert.ok(DB_VERSION >= 2);
    for (const s of ['kv', 'model-bytes', 'model-versions', 'model-active'])
      assert.ok(db.objectStoreNames.contains(s as 'kv'), s);
    assert.equal(await db.get('kv', 'deviceId'), 'dev-1');
    const store = new ModelStore(db, { storage: null });
    await store.add(v1, { name: 'clf', version: 1, sha256: sha1 });
    db.close();
    await deleteDB(name);
  });
});

describe('names and metadata of imported files', () => {
  it('derives a registry-valid name from the graph, the producer or the file name', async () => {
    const onnx = await readOnnxMetadata(bytesSource(v1));
    assert.equal(nameFromOnnx(onnx, 'x.onnx'), 'tiny_classifier');
    assert.equal(nameFromOnnx({ ...onnx, graphName: '' }, 'x.onnx'), 'tinylcm-test');
    assert.equal(nameFromOnnx({ ...onnx, graphName: '', producerName: '' }, 'My Model (v2).ONNX'), 'My-Model-v2');
    assert.equal(nameFromOnnx({ ...onnx, graphName: '', producerName: '  ' }), 'model');
    assert.equal(toModelName('__torch jit::main__'), 'torch-jit-main__');
    assert.ok(isModelName(toModelName(`ünïcödé graph name ${'x'.repeat(200)}`)));
  });

  it('reads class labels and features from metadata_props, leaving out what is not a string array', async () => {
    const onnx = await readOnnxMetadata(bytesSource(v1));
    assert.deepEqual(metadataFromOnnx(onnx), {
      classLabels: ['no', 'yes'],
      features: ['a', 'b', 'c'],
      description: 'A 2-class test classifier.',
    });
    assert.deepEqual(
      metadataFromOnnx({ ...onnx, docString: '', metadataProps: { class_labels: '{bad', feature_names: '[1,2]' } }),
      {},
    );
  });
});
