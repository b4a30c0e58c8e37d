// Models and byte sources shared by the onnx tests (test-only; imported by *.test.ts).

import { buildModel, floatTensor, int64Tensor, node, rawTensor } from './build.ts';
import type { ByteSource } from './wire.ts';
import { Xoshiro128 } from '../random/prng.ts';

export { field, intField, str, varint } from './test-protobuf.ts';

/** A small but complete classifier-shaped model: symbolic batch, several ops, initializers, metadata. */
export function sampleModel(): Uint8Array {
  return buildModel({
    inputs: [{ name: 'features', type: 'float32', shape: ['batch', 3] }],
    outputs: [
      { name: 'probabilities', type: 'float32', shape: ['batch', 2] },
      { name: 'label', type: 'int64', shape: ['batch'] },
    ],
    nodes: [
      node('Sub', ['features', 'mean'], ['centred']),
      node('Gemm', ['centred', 'W', 'b'], ['logits'], { transB: { int: 1 } }),
      node('Softmax', ['logits'], ['probabilities'], { axis: { int: 1 } }),
      node('ArgMax', ['logits'], ['label'], { axis: { int: 1 }, keepdims: { int: 0 } }),
    ],
    initializers: [
      floatTensor('mean', [3], [0.5, -1, 2]),
      floatTensor('W', [2, 3], [1, 0, -1, -1, 0.5, 1]),
      floatTensor('b', [2], [0.1, -0.1]),
      int64Tensor('unused_shape', [2], [-1, 3]),
    ],
    producer: { name: 'tinylcm-test', version: '1.2.3' },
    domain: 'org.tinylcm.test',
    modelVersion: 7,
    docString: 'A test model.',
    graphName: 'sample',
    extraOpsets: [{ domain: 'ai.onnx.ml', version: 3 }],
    metadataProps: { class_labels: '["no","yes"]', feature_names: '["a","b","c"]', owner: 'tests' },
  });
}

/** A model whose single initializer holds `bytes` bytes of data (identity-like: y = x + big[0]). */
export function bigInitializerModel(bytes: number): Uint8Array {
  return buildModel({
    inputs: [{ name: 'x', type: 'float32', shape: [1] }],
    outputs: [{ name: 'y', type: 'float32', shape: [1] }],
    nodes: [node('Add', ['x', 'big'], ['y'])],
    initializers: [rawTensor('big', 'float32', [bytes / 4], new Uint8Array(bytes))],
    metadataProps: { after_the_data: 'yes' },
  });
}

/** Wraps a source and records every read, to check how much of a file the reader touched. */
export function countingSource(inner: ByteSource): ByteSource & { reads: [number, number][]; total(): number } {
  const reads: [number, number][] = [];
  return {
    size: inner.size,
    reads,
    total: () => reads.reduce((s, [, n]) => s + n, 0),
    read(offset, length) {
      reads.push([offset, length]);
      return inner.read(offset, length);
    },
  };
}

/** Deterministic pseudo-random bytes (the project's seeded PRNG), so a failing seed can be replayed. */
export function randomBytes(seed: number, n: number): Uint8Array {
  const rng = new Xoshiro128(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.nextUint32() & 0xff;
  return out;
}
