import { buildModel, floatTensor, node } from '../../shared/onnx/build.ts';

/**
 * A small image classifier for the overhead benchmark, built by the project's own code: 3×64×64 →
 * conv 3×3 (16) → relu → conv 3×3 stride 2 (32) → relu → global average pool → dense (10) →
 * softmax. About 5 M multiply-adds: a heavier session.run than the demo model's.
 */
export function imageModel(): { bytes: Uint8Array; labels: string[]; description: string } {
  const w = (n: number, seed: number) => Array.from({ length: n }, (_, i) => (((i + seed) * 7919) % 200) / 1000 - 0.1);
  const bytes = buildModel({
    inputs: [{ name: 'image', type: 'float32', shape: ['batch', 3, 64, 64] }],
    outputs: [{ name: 'probabilities', type: 'float32', shape: ['batch', 10] }],
    nodes: [
      node('Conv', ['image', 'w1', 'b1'], ['c1'], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } }),
      node('Relu', ['c1'], ['r1']),
      node('Conv', ['r1', 'w2', 'b2'], ['c2'], {
        kernel_shape: { ints: [3, 3] },
        strides: { ints: [2, 2] },
        pads: { ints: [1, 1, 1, 1] },
      }),
      node('Relu', ['c2'], ['r2']),
      node('GlobalAveragePool', ['r2'], ['pooled']),
      node('Flatten', ['pooled'], ['flat']),
      node('Gemm', ['flat', 'w3', 'b3'], ['logits'], { transB: { int: 1 } }),
      node('Softmax', ['logits'], ['probabilities'], { axis: { int: 1 } }),
    ],
    initializers: [
      floatTensor('w1', [16, 3, 3, 3], w(16 * 27, 1)),
      floatTensor('b1', [16], w(16, 2)),
      floatTensor('w2', [32, 16, 3, 3], w(32 * 144, 3)),
      floatTensor('b2', [32], w(32, 4)),
      floatTensor('w3', [10, 32], w(320, 5)),
      floatTensor('b3', [10], w(10, 6)),
    ],
    producer: { name: 'tinylcm-bench', version: '1' },
  });
  return {
    bytes,
    labels: Array.from({ length: 10 }, (_, i) => `class-${i}`),
    description: 'CNN 3x64x64: conv3x3(16), conv3x3/2(32), GAP, dense(10), softmax',
  };
}
