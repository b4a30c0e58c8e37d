/**
 * TinyLCM in a browser's runtime worker: onnxruntime-web's WebAssembly-only build and the inference
 * session on its own. The worker imports its values from here, not from ./index.ts, whose schemas
 * (zod, built at module load) would otherwise be bundled into it; a page imports nothing from here,
 * or ORT's JS would join its chunk. Image decoding for the page is in ./index.ts.
 */
export { availableThreads, browserOrt, type BrowserOrtOptions, type ConfiguredOrt } from './runtime/ort-browser.ts';
export { LcmSession, ModelLoadError } from './runtime/session.ts';
export { InferenceInputError } from './runtime/validate.ts';
export { transferables } from './runtime/tensors.ts';
