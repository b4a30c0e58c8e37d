// Test support for the model store (its tests in Chromium and in Node, and anyone simulating a full
// quota): not imported by the library itself.
import { deleteDB } from 'idb';
import type { StorageLike } from './quota.ts';
import type { ModelStoreOptions } from './api.ts';
import { ModelStore } from './store.ts';

/** A storage manager with figures the test sets, and a count of persist() calls. */
export function fakeStorage(
  usage: number,
  quota: number,
  persisted = false,
): StorageLike & { usage: number; quota: number; persistCalls: number } {
  return {
    usage,
    quota,
    persistCalls: 0,
    async estimate() {
      return { usage: this.usage, quota: this.quota };
    },
    async persist() {
      this.persistCalls++;
      return persisted;
    },
    async persisted() {
      return false;
    },
  };
}

/**
 * The same ONNX model with different bytes: appends an unknown ModelProto field (20, bytes), which
 * readers skip, so each `n` gives a distinct sha256.
 */
export function variant(model: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const payload = new TextEncoder().encode(`variant ${n}`);
  // Tag (20 << 3 | 2) = 162 as a varint is a2 01; payloads stay under 128 bytes, so one length byte.
  return Uint8Array.from([...model, 0xa2, 0x01, payload.length, ...payload]);
}

/** A fresh database per test, closed and deleted afterwards. */
export function useStores(prefix: string): {
  open(options?: ModelStoreOptions): Promise<ModelStore>;
  cleanup(): Promise<void>;
  readonly dbName: string;
} {
  let dbName = '';
  const opened: ModelStore[] = [];
  let n = 0;
  return {
    get dbName() {
      return dbName;
    },
    async open(options = { storage: fakeStorage(0, 10e9) }) {
      if (!dbName) dbName = `${prefix}-${Date.now()}-${n++}-${Math.random().toString(36).slice(2)}`;
      const store = await ModelStore.open(dbName, options);
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const s of opened.splice(0)) s.close();
      if (dbName) await deleteDB(dbName);
      dbName = '';
    },
  };
}

/** The rejection of `p`, failing when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
