/**
 * The PWA's inference runtime: a RuntimeWorker (onnxruntime-web in a Web Worker), started with the
 * thread count the previous start found right for the models on this device.
 */
import type { LcmDb } from '../lcm/index.ts';
import { RuntimeWorker } from '../worker/client.ts';
import { ORT_WASM_URL } from '../worker/ort-assets.ts';

/** A new runtime worker; it begins loading onnxruntime at once, before any model is given to it. */
export function startRuntime(): RuntimeWorker {
  return new RuntimeWorker({ wasmUrl: ORT_WASM_URL, maxThreads: threadsHint() });
}

/** Models smaller than this run on one thread: starting ORT's thread pool costs more than it saves. */
const THREADED_MODEL_BYTES = 4 * 1024 * 1024;
const THREADS_HINT = 'tinylcm:runtime-threads';

/** Threads for the runtime, decided before IndexedDB is open: from what the last start found (localStorage is synchronous). */
function threadsHint(): number {
  const n = Number(globalThis.localStorage?.getItem(THREADS_HINT));
  return Math.max(n, 1);
}

/**
 * Remembers the threads the next start should use, by the largest active model's size (read
 * without loading it): a small tabular model answers in microseconds on one thread, while each
 * extra thread is a worker that must start and instantiate the wasm before the first run.
 */
export async function rememberThreads(db: LcmDb): Promise<void> {
  let largest = 0;
  for (const a of await db.getAll('model-active'))
    largest = Math.max(largest, (await db.get('model-versions', [a.name, a.version]))?.size ?? 0);
  globalThis.localStorage?.setItem(THREADS_HINT, String(largest >= THREADED_MODEL_BYTES ? 4 : 1));
}
