/**
 * The smallest model onnxruntime accepts (one Identity on a float32[1]), embedded so the runtime
 * worker can initialise ORT — fetch and compile its 14 MB wasm, start the runtime — the moment it
 * starts, while the page is still opening IndexedDB and reading the real model. Built by
 * shared/onnx/build.ts from WARM_UP_SPEC; warm-up-model.test.ts checks these bytes are that build.
 */
export const WARM_UP_SPEC = {
  inputs: [{ name: 'x', type: 'float32', shape: [1] }],
  outputs: [{ name: 'y', type: 'float32', shape: [1] }],
  nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
};

const BASE64 =
  'CAgSB3RpbnlsY20aACIAKAEyADpICh4KAXgSAXkaCklkZW50aXR5XzAiCElkZW50aXR5OgASBG1haW5aDwoBeBIKCggIARIECgIIAWIPCgF5EgoKCAgBEgQKAggBQgQKABAR';

/** A fresh copy each call: ORT may take ownership of what it is given. */
export function warmUpModel(): Uint8Array {
  return Uint8Array.from(atob(BASE64), (c) => c.charCodeAt(0));
}
