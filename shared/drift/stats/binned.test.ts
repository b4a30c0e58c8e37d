import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  binCounts,
  binEdges,
  binIndex,
  jensenShannonDistance,
  numericBinned,
  proportions,
  psi,
  quantile,
  wasserstein1,
} from './index.ts';
import { loadStatsFixtures, relErr, Worst } from '../fixtures/load.ts';

const fx = loadStatsFixtures();
const ABS = 1e-9;

test('quantile equals np.quantile (linear)', () => {
  let n = 0;
  for (const c of fx.quantile) {
    c.q.forEach((q, i) => {
      n++;
      assert.equal(quantile(c.sorted, q), c.values[i], `${c.name} q=${q}`);
    });
  }
  console.log(`quantile: ${n} values, all bit-identical`);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test('wasserstein1 equals scipy.stats.wasserstein_distance', () => {
  const w = new Worst();
  for (const c of fx.wasserstein) {
    const got = wasserstein1(c.a, c.b);
    const e = Math.abs(got - c.value);
    w.see(e, c.name);
    assert.ok(e <= ABS, `${c.name}: ${got} vs ${c.value}`);
  }
  console.log(`wasserstein: ${fx.wasserstein.length} cases, worst abs ${w.value} (${w.where})`);
});

test('numericBinned: edges, counts, JS and PSI equal the NumPy/SciPy reference', () => {
  const w = new Worst();
  for (const c of fx.binned) {
    const r = numericBinned(c.reference, c.current);
    assert.deepEqual(r.edges, c.edges, `${c.name}: edges`);
    assert.deepEqual(r.referenceCounts, c.referenceCounts, `${c.name}: reference counts`);
    assert.deepEqual(r.currentCounts, c.currentCounts, `${c.name}: current counts`);
    const ej = Math.abs(r.jensenShannon - c.jensenShannon);
    const ep = Math.abs(r.psi - c.psi);
    w.see(Math.max(ej, ep), c.name);
    assert.ok(ej <= ABS, `${c.name}: JS ${r.jensenShannon} vs ${c.jensenShannon}`);
    assert.ok(ep <= ABS, `${c.name}: PSI ${r.psi} vs ${c.psi}`);
  }
  console.log(`binned: ${fx.binned.length} cases, worst abs ${w.value} (${w.where})`);
});

test('jensenShannonDistance equals scipy jensenshannon(base=2); psi equals formula', () => {
  const w = new Worst();
  for (const c of fx.jensenShannon) {
    const js = jensenShannonDistance(c.p, c.q);
    const e = Math.abs(js - c.value);
    w.see(e, c.name);
    assert.ok(e <= ABS, `${c.name}: ${js} vs ${c.value}`);
    assert.ok(relErr(psi(c.p, c.q), c.psi) <= 1e-12, `${c.name}: psi`);
  }
  console.log(`jensenShannon: ${fx.jensenShannon.length} cases, worst abs ${w.value} (${w.where})`);
});

test('binning helpers', () => {
  const edges = [1, 2, 3];
  assert.equal(binIndex(edges, 0.5), 0);
  assert.equal(binIndex(edges, 1), 1); // left-closed
  assert.equal(binIndex(edges, 2.5), 2);
  assert.equal(binIndex(edges, 3), 3);
  assert.equal(binIndex(edges, 99), 3);
  assert.deepEqual(binCounts(edges, [0, 1, 1, 2, 3, 4]), [1, 2, 1, 2]);
  assert.deepEqual(binEdges([5, 5, 5]), [5]);
  assert.equal(binIndex(edges, Number.NaN), -1);
  assert.deepEqual(binCounts(edges, [Number.NaN, 0]), [1, 0, 0, 0]);
  assert.deepEqual(binEdges([1, Number.NaN, 2]), binEdges([1, 2]));
  assert.deepEqual(binEdges([]), []);
  assert.deepEqual(proportions([1, 3]), [0.25, 0.75]);
  assert.deepEqual(proportions([0, 0]), [0, 0]);
  // Input must not be mutated by the sorts inside.
  const ref = [3, 1, 2];
  binEdges(ref);
  wasserstein1(ref, [0]);
  assert.deepEqual(ref, [3, 1, 2]);
});

test('degenerate JS/PSI inputs never give NaN', () => {
  assert.equal(jensenShannonDistance([0, 0], [0, 0]), 0);
  assert.equal(jensenShannonDistance([0, 0], [1, 0]), 1);
  assert.ok(Number.isFinite(psi([0, 0], [1, 0])));
  assert.ok(Number.isNaN(wasserstein1([], [1])));
});
