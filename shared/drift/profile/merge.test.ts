// Property tests on seeded data: merge(profile(A), profile(B)) must equal
// profile(A ∪ B) exactly where exactness is possible, and the merged
// quantiles must stay inside the histogram bin of the true quantile.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, type Rng } from '../../random/prng.ts';
import { binEdges, binIndex, quantile, sortedCopy } from '../stats/index.ts';
import {
  buildProfile,
  histogramQuantile,
  mergeProfiles,
  PROFILE_QUANTILES,
  ProfileMergeError,
  ReferenceProfileSchema,
  specFromProfile,
} from './index.ts';
import type { DatasetSpec, NumericFeatureProfile, ProfileRow, ReferenceProfile } from './index.ts';

const TRIALS = 120;
const LABELS = ['a', 'b', 'c', 'd', 'e', 'f'];

function makeRows(rng: Rng, n: number, shape: number): ProfileRow[] {
  const rows: ProfileRow[] = [];
  for (let i = 0; i < n; i++) {
    const u = rng();
    const x = shape === 0 ? 100 + (u - 0.5) * 7 : shape === 1 ? Math.floor(u * 4) : -Math.log(u + 1e-12) * 3e3;
    rows.push({
      x: rng() < 0.1 ? '' : x,
      cat: rng() < 0.05 ? null : LABELS[Math.floor(rng() * (2 + shape * 2))],
      pred: rng() < 0.02 ? undefined : LABELS[Math.floor(rng() * 3)],
      conf: rng() < 0.03 ? '' : rng(),
    });
  }
  return rows;
}

function rel(a: number | null, b: number | null): number {
  if (a === null || b === null) return a === b ? 0 : Infinity;
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

function assertMergedEquals(merged: ReferenceProfile, whole: ReferenceProfile, where: string): void {
  assert.equal(merged.rows, whole.rows, where);
  const mx = merged.features[0] as NumericFeatureProfile;
  const wx = whole.features[0] as NumericFeatureProfile;
  for (const k of ['count', 'missing', 'min', 'max'] as const) assert.equal(mx[k], wx[k], `${where}: ${k}`);
  assert.deepEqual(mx.histogram, wx.histogram, `${where}: histogram`);
  assert.ok(rel(mx.mean, wx.mean) <= 1e-12, `${where}: mean ${mx.mean} vs ${wx.mean}`);
  if (wx.variance !== null && wx.variance > 0)
    assert.ok(rel(mx.variance, wx.variance) <= 1e-12, `${where}: variance ${mx.variance} vs ${wx.variance}`);
  else assert.ok(Math.abs((mx.variance ?? 0) - (wx.variance ?? 0)) <= 1e-12, `${where}: variance`);
  assert.deepEqual(merged.features[1], whole.features[1], `${where}: categorical`);
  assert.deepEqual(merged.classes, whole.classes, `${where}: classes`);
  const mc = merged.confidence!;
  const wc = whole.confidence!;
  assert.deepEqual(
    [mc.count, mc.missing, mc.min, mc.max, mc.counts],
    [wc.count, wc.missing, wc.min, wc.max, wc.counts],
    `${where}: confidence`,
  );
  assert.ok(rel(mc.mean, wc.mean) <= 1e-12 && rel(mc.variance, wc.variance) <= 1e-12, `${where}: confidence moments`);
  assert.ok(ReferenceProfileSchema.safeParse(JSON.parse(JSON.stringify(merged))).success, `${where}: schema`);
}

/** [lower, upper] bound of histogram bin i, clipped to the data range. */
function binBounds(edges: readonly number[], i: number, min: number, max: number): [number, number] {
  return [i === 0 ? min : Math.max(edges[i - 1]!, min), i === edges.length ? max : Math.min(edges[i]!, max)];
}

test('merge(profile(A), profile(B)) equals profile(A ∪ B): counts, histogram, min/max exact; moments to 1e-12', () => {
  const rng = createRng(20240611);
  for (let t = 0; t < TRIALS; t++) {
    const shape = t % 3;
    const a = makeRows(rng, 1 + Math.floor(rng() * 300), shape);
    const b = makeRows(rng, 1 + Math.floor(rng() * 300), (t + Math.floor(rng() * 2)) % 3);
    const baseSpec: DatasetSpec = {
      features: [
        { name: 'x', kind: 'numeric' },
        { name: 'cat', kind: 'categorical' },
      ],
      prediction: 'pred',
      confidence: 'conf',
    };
    // Edges pinned from A, as a device would pin them from the reference profile.
    const spec = specFromProfile(buildProfile(a, baseSpec));
    const merged = mergeProfiles(buildProfile(a, spec), buildProfile(b, spec));
    assertMergedEquals(merged, buildProfile([...a, ...b], spec), `trial ${t}`);
    // Merging is associative on the exact parts: three-way split.
    const cut = Math.floor(b.length / 2);
    const three = mergeProfiles(
      mergeProfiles(buildProfile(a, spec), buildProfile(b.slice(0, cut), spec)),
      buildProfile(b.slice(cut), spec),
    );
    assertMergedEquals(three, buildProfile([...a, ...b], spec), `trial ${t} (3-way)`);
  }
});

test('merged quantiles stay inside the bin of the true quantile and are monotone', () => {
  const rng = createRng(777);
  for (let t = 0; t < TRIALS; t++) {
    const a = makeRows(rng, 2 + Math.floor(rng() * 400), t % 3);
    const b = makeRows(rng, 2 + Math.floor(rng() * 400), (t + 1) % 3);
    const spec = specFromProfile(buildProfile([...a, ...b], { features: [{ name: 'x', kind: 'numeric' }] }));
    const merged = mergeProfiles(buildProfile(a, spec), buildProfile(b, spec)).features[0] as NumericFeatureProfile;
    const values = [...a, ...b].map((r) => r.x).filter((v): v is number => typeof v === 'number');
    if (buildProfile(a, spec).features[0]!.count === 0 || buildProfile(b, spec).features[0]!.count === 0) continue;
    assert.equal(merged.quantileSource, 'histogram');
    const sorted = sortedCopy(values);
    const edges = merged.histogram.edges;
    let prev = -Infinity;
    merged.quantiles.forEach(({ q, value }, i) => {
      assert.equal(q, PROFILE_QUANTILES[i]);
      const h = (sorted.length - 1) * q;
      const lowBin = binIndex(edges, sorted[Math.floor(h)]!);
      const highBin = binIndex(edges, sorted[Math.ceil(h)]!);
      const [lo] = binBounds(edges, lowBin, merged.min!, merged.max!);
      const [, hi] = binBounds(edges, highBin, merged.min!, merged.max!);
      const exact = quantile(sorted, q);
      assert.ok(value >= lo && value <= hi, `trial ${t} q=${q}: ${value} outside [${lo}, ${hi}] (exact ${exact})`);
      assert.ok(exact >= lo && exact <= hi);
      assert.ok(value >= prev, `trial ${t}: quantiles not monotone`);
      prev = value;
    });
  }
});

test('histogramQuantile: min and max at q = 0 and 1, null when empty', () => {
  const values = [1, 2, 2, 3, 7, 8, 9, 15, 20, 21];
  const edges = binEdges(values);
  const counts = edges.map(() => 0).concat(0);
  for (const v of values) counts[binIndex(edges, v)]! += 1;
  assert.equal(histogramQuantile(edges, counts, 1, 21, 0), 1);
  assert.equal(histogramQuantile(edges, counts, 1, 21, 1), 21);
  assert.equal(histogramQuantile([0], [0, 0], 0, 0, 0.5), null);
});

test('merging profiles with different edges, features or columns is a clear error', () => {
  const s: DatasetSpec = { features: [{ name: 'x', kind: 'numeric' }] };
  const a = buildProfile([{ x: 1 }, { x: 2 }, { x: 3 }], s);
  const b = buildProfile([{ x: 10 }, { x: 20 }, { x: 30 }], s);
  assert.throws(
    () => mergeProfiles(a, b),
    (e: unknown) => e instanceof ProfileMergeError && /"x": histogram edges differ/.test(e.message),
  );
  // An empty side has nothing binned, so its edges do not block the merge.
  const empty = buildProfile([{ x: '' }], s);
  assert.deepEqual(
    (mergeProfiles(empty, b).features[0] as NumericFeatureProfile).histogram,
    (b.features[0] as NumericFeatureProfile).histogram,
  );
  const other = buildProfile([{ y: 1 }], { features: [{ name: 'y', kind: 'numeric' }] });
  assert.throws(() => mergeProfiles(a, other), /features differ/);
  const withPred = buildProfile([{ x: 1, p: 'a' }], { ...specFromProfile(a), prediction: 'p' });
  assert.throws(() => mergeProfiles(a, withPred), /only one profile has a prediction/);
});
