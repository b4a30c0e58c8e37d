import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-web';
import { buildModel, floatTensor, int64Tensor, node, typeProto } from './build.ts';
import { bytesSource, readOnnxMetadata } from './reader.ts';
import { sampleModel } from './test-fixtures.ts';

// Under Node, 'onnxruntime-web' resolves to its Node build (ort.node.min.mjs), which
// loads the wasm from the package itself; one thread avoids worker start-up in tests.
ort.env.wasm.numThreads = 1;

test('the same spec gives the same bytes, as a plain Uint8Array', () => {
  const a = sampleModel();
  const b = sampleModel();
  assert.equal(Object.getPrototypeOf(a), Uint8Array.prototype);
  assert.deepEqual(a, b);
});

test('metadata_props are written in key order, whatever the object order', async () => {
  const spec = { inputs: [{ name: 'x', type: 'float32' }], outputs: [{ name: 'x', type: 'float32' }], nodes: [] };
  const a = buildModel({ ...spec, metadataProps: { b: '1', a: '2' } });
  const b = buildModel({ ...spec, metadataProps: { a: '2', b: '1' } });
  assert.deepEqual(a, b);
  assert.deepEqual(Object.keys((await readOnnxMetadata(bytesSource(a))).metadataProps), ['a', 'b']);
});

test('a built model runs in onnxruntime-web and computes what it should', async () => {
  // logSeverityLevel 3: the sample model's unused initializer is deliberate, its warning noise.
  const session = await ort.InferenceSession.create(sampleModel(), { logSeverityLevel: 3 });
  assert.deepEqual(session.inputNames, ['features']);
  assert.deepEqual(session.outputNames, ['probabilities', 'label']);
  const x = [1, 2, 3, -1, 0, 0.5];
  const out = await session.run({ features: new ort.Tensor('float32', Float32Array.from(x), [2, 3]) });
  // By hand: centred = x − mean; logits = centred·Wᵀ + b; softmax; argmax.
  const mean = [0.5, -1, 2],
    W = [
      [1, 0, -1],
      [-1, 0.5, 1],
    ],
    b = [0.1, -0.1];
  for (let r = 0; r < 2; r++) {
    const c = [0, 1, 2].map((j) => x[r * 3 + j]! - mean[j]!);
    const logits = W.map((w, k) => w.reduce((s, wj, j) => s + wj * c[j]!, b[k]!));
    const z = logits.map((l) => Math.exp(l - Math.max(...logits)));
    const p = z.map((v) => v / (z[0]! + z[1]!));
    const probs = out.probabilities!.data as Float32Array;
    assert.ok(Math.abs(probs[r * 2]! - p[0]!) < 1e-6 && Math.abs(probs[r * 2 + 1]! - p[1]!) < 1e-6);
    assert.equal((out.label!.data as BigInt64Array)[r], BigInt(logits[0]! >= logits[1]! ? 0 : 1));
  }
  assert.deepEqual(out.label!.dims, [2]);
  await session.release();
});

test('attributes of every kind reach the runtime', async () => {
  const bytes = buildModel({
    inputs: [{ name: 'x', type: 'float32', shape: ['n', 4] }],
    outputs: [{ name: 'y', type: 'float32', shape: ['n', 2] }],
    nodes: [
      node('LeakyRelu', ['x'], ['a'], { alpha: { float: 0.5 } }),
      node('Constant', [], ['shape'], { value: { tensor: int64Tensor('shape_value', [2], [-1, 2]) } }),
      node('Reshape', ['a', 'shape'], ['b']),
      node('ReduceSum', ['b', 'axes'], ['s'], { keepdims: { int: 1 } }),
      node('Add', ['b', 's'], ['y']),
    ],
    initializers: [int64Tensor('axes', [1], [1])],
  });
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, -2, 3, -4]), [1, 4]) });
  // LeakyRelu: [1, −1, 3, −2] → rows [1, −1], [3, −2] → plus row sums 0 and 1.
  assert.deepEqual([...(out.y!.data as Float32Array)], [1, -1, 4, -1]);
  assert.deepEqual(out.y!.dims, [2, 2]);
  await session.release();
});

test('symbolic and fixed dims read back as written', async () => {
  const m = await readOnnxMetadata(bytesSource(sampleModel()));
  assert.deepEqual(m.inputs[0]!.shape, ['batch', 3]);
  assert.deepEqual(m.outputs[1], { name: 'label', type: 'int64', shape: ['batch'] });
});

test('helpers refuse what they cannot write', () => {
  assert.throws(() => floatTensor('w', [2, 2], [1, 2, 3]), /dims \[2, 2\] hold 4 values, got 3/);
  assert.throws(() => typeProto('float128'), /unknown ONNX element type "float128"/);
  assert.throws(() => typeProto('tuple<float32>'), /unknown ONNX type/);
  assert.throws(() => typeProto('map<int64>'), /map type needs <key,value>/);
  assert.throws(() => buildModel({ inputs: [{ name: '', type: 'float32' }], outputs: [], nodes: [] }), /need a name/);
});

test('tensors are little-endian raw_data', () => {
  assert.deepEqual([...floatTensor('f', [1], [1]).rawData], [0x00, 0x00, 0x80, 0x3f]);
  assert.deepEqual([...int64Tensor('i', [1], [-2]).rawData], [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
});
