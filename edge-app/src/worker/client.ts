import * as Comlink from 'comlink';
import type { RuntimeApi } from './runtime-worker.ts';

export interface RuntimeWorker {
  api: Comlink.Remote<RuntimeApi>;
  terminate(): void;
}

/** Starts the runtime worker (a module worker, so it can import onnxruntime-web and shared code). */
export function startRuntimeWorker(): RuntimeWorker {
  const worker = new Worker(new URL('./runtime-worker.ts', import.meta.url), { type: 'module', name: 'tinylcm-runtime' });
  const api = Comlink.wrap<RuntimeApi>(worker);
  return {
    api,
    terminate() {
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
