import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe } from 'node:test';
import { backendSuite } from '../../../../testing/suite.ts';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { InvalidBlobKeyError, InvalidRangeError, type BlobStore } from './types.ts';

export interface BlobSetup {
  store: BlobStore;
  teardown(): Promise<void>;
}

async function read(
  store: BlobStore,
  key: string,
  range?: { start: number; end?: number },
): Promise<Buffer | undefined> {
  const stream = await store.get(key, range);
  return stream && buffer(stream);
}

async function keys(store: BlobStore, prefix?: string): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list(prefix)) out.push(k);
  return out;
}

/** The contract every BlobStore meets; each backend's test file calls this with its own setup. */
export function runBlobStoreAdapterTests(name: string, setup: () => Promise<BlobSetup | undefined>): void {
  describe(`BlobStore adapter: ${name}`, () => {
    const suite = backendSuite(name, setup, (ctx) => ctx.teardown());
    let store: BlobStore;
    const test = (title: string, fn: () => Promise<void>) =>
      suite.test(title, async (ctx) => {
        store = ctx.store;
        await fn();
      });

    test('put then get returns the same bytes; stat reports the size', async () => {
      const bytes = Buffer.from('hello blob store');
      await store.put('a/hello.txt', bytes, bytes.length);
      assert.deepEqual(await read(store, 'a/hello.txt'), bytes);
      const s = await store.stat('a/hello.txt');
      assert.equal(s?.size, bytes.length);
      assert.ok(s?.lastModified instanceof Date);
    });

    test('missing keys: get and stat answer undefined, delete is a no-op', async () => {
      assert.equal(await store.get('nope/missing'), undefined);
      assert.equal(await store.stat('nope/missing'), undefined);
      await store.delete('nope/missing');
    });

    test('streams a 5 MiB body in and out unchanged', async () => {
      const size = 5 * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      const hashIn = createHash('sha256');
      const body = Readable.from(
        (function* () {
          while (sent < size) {
            for (let i = 0; i < chunk.length; i++) chunk[i] = (sent + i) % 251;
            const c = Buffer.from(chunk);
            hashIn.update(c);
            sent += c.length;
            yield c;
          }
        })(),
      );
      await store.put('big/blob.bin', body, size);
      const back = await read(store, 'big/blob.bin');
      assert.equal(back?.length, size);
      assert.equal(createHash('sha256').update(back!).digest('hex'), hashIn.digest('hex'));
    });

    test('byte ranges are inclusive, open-ended ranges run to the end, bad ranges are refused', async () => {
      const bytes = Buffer.from('0123456789');
      await store.put('r/digits', bytes, bytes.length);
      assert.equal((await read(store, 'r/digits', { start: 2, end: 5 }))?.toString(), '2345');
      assert.equal((await read(store, 'r/digits', { start: 7 }))?.toString(), '789');
      assert.equal((await read(store, 'r/digits', { start: 8, end: 100 }))?.toString(), '89');
      await assert.rejects(store.get('r/digits', { start: 10 }), InvalidRangeError);
      await assert.rejects(store.get('r/digits', { start: 5, end: 4 }), InvalidRangeError);
      assert.equal(await store.get('r/missing', { start: 0 }), undefined);
    });

    test('put replaces; delete removes', async () => {
      await store.put('x/k', Buffer.from('one'), 3);
      await store.put('x/k', Buffer.from('second'), 6);
      assert.equal((await read(store, 'x/k'))?.toString(), 'second');
      await store.delete('x/k');
      assert.equal(await store.stat('x/k'), undefined);
    });

    test('an empty blob is stored and read back', async () => {
      await store.put('e/empty', Buffer.alloc(0), 0);
      assert.equal((await store.stat('e/empty'))?.size, 0);
      assert.equal((await read(store, 'e/empty'))?.length, 0);
    });

    test('list yields every key under a prefix in lexicographic order', async () => {
      for (const k of ['l/b/2', 'l/a', 'l/b/1', 'l/c', 'm/other', 'l2/x']) await store.put(k, Buffer.from(k), k.length);
      assert.deepEqual(await keys(store, 'l/'), ['l/a', 'l/b/1', 'l/b/2', 'l/c']);
      assert.deepEqual(await keys(store, 'l/b'), ['l/b/1', 'l/b/2']);
      assert.deepEqual(await keys(store, 'l'), ['l/a', 'l/b/1', 'l/b/2', 'l/c', 'l2/x']);
      assert.deepEqual(await keys(store, 'zzz'), []);
      assert.ok((await keys(store)).includes('m/other'));
    });

    test('a put whose stream fails half-way leaves nothing: no key, no listing, no folder blocking the name', async () => {
      const halfThenFail = () =>
        Readable.from(
          (async function* () {
            yield Buffer.alloc(64 * 1024, 1);
            throw new Error('connection reset half-way');
          })(),
        );
      await assert.rejects(store.put('cut/run/model.onnx', halfThenFail(), 128 * 1024), /half-way/);
      assert.equal(await store.stat('cut/run/model.onnx'), undefined);
      assert.deepEqual(await keys(store, 'cut'), []);
      // An MLflow artifact path may later name a file where the failed put wanted a folder.
      await store.put('cut/run', Buffer.from('file'), 4);
      await store.delete('cut/run');
      await store.put('cut/run/model.onnx', Buffer.from('whole'), 5);
      assert.equal((await read(store, 'cut/run/model.onnx'))?.toString(), 'whole');
    });

    test('keys that could escape the store or hide files are refused before any I/O', async () => {
      for (const bad of [
        '../etc/passwd',
        'a/../../b',
        '/abs',
        'a//b',
        '.hidden',
        'a/.git/config',
        'a\\b',
        '',
        'a/',
        'sp ace',
        'x'.repeat(513),
      ]) {
        await assert.rejects(store.put(bad, Buffer.from('x'), 1), InvalidBlobKeyError, bad);
        await assert.rejects(store.get(bad), InvalidBlobKeyError, bad);
        await assert.rejects(store.stat(bad), InvalidBlobKeyError, bad);
        await assert.rejects(store.delete(bad), InvalidBlobKeyError, bad);
      }
    });
  });
}
