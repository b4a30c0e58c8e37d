/** TinyLCM in Node (CLIs, simulator, tests, benchmarks): onnxruntime-web's Node build. The rest is ./index.ts. */
export { nodeOrt } from './runtime/ort-node.ts';
