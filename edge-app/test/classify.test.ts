import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findScoresOutput, summarizeClassifier } from '../src/lcm/runtime/classify.ts';
import type { Outputs } from '../src/lcm/types.ts';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

test('probabilities are summarised as they are: top class, label, margin, entropy in nats', () => {
  const s = summarizeClassifier(
    { type: 'float32', dims: [1, 4], data: Float32Array.from([0.1, 0.6, 0.25, 0.05]) },
    { labels: ['a', 'b', 'c', 'd'] },
  );
  assert.equal(s.classIndex, 1);
  assert.equal(s.label, 'b');
  close(s.confidence, Math.fround(0.6));
  close(s.margin, Math.fround(0.6) - Math.fround(0.25));
  const h = -[0.1, 0.6, 0.25, 0.05].map(Math.fround).reduce((acc, p) => acc + p * Math.log(p), 0);
  close(s.entropy, h, 1e-12);
  assert.deepEqual(s.probabilities, [0.1, 0.6, 0.25, 0.05].map(Math.fround));
});

test('logits (not a distribution) go through a softmax; a row of a batch is picked by index', () => {
  const data = Float32Array.from([0, 0, 0, 1, 2, 3]);
  const s = summarizeClassifier({ type: 'float32', dims: [2, 3], data }, { row: 1 });
  const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
  close(s.probabilities[2]!, Math.exp(3) / z, 1e-12);
  close(
    s.probabilities.reduce((a, b) => a + b),
    1,
    1e-12,
  );
  assert.equal(s.classIndex, 2);
  assert.equal(s.label, undefined);
  const first = summarizeClassifier({ type: 'float32', dims: [2, 3], data });
  assert.deepEqual(
    first.probabilities.map((p) => Math.round(p * 1e6)),
    [333333, 333333, 333333],
  );
  assert.equal(first.classIndex, 0);
  close(first.margin, 0);
  close(first.entropy, Math.log(3));
  assert.throws(() => summarizeClassifier({ type: 'float32', dims: [2, 3], data }, { row: 2 }), /no row 2 of 3 scores/);
});

test('one score is a binary model: a probability as is, a logit through the sigmoid', () => {
  const p = summarizeClassifier([0.8], { labels: ['no', 'yes'] });
  assert.deepEqual([p.classIndex, p.label], [1, 'yes']);
  close(p.probabilities[0]!, 0.2);
  close(p.margin, 0.6);
  const l = summarizeClassifier({ type: 'float32', dims: [], data: Float32Array.from([-2]) });
  close(l.probabilities[1]!, 1 / (1 + Math.exp(2)), 1e-7);
  assert.equal(l.classIndex, 0);
});

test('ties go to the lower class; plain arrays and float64 work', () => {
  const s = summarizeClassifier(Float64Array.from([0.4, 0.4, 0.2]));
  assert.equal(s.classIndex, 0);
  close(s.margin, 0);
});

test('findScoresOutput picks the probabilities output of a classifier', () => {
  const t = (type: 'float32' | 'int64') => ({
    type,
    dims: [1],
    data: type === 'int64' ? new BigInt64Array(1) : new Float32Array(1),
  });
  const outputs: Outputs = { label: t('int64'), logits: t('float32'), probabilities: t('float32') };
  assert.equal(findScoresOutput(outputs), 'probabilities');
  assert.equal(findScoresOutput({ label: t('int64'), logits: t('float32') }), 'logits');
  assert.equal(findScoresOutput({ label: t('int64') }), undefined);
  assert.equal(findScoresOutput(outputs, 'logits'), 'logits');
  assert.equal(findScoresOutput(outputs, 'nope'), undefined);
});
