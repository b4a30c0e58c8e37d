/**
 * TinyLCM in a browser: onnxruntime-web's WebAssembly-only build (for the runtime worker) and image
 * decoding through createImageBitmap and OffscreenCanvas. The rest is ./index.ts.
 */
export { availableThreads, browserOrt, type BrowserOrtOptions, type ConfiguredOrt } from './runtime/ort-browser.ts';
export { decodeImage, imageTensorFrom, type ImageSource } from './preprocess/image-browser.ts';
