// The model store's contract (model-store-contract.ts) in real Chromium IndexedDB.
import { modelStoreContract } from './model-store-contract.ts';

async function fixture(name: string): Promise<Uint8Array<ArrayBuffer>> {
  const res = await fetch(`/edge-app/test/fixtures/${name}`);
  if (!res.ok) throw new Error(`fixture ${name}: HTTP ${res.status} (run build-fixtures.ts)`);
  return new Uint8Array(await res.arrayBuffer());
}

modelStoreContract({
  name: 'Chromium',
  models: () => Promise.all([fixture('classifier-v1.onnx'), fixture('classifier-v2.onnx')]),
  onUnhandledRejection(listener) {
    const onEvent = (e: PromiseRejectionEvent) => listener(e.reason);
    window.addEventListener('unhandledrejection', onEvent);
    return () => window.removeEventListener('unhandledrejection', onEvent);
  },
});
