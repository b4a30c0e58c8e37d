// The console reads a model's metadata from the File a user picked, before uploading it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOnnxError, blobSource, readOnnxMetadata } from './reader.ts';
import { field, intField, str } from './test-protobuf.ts';

const tensorType = (elem: number, dims: (number | string)[]) =>
  field(1, [
    ...intField(1, elem),
    ...field(
      2,
      dims.flatMap((d) => field(1, typeof d === 'number' ? intField(1, d) : str(2, d))),
    ),
  ]);

const model = Uint8Array.from([
  ...intField(1, 8),
  ...str(2, 'browser-test'),
  ...field(7, [
    ...field(5, [...str(8, 'w'), ...field(9, new Uint8Array(200_000))]), // an initializer larger than the read window
    ...field(11, [...str(1, 'features'), ...field(2, tensorType(1, ['batch', 4]))]),
    ...field(12, [...str(1, 'label'), ...field(2, tensorType(7, ['batch']))]),
  ]),
  ...field(8, intField(2, 17)),
  ...field(14, [...str(1, 'class_labels'), ...str(2, '["a","b"]')]),
]);

describe('readOnnxMetadata in Chromium', () => {
  it('reads a File without loading its tensor data', async () => {
    const file = new File([model], 'model.onnx');
    const m = await readOnnxMetadata(blobSource(file));
    assert.equal(m.producerName, 'browser-test');
    assert.equal(m.opset, 17);
    assert.deepEqual(m.inputs, [{ name: 'features', type: 'float32', shape: ['batch', 4] }]);
    assert.deepEqual(m.outputs, [{ name: 'label', type: 'int64', shape: ['batch'] }]);
    assert.deepEqual(m.metadataProps, { class_labels: '["a","b"]' });
    assert.equal(m.initializerCount, 1);
  });

  it('refuses a truncated File with InvalidOnnxError', async () => {
    let error: unknown;
    try {
      await readOnnxMetadata(blobSource(new File([model.subarray(0, 5000)], 'cut.onnx')));
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof InvalidOnnxError);
    assert.match((error as Error).message, /past the end of the file/);
  });
});
