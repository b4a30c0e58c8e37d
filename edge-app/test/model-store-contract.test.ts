// The model store's contract (model-store-contract.ts) in Node, on fake-indexeddb: the same suite as
// in Chromium (model-store.browser.test.ts), over the same fixture files.
import 'fake-indexeddb/auto';
import { readFile } from 'node:fs/promises';
import { modelStoreContract } from './model-store-contract.ts';

const fixture = async (name: string) => new Uint8Array(await readFile(new URL(`./fixtures/${name}`, import.meta.url)));

modelStoreContract({
  name: 'Node, fake-indexeddb',
  models: () => Promise.all([fixture('classifier-v1.onnx'), fixture('classifier-v2.onnx')]),
  onUnhandledRejection(listener) {
    process.on('unhandledRejection', listener);
    return () => process.off('unhandledRejection', listener);
  },
});
