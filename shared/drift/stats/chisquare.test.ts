import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categorical, chi2Sf, chiSquareHomogeneity } from './index.ts';
import { loadStatsFixtures, relErr, Worst } from '../fixtures/load.ts';

const fx = loadStatsFixtures();

test('chi2Sf equals scipy.stats.chi2.sf (incl. far tails)', () => {
  const w = new Worst();
  for (const [x, k, expected] of fx.chi2Grid) {
    const got = chi2Sf(x, k);
    const e = relErr(got, expected);
    w.see(e, `x=${x} k=${k}`);
    assert.ok(e <= 1e-6, `chi2.sf(${x}, ${k}) = ${got}, SciPy ${expected}`);
    if (expected > 0) assert.ok(got > 0);
  }
  console.log(`chi2 grid: ${fx.chi2Grid.length} points, worst rel ${w.value} (${w.where})`);
});

test('chiSquareHomogeneity equals scipy.stats.chi2_contingency', () => {
  const ws = new Worst();
  const wp = new Worst();
  for (const c of fx.chiSquare) {
    const r = chiSquareHomogeneity(c.a, c.b);
    const es = Math.abs(r.statistic - c.statistic);
    const ep = relErr(r.pValue, c.pValue);
    ws.see(es, c.name);
    wp.see(ep, c.name);
    assert.equal(r.dof, c.dof, `${c.name}: dof`);
    assert.ok(es <= 1e-9, `${c.name}: statistic ${r.statistic} vs ${c.statistic}`);
    assert.ok(ep <= 1e-6, `${c.name}: p ${r.pValue} vs ${c.pValue}`);
  }
  console.log(
    `chi2_contingency: ${fx.chiSquare.length} cases, worst abs stat ${ws.value} (${ws.where}), worst rel p ${wp.value} (${wp.where})`,
  );
});

test('categorical equals the SciPy-based reference', () => {
  const w = new Worst();
  for (const c of fx.categorical) {
    const r = categorical(c.reference, c.current);
    assert.deepEqual(r.categories, c.categories, c.name);
    assert.deepEqual(r.referenceCounts, c.referenceCounts, c.name);
    assert.deepEqual(r.currentCounts, c.currentCounts, c.name);
    assert.deepEqual(r.unseen, c.unseen, c.name);
    assert.equal(r.chiSquare.dof, c.chiSquare.dof, c.name);
    const e = Math.max(
      Math.abs(r.chiSquare.statistic - c.chiSquare.statistic),
      relErr(r.chiSquare.pValue, c.chiSquare.pValue),
      Math.abs(r.jensenShannon - c.jensenShannon),
      Math.abs(r.psi - c.psi),
    );
    w.see(e, c.name);
    assert.ok(e <= 1e-9, `${c.name}: error ${e}`);
    for (const v of [r.chiSquare.statistic, r.chiSquare.pValue, r.jensenShannon, r.psi])
      assert.ok(Number.isFinite(v), c.name);
  }
  console.log(`categorical: ${fx.categorical.length} cases, worst ${w.value} (${w.where})`);
});

test('degenerate tables: statistic 0, pValue 1, dof 0', () => {
  assert.deepEqual(chiSquareHomogeneity([3], [4]), { statistic: 0, pValue: 1, dof: 0 });
  assert.deepEqual(chiSquareHomogeneity([], []), { statistic: 0, pValue: 1, dof: 0 });
  assert.deepEqual(chiSquareHomogeneity([0, 0], [1, 2]), { statistic: 0, pValue: 1, dof: 0 });
  const r = categorical(['a'], []);
  assert.deepEqual(r.chiSquare, { statistic: 0, pValue: 1, dof: 0 });
  assert.equal(r.jensenShannon, 1);
});
