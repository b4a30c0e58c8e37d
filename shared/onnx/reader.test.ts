import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel, node } from './build.ts';
import { blobSource, bytesSource, readOnnxMetadata } from './reader.ts';
import { bigInitializerModel, countingSource, field, intField, sampleModel, str } from './test-fixtures.ts';
import { ELEM_TYPE_NAMES } from './types.ts';

const read = (bytes: Uint8Array | number[]) => readOnnxMetadata(bytesSource(Uint8Array.from(bytes)));

test('reads everything the registry records about a model', async () => {
  const m = await read(sampleModel());
  assert.deepEqual(m, {
    irVersion: 8,
    opset: 17,
    opsets: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    producerName: 'tinylcm-test',
    producerVersion: '1.2.3',
    domain: 'org.tinylcm.test',
    modelVersion: 7,
    docString: 'A test model.',
    graphName: 'sample',
    inputs: [{ name: 'features', type: 'float32', shape: ['batch', 3] }],
    outputs: [
      { name: 'probabilities', type: 'float32', shape: ['batch', 2] },
      { name: 'label', type: 'int64', shape: ['batch'] },
    ],
    initializerCount: 4,
    nodeCount: 4,
    metadataProps: { class_labels: '["no","yes"]', feature_names: '["a","b","c"]', owner: 'tests' },
  });
});

test('every element type name round-trips through build and read', async () => {
  const inputs = ELEM_TYPE_NAMES.map((type, i) => ({ name: `in${i}`, type, shape: [2] }));
  const m = await read(buildModel({ inputs, outputs: [{ name: 'o', type: 'float32' }], nodes: [] }));
  assert.deepEqual(
    m.inputs.map((i) => i.type),
    [...ELEM_TYPE_NAMES],
  );
  assert.ok(
    ELEM_TYPE_NAMES.includes('float64') &&
      ELEM_TYPE_NAMES.includes('bfloat16') &&
      ELEM_TYPE_NAMES.includes('float8e4m3fn'),
  );
});

test('shapes: sizes, symbolic names, unknown dims, scalars, and no shape at all', async () => {
  const m = await read(
    buildModel({
      inputs: [
        { name: 'a', type: 'float32', shape: ['batch', null, 3, 'seq_len'] },
        { name: 'scalar', type: 'int64', shape: [] },
        { name: 'free', type: 'uint8' },
        { name: 'neg', type: 'float32', shape: [-1, 0] },
      ],
      outputs: [{ name: 'o', type: 'float32', shape: ['batch'] }],
      nodes: [],
    }),
  );
  assert.deepEqual(
    m.inputs.map((i) => i.shape),
    [['batch', null, 3, 'seq_len'], [], null, [-1, 0]],
  );
});

test('non-tensor types are spelled out', async () => {
  const types = [
    'sequence<float32>',
    'map<int64,float32>',
    'map<string,sequence<map<int64,float64>>>',
    'optional<sequence<int64>>',
    'sparse_tensor<float32>',
  ];
  const m = await read(
    buildModel({
      inputs: types.map((type, i) => ({
        name: `i${i}`,
        type,
        ...(type.startsWith('sparse') ? { shape: [5, 'n'] } : {}),
      })),
      outputs: [{ name: 'o', type: 'float32' }],
      nodes: [],
    }),
  );
  assert.deepEqual(
    m.inputs.map((i) => i.type),
    types,
  );
  assert.deepEqual(
    m.inputs.map((i) => i.shape),
    [null, null, null, null, [5, 'n']],
  );
});

test('graph inputs that are initializers (the IR < 4 layout) are not inputs to feed', async () => {
  const bytes = buildModel({
    inputs: [{ name: 'x', type: 'float32', shape: ['batch', 2] }],
    outputs: [{ name: 'y', type: 'float32', shape: ['batch', 2] }],
    nodes: [node('Add', ['x', 'bias'], ['y'])],
    initializers: [{ name: 'bias', dataType: 1, dims: [2], rawData: new Uint8Array(8) }],
    initializersAsInputs: true,
    irVersion: 3,
  });
  const m = await read(bytes);
  assert.equal(m.irVersion, 3);
  assert.deepEqual(
    m.inputs.map((i) => i.name),
    ['x'],
  );
  assert.equal(m.initializerCount, 1);
});

test('fields in any order, unknown fields skipped, opset from the ai.onnx domain', async () => {
  // Protobuf allows any field order; write the graph's inputs before its initializers
  // and the model's graph after its metadata, with fields ONNX has not defined yet.
  const tensor = [...str(8, 'w'), ...field(9, new Uint8Array(16))];
  const vi = (name: string) => [...str(1, name), ...field(2, field(1, intField(1, 1)))];
  const graph = [
    ...field(11, vi('x')),
    ...field(11, vi('w')),
    ...field(12, vi('y')),
    ...field(5, tensor),
    ...field(1, str(4, 'Relu')),
    ...field(99, [1, 2, 3]),
  ];
  const bytes = [
    ...field(14, [...str(1, 'k'), ...str(2, 'v')]),
    ...field(7, graph),
    ...field(8, [...str(1, 'ai.onnx'), ...intField(2, 13)]),
    ...field(8, [...str(1, 'com.microsoft'), ...intField(2, 1)]),
    ...intField(1, 9),
    ...intField(77, 5),
  ];
  const m = await read(bytes);
  assert.equal(m.irVersion, 9);
  assert.equal(m.opset, 13);
  assert.deepEqual(m.inputs, [{ name: 'x', type: 'float32', shape: null }]);
  assert.deepEqual(
    m.outputs.map((o) => o.name),
    ['y'],
  );
  assert.equal(m.nodeCount, 1);
  assert.deepEqual(m.metadataProps, { k: 'v' });
  assert.equal(m.producerName, '');
});

test('opset is 0 when only non-default domains are imported; metadata keys stay plain data', async () => {
  const bytes = [
    ...intField(1, 8),
    ...field(7, field(12, str(1, 'y'))),
    ...field(8, [...str(1, 'ai.onnx.ml'), ...intField(2, 3)]),
    ...field(14, [...str(1, '__proto__'), ...str(2, 'x')]),
  ];
  const m = await read(bytes);
  assert.equal(m.opset, 0);
  assert.equal(Object.getPrototypeOf(m.metadataProps), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(m.metadataProps, '__proto__')?.value, 'x');
});

test('a 20 MB initializer is skipped, not read', async () => {
  const bytes = bigInitializerModel(20 * 1024 * 1024);
  const source = countingSource(bytesSource(bytes));
  const m = await readOnnxMetadata(source);
  assert.deepEqual(m.metadataProps, { after_the_data: 'yes' }); // read from after the data
  assert.equal(m.initializerCount, 1);
  assert.ok(source.total() <= 2 * 64 * 1024, `read ${source.total()} of ${bytes.length} bytes`);
  assert.ok(source.reads.every(([, n]) => n <= 64 * 1024));
});

test('Blob sources work the same as byte arrays', async () => {
  const bytes = sampleModel();
  assert.deepEqual(await readOnnxMetadata(blobSource(new Blob([bytes as Uint8Array<ArrayBuffer>]))), await read(bytes));
});

test('a tiny read window gives the same answer', async () => {
  const bytes = sampleModel();
  assert.deepEqual(await readOnnxMetadata(bytesSource(bytes), { chunkSize: 7 }), await read(bytes));
});
