import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  argmax,
  fitStandardizer,
  logitsOf,
  softmax,
  standardize,
  trainSoftmaxRegression,
} from './softmax-regression.ts';

test('standardizer: population moments; constant columns divide by 1', () => {
  const s = fitStandardizer([
    [1, 5],
    [3, 5],
    [5, 5],
  ]);
  assert.deepEqual(s.mean, [3, 5]);
  assert.equal(s.std[0], Math.sqrt(8 / 3));
  assert.equal(s.std[1], 1);
  assert.deepEqual(standardize(s, [3, 7]), [0, 2]);
});

test('softmax sums to one and survives huge logits; argmax takes the first of ties', () => {
  const p = softmax([1000, 1000, -1000]);
  assert.deepEqual(p, [0.5, 0.5, 0]);
  assert.equal(argmax([1, 3, 3, 2]), 1);
});

// Three classes on a line: x < −1, −1 ≤ x ≤ 1, x > 1.
const xs = Array.from({ length: 90 }, (_, i) => -3 + (i * 6) / 89);
const z = xs.map((x) => [x]);
const y = xs.map((x) => (x < -1 ? 0 : x > 1 ? 2 : 1));

test('learns a separable three-class problem', () => {
  const m = trainSoftmaxRegression(z, y, 3, { iterations: 500, learningRate: 1, l2: 1e-4 });
  const right = z.filter((row, i) => argmax(logitsOf(m, row)) === y[i]).length;
  assert.ok(right >= 86, `${right}/90`);
});

test('more iterations lower the loss; the same inputs give the same weights, bit for bit', () => {
  const opts = { learningRate: 1, l2: 1e-3 };
  const short = trainSoftmaxRegression(z, y, 3, { ...opts, iterations: 10 });
  const long = trainSoftmaxRegression(z, y, 3, { ...opts, iterations: 200 });
  assert.ok(long.loss < short.loss);
  assert.deepEqual(trainSoftmaxRegression(z, y, 3, { ...opts, iterations: 200 }), long);
});

test('refuses labels outside the classes and ragged rows', () => {
  const opts = { iterations: 1, learningRate: 1, l2: 0 };
  assert.throws(() => trainSoftmaxRegression([[1], [2]], [0, 3], 3, opts), /class indices/);
  assert.throws(() => trainSoftmaxRegression([[1], [2, 3]], [0, 1], 3, opts), /same number of features/);
  assert.throws(() => trainSoftmaxRegression([], [], 3, opts), /at least one row/);
});
