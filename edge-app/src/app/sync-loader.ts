/**
 * The sync engine for the browser build, loaded on demand: Automerge's wasm (3.6 MB) is fetched
 * and compiled only on an enrolled device. The build aliases `@automerge/automerge` to its `/slim`
 * entry (no wasm bundled into JS), so this explicit, precacheable URL is the one initialisation.
 */
import wasmUrl from '@automerge/automerge/automerge.wasm?url';

let ready: Promise<void> | undefined;

export async function loadSync() {
  // Dynamic, so Automerge's JS too stays out of the app's first chunk.
  ready ??= import('@automerge/automerge/slim').then((A) =>
    A.isWasmInitialized() ? undefined : A.initializeWasm(wasmUrl),
  );
  await ready;
  const sync = await import('../lcm/sync.ts');
  return {
    SyncEngine: sync.SyncEngine,
    IdbMarkStore: sync.IdbMarkStore,
    IdbDocStorage: sync.IdbDocStorage,
    SyncScheduler: sync.SyncScheduler,
  };
}
