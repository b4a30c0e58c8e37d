/**
 * Imported first by main.ts, so it runs before Lit, the screens and the device layer are evaluated:
 * the runtime worker starts fetching and compiling onnxruntime's 14 MB wasm — the long pole of a
 * cold start — about 150 ms sooner than the device layer would start it.
 */
import '../../../shared/ui/zod-jitless.ts';
import type { RuntimeWorker } from '../worker/client.ts';
import { startRuntime } from './runtime.ts';

performance.mark('tinylcm:runtime-start');
let early: RuntimeWorker | undefined = typeof Worker === 'function' ? startRuntime() : undefined;

/** The runtime started at load, the first time; a new one after that. */
export function takeRuntime(): RuntimeWorker {
  const runtime = early ?? startRuntime();
  early = undefined;
  return runtime;
}
