import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  imageTensor,
  PreprocessError,
  resizeRgba,
  resolvePreprocessing,
  tabularTensor,
} from '../src/lcm/preprocess/index.ts';
import type { ImagePreprocessing, TabularPreprocessing } from '../src/lcm/preprocess/index.ts';
import { demo } from './fixtures/models.ts';

const close = (a: ArrayLike<number>, b: number[], eps = 1e-6) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < eps, `[${i}] ${a[i]} ≉ ${b[i]}`);
};

test('the demo model (preprocessing in its graph) gets feature ordering only', () => {
  const spec = resolvePreprocessing(demo().metadata);
  assert.deepEqual(spec, {
    kind: 'tabular',
    features: ['precipitation', 'temp_max', 'temp_min', 'wind'],
    inGraph: true,
  });
  const t = tabularTensor(
    spec as TabularPreprocessing,
    { wind: 4, temp_min: 3, precipitation: 1, temp_max: 2, date: 7 } as unknown as Record<string, number>,
  );
  assert.deepEqual(t.dims, [1, 4]);
  assert.deepEqual([...(t.data as Float32Array)], [1, 2, 3, 4]);
  assert.equal(resolvePreprocessing({}), null);
});

test('tabular: records or ordered arrays, a batch of rows, standard and min-max scaling', () => {
  const std = resolvePreprocessing({
    preprocessing: { kind: 'tabular', features: ['a', 'b'], scale: { mean: [1, 10], std: [2, 5] } },
  }) as TabularPreprocessing;
  close(tabularTensor(std, { a: 3, b: 0 }).data as Float32Array, [1, -2]);
  const batch = tabularTensor(std, [[1, 10], { b: 20, a: 5 }, Float32Array.from([-1, 15])]);
  assert.deepEqual(batch.dims, [3, 2]);
  close(batch.data as Float32Array, [0, 0, 2, 2, -1, 1]);
  const mm = resolvePreprocessing({
    preprocessing: { kind: 'tabular', features: ['a'], scale: { min: [10], max: [20] } },
  }) as TabularPreprocessing;
  close(tabularTensor(mm, [15]).data as Float32Array, [0.5]);
});

test('tabular: a missing or non-numeric feature, or a row of the wrong length, is named', () => {
  const spec: TabularPreprocessing = { kind: 'tabular', features: ['a', 'b'] };
  assert.throws(() => tabularTensor(spec, { a: 1 }), new PreprocessError('feature "b" is missing'));
  assert.throws(
    () => tabularTensor(spec, { a: 1, b: '2' } as unknown as Record<string, number>),
    /feature "b" is "2", not a number/,
  );
  assert.throws(
    () => tabularTensor(spec, [[1, 2], [1]]),
    /^PreprocessError: row 1: expected 2 values \(a, b\), got 1$/,
  );
});

test('a bad declaration is refused with the field at fault', () => {
  assert.throws(
    () =>
      resolvePreprocessing({
        preprocessing: { kind: 'tabular', features: ['a', 'b'], scale: { mean: [0], std: [1, 1] } },
      }),
    /one value per feature \(2\), got 1[\s\S]*at scale\.mean/,
  );
  assert.throws(() => resolvePreprocessing({ preprocessing: { kind: 'image', width: 0, height: 4 } }), /width/);
  assert.throws(() => resolvePreprocessing({ preprocessing: { kind: 'audio' } }), /invalid preprocessing/);
});

/** A w×h RGBA image whose pixel (x, y) is (x·step, y·step, 100, 255). */
function gradient(w: number, h: number, step = 1) {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x * step, y * step, 100, 255], (y * w + x) * 4);
  return { width: w, height: h, data };
}

test('image: NCHW RGB with mean/std, NHWC BGR, defaults from the schema', () => {
  const spec = resolvePreprocessing({
    preprocessing: { kind: 'image', width: 2, height: 2, mean: [0.5, 0, 0], std: [0.5, 1, 2], scale: 100 },
  }) as ImagePreprocessing;
  assert.equal(spec.layout, 'NCHW');
  const t = imageTensor(spec, gradient(2, 2));
  assert.deepEqual(t.dims, [1, 3, 2, 2]);
  // R = x/100, standardised: (x/100 − 0.5)/0.5; G = y/100; B = 1/2.
  close(t.data as Float32Array, [-1, -0.98, -1, -0.98, 0, 0, 0.01, 0.01, 0.5, 0.5, 0.5, 0.5]);
  const hwc = imageTensor({ ...spec, layout: 'NHWC', channelOrder: 'BGR', mean: [0, 0, 0], std: [1, 1, 1], scale: 1 }, [
    gradient(2, 2),
    gradient(2, 2),
  ]);
  assert.deepEqual(hwc.dims, [2, 2, 2, 3]);
  close((hwc.data as Float32Array).subarray(0, 12), [100, 0, 0, 100, 0, 1, 100, 1, 0, 100, 1, 1]);
});

test('image: another size is resized bilinearly; a malformed image is refused', () => {
  // 4 → 2: output pixel centres fall at source x = 0.5 and 2.5, halfway between two pixels.
  const big = gradient(4, 4, 2);
  const small = resizeRgba(big, 2, 2);
  assert.deepEqual([...small.data], [1, 1, 100, 255, 5, 1, 100, 255, 1, 5, 100, 255, 5, 5, 100, 255]);
  assert.deepEqual([...resizeRgba(gradient(1, 1), 2, 1).data], [0, 0, 100, 255, 0, 0, 100, 255]);
  const spec: ImagePreprocessing = {
    kind: 'image',
    width: 2,
    height: 2,
    channelOrder: 'RGB',
    layout: 'NCHW',
    mean: [0, 0, 0],
    std: [1, 1, 1],
    scale: 1,
  };
  close((imageTensor(spec, big).data as Float32Array).subarray(0, 8), [1, 5, 1, 5, 1, 1, 5, 5]);
  assert.throws(
    () => imageTensor(spec, { width: 2, height: 2, data: new Uint8ClampedArray(15) }),
    /a 2×2 RGBA image has 16 bytes, got 15/,
  );
  assert.throws(
    () => imageTensor(spec, [gradient(2, 2), { width: 0, height: 2, data: new Uint8ClampedArray(0) }]),
    /^PreprocessError: image 1: expected ImageData/,
  );
});
