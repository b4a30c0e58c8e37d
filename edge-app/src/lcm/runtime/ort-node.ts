/**
 * onnxruntime-web for Node (the tinylcm CLIs, the simulator, tests): the package's node build loads
 * its wasm from node_modules. One thread: the CLIs run one small model at a time, and wasm threads
 * in Node would start worker_threads that keep the process alive.
 */
import * as ort from 'onnxruntime-web';
import type { Ort } from './session.ts';

let ready = false;

export function nodeOrt(): Ort {
  if (!ready) {
    ort.env.wasm.numThreads = 1;
    ready = true;
  }
  return ort;
}
