import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binCounts, binEdges, quantile, sortedCopy } from '../stats/index.ts';
import {
  buildProfile,
  confidenceBin,
  CONFIDENCE_BINS,
  DatasetSpecSchema,
  PROFILE_QUANTILES,
  ProfileInputError,
  ReferenceProfileSchema,
  specFromProfile,
} from './index.ts';
import type { DatasetSpec, NumericFeatureProfile, CategoricalFeatureProfile } from './index.ts';

const spec: DatasetSpec = {
  features: [
    { name: 'x', kind: 'numeric' },
    { name: 'colour', kind: 'categorical' },
  ],
  prediction: 'label',
  confidence: 'conf',
};

const rows = [
  { x: 1, colour: 'red', label: 'cat', conf: 0.9 },
  { x: '2.5', colour: 'blue', label: 'dog', conf: '0.4' },
  { x: '', colour: 'red', label: 'cat', conf: 1 },
  { x: 4, colour: null, label: 'cat', conf: 0 },
  { x: Number.NaN, colour: 'green', label: undefined, conf: 0.05 },
  { x: -3, colour: 'red', label: 'bird', conf: '' },
];

test('numeric feature: moments, quantiles, histogram on the reference deciles', () => {
  const p = buildProfile(rows, spec);
  const x = p.features[0] as NumericFeatureProfile;
  const values = [1, 2.5, 4, -3];
  assert.equal(p.rows, 6);
  assert.equal(x.count, 4);
  assert.equal(x.missing, 2);
  assert.equal(x.mean, 1.125);
  const m2 = values.reduce((s, v) => s + (v - 1.125) ** 2, 0);
  assert.equal(x.m2, m2);
  assert.equal(x.variance, m2 / 3);
  assert.equal(x.min, -3);
  assert.equal(x.max, 4);
  const sorted = sortedCopy(values);
  assert.deepEqual(
    x.quantiles,
    PROFILE_QUANTILES.map((q) => ({ q, value: quantile(sorted, q) })),
  );
  assert.equal(x.quantileSource, 'sample');
  assert.deepEqual(x.histogram.edges, binEdges(values));
  assert.deepEqual(x.histogram.counts, binCounts(binEdges(values), values));
});

test('categorical feature, class and confidence distributions', () => {
  const p = buildProfile(rows, spec);
  const c = p.features[1] as CategoricalFeatureProfile;
  assert.deepEqual([c.categories, c.counts, c.count, c.missing], [['blue', 'green', 'red'], [1, 1, 3], 5, 1]);
  assert.deepEqual(p.classes, {
    column: 'label',
    count: 5,
    missing: 1,
    labels: ['bird', 'cat', 'dog'],
    counts: [1, 3, 1],
  });
  const conf = p.confidence!;
  assert.equal(conf.count, 5);
  assert.equal(conf.missing, 1);
  assert.equal(conf.counts.length, CONFIDENCE_BINS);
  const expected = new Array<number>(CONFIDENCE_BINS).fill(0);
  for (const v of [0.9, 0.4, 1, 0, 0.05]) expected[confidenceBin(v)]! += 1;
  assert.deepEqual(conf.counts, expected);
  assert.equal(confidenceBin(1), CONFIDENCE_BINS - 1);
  assert.equal(confidenceBin(0), 0);
  assert.ok(Math.abs(conf.mean! - 2.35 / 5) < 1e-15);
});

test('the profile is plain JSON and passes its own schema', () => {
  const p = buildProfile(rows, spec);
  const round = JSON.parse(JSON.stringify(p));
  assert.deepEqual(round, p);
  assert.deepEqual(ReferenceProfileSchema.parse(round), p);
});

test('empty and single-value features give nulls, not NaN', () => {
  const p = buildProfile([{ x: '' }], { features: [{ name: 'x', kind: 'numeric' }] });
  const x = p.features[0] as NumericFeatureProfile;
  assert.deepEqual([x.count, x.mean, x.variance, x.min, x.max, x.quantiles], [0, null, null, null, null, []]);
  assert.deepEqual(x.histogram, { edges: [], counts: [0] });
  const one = buildProfile([{ x: 5 }], { features: [{ name: 'x', kind: 'numeric' }] })
    .features[0] as NumericFeatureProfile;
  assert.deepEqual([one.mean, one.variance, one.m2], [5, null, 0]);
  assert.ok(!JSON.stringify(p).includes('NaN'));
  ReferenceProfileSchema.parse(JSON.parse(JSON.stringify(p)));
});

test('spec edges replace the deciles; specFromProfile pins them', () => {
  const p = buildProfile([{ x: 1 }, { x: 2 }, { x: 3 }], {
    features: [{ name: 'x', kind: 'numeric', edges: [0, 2.5] }],
  });
  const x = p.features[0] as NumericFeatureProfile;
  assert.deepEqual(x.histogram, { edges: [0, 2.5], counts: [0, 2, 1] });
  const s = specFromProfile(buildProfile(rows, spec));
  assert.deepEqual(s.features[0], { name: 'x', kind: 'numeric', edges: binEdges([1, 2.5, 4, -3]) });
  assert.equal(s.prediction, 'label');
  assert.equal(s.confidence, 'conf');
  DatasetSpecSchema.parse(s);
});

test('bad values and specs are ProfileInputErrors naming the column', () => {
  const f = { features: [{ name: 'x', kind: 'numeric' as const }] };
  assert.throws(
    () => buildProfile([{ x: 'abc' }], f),
    (e: unknown) => e instanceof ProfileInputError && e.message.includes('"x"'),
  );
  assert.throws(() => buildProfile([{ x: 'Infinity' }], f), ProfileInputError);
  assert.throws(() => buildProfile([{ x: '0x10' }], f), ProfileInputError);
  assert.throws(() => buildProfile([{ c: 1.5 }], { features: [], confidence: 'c' }), /outside \[0, 1\]/);
  assert.throws(
    () => buildProfile([], { features: [{ name: 'x', kind: 'numeric', edges: [2, 1] }] }),
    /strictly increasing/,
  );
  assert.throws(
    () =>
      buildProfile([], {
        features: [
          { name: 'x', kind: 'numeric' },
          { name: 'x', kind: 'categorical' },
        ],
      }),
    /unique/,
  );
});

test('the schema refuses inconsistent profiles', () => {
  const p = buildProfile(rows, spec);
  const bad = JSON.parse(JSON.stringify(p));
  bad.features[0].histogram.counts[0] += 1;
  assert.equal(ReferenceProfileSchema.safeParse(bad).success, false);
  const nan = JSON.parse(JSON.stringify(p));
  nan.features[0].mean = Number.NaN;
  assert.equal(ReferenceProfileSchema.safeParse(nan).success, false);
  const rowsOff = JSON.parse(JSON.stringify(p));
  rowsOff.rows = 7;
  assert.equal(ReferenceProfileSchema.safeParse(rowsOff).success, false);
});
