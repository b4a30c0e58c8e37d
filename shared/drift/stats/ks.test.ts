import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ks2samp, kstwoSf, smirnovSf } from './index.ts';
import { loadStatsFixtures, relErr, Worst } from '../fixtures/load.ts';

const fx = loadStatsFixtures();
const P_REL = 1e-6;
const STAT_ABS = 1e-9;

test('ks2samp equals scipy.stats.ks_2samp on every fixture', () => {
  const ws = new Worst();
  const wp = new Worst();
  for (const c of fx.ks) {
    const r = ks2samp(c.a, c.b);
    const es = Math.abs(r.statistic - c.statistic);
    const ep = relErr(r.pValue, c.pValue);
    ws.see(es, c.name);
    wp.see(ep, c.name);
    assert.ok(es <= STAT_ABS, `${c.name}: statistic ${r.statistic} vs ${c.statistic}`);
    assert.ok(ep <= P_REL, `${c.name}: p ${r.pValue} vs ${c.pValue} (rel ${ep})`);
    assert.equal(r.method, c.method, `${c.name}: method`);
    if (c.pValue > 0) assert.ok(r.pValue > 0, `${c.name}: p must not underflow`);
    // The test is symmetric in its arguments.
    const s = ks2samp(c.b, c.a);
    assert.ok(
      Math.abs(s.statistic - r.statistic) <= STAT_ABS && relErr(s.pValue, r.pValue) <= 1e-12,
      `${c.name}: symmetry`,
    );
  }
  console.log(
    `ks: ${fx.ks.length} cases, worst |dD| ${ws.value} (${ws.where}), worst rel dp ${wp.value} (${wp.where})`,
  );
});

test('exact fallback to asymptotic is reported like SciPy’s warning', () => {
  const r = ks2samp([1, 2, 3, 4, 5], [1.5, 2.5, 3.5, 4.5, 5.5]);
  assert.equal(r.method, 'asymp');
  assert.match(r.warning ?? '', /Exact calculation unsuccessful/);
});

test('ks2samp: empty or NaN input gives NaN (SciPy propagate)', () => {
  assert.ok(Number.isNaN(ks2samp([], [1, 2]).pValue));
  assert.ok(Number.isNaN(ks2samp([Number.NaN, 1], [1, 2]).statistic));
});

test('kstwo.sf matches SciPy across all _kolmogn regimes', () => {
  const w = new Worst();
  for (const [x, n, expected] of fx.kstwoGrid) {
    const got = kstwoSf(x, n);
    const e = relErr(got, expected);
    w.see(e, `x=${x} n=${n}`);
    assert.ok(e <= P_REL, `kstwo.sf(${x}, ${n}) = ${got}, SciPy ${expected}`);
  }
  console.log(`kstwo grid: ${fx.kstwoGrid.length} points, worst rel ${w.value} (${w.where})`);
});

test('smirnov sf matches scipy.special.smirnov', () => {
  const w = new Worst();
  for (const [n, x, expected] of fx.smirnovGrid) {
    const got = smirnovSf(n, x);
    const e = relErr(got, expected);
    w.see(e, `n=${n} x=${x}`);
    assert.ok(e <= P_REL, `smirnov(${n}, ${x}) = ${got}, SciPy ${expected}`);
  }
  console.log(`smirnov grid: ${fx.smirnovGrid.length} points, worst rel ${w.value} (${w.where})`);
});

test('exact path stays fast at the 10000 boundary (O(n1 n2 D) worst case)', () => {
  // Deterministic, well-mixed values; a shift of 0.3 gives a wide DP band.
  const mk = (n: number, s: number): Float64Array =>
    Float64Array.from({ length: n }, (_, i) => ((i * 7919) % n) / n + s);
  const t0 = performance.now();
  const r = ks2samp(mk(10000, 0), mk(9999, 0.3));
  const ms = performance.now() - t0;
  assert.equal(r.method, 'exact');
  assert.ok(Math.abs(r.statistic - 0.3) < 1e-3);
  assert.ok(ms < 15000, `took ${ms} ms`);
});
