/**
 * The onnxruntime wasm as the Vite build emits it (content-hashed under /assets/, precached by the
 * service worker): pass ORT_WASM_URL as `wasmUrl` to the RuntimeWorker. Vite-only (`?url`); tests
 * under web-test-runner pass `/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm`.
 */
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';

export const ORT_WASM_URL: string = new URL(wasmUrl, import.meta.url).href;
