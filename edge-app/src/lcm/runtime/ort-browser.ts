/**
 * onnxruntime-web for the browser (the runtime worker): the WebAssembly-only build, which needs a
 * single file, ort-wasm-simd-threaded.wasm (its JS glue is bundled in). Threads need
 * SharedArrayBuffer, which a page only gets when cross-origin isolated (COOP + COEP headers).
 */
import * as ort from 'onnxruntime-web/wasm';
import type { Ort } from './session.ts';

export interface BrowserOrtOptions {
  /**
   * Where ort-wasm-simd-threaded.wasm is served. The app passes the URL its bundler emitted
   * (worker/ort-assets.ts); without one ORT looks next to its own module, which works where
   * node_modules is served as is (web-test-runner) but not in a Vite build.
   */
  wasmUrl?: string;
  /** Upper bound on threads; default 4. */
  maxThreads?: number;
}

export interface ConfiguredOrt {
  ort: Ort;
  threads: number;
}

let configured: ConfiguredOrt | null = null;

/** Threads ORT may use here: several only when SharedArrayBuffer is usable. */
export function availableThreads(maxThreads = 4): number {
  const isolated = typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated === true;
  if (!isolated) return 1;
  return Math.max(1, Math.min(maxThreads, globalThis.navigator?.hardwareConcurrency || 1));
}

/**
 * Configures ORT once per realm: ORT reads `env` when it first initialises its wasm and ignores
 * later changes, so a second call with other options gets the first configuration back.
 */
export function browserOrt(options: BrowserOrtOptions = {}): ConfiguredOrt {
  if (configured) return configured;
  const threads = availableThreads(options.maxThreads);
  ort.env.wasm.numThreads = threads;
  if (options.wasmUrl) ort.env.wasm.wasmPaths = { wasm: options.wasmUrl };
  // ORT's own proxy worker would put a second worker between us and the wasm; we already are one.
  ort.env.wasm.proxy = false;
  configured = { ort, threads };
  return configured;
}
