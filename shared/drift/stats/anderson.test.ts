import { test } from 'node:test';
import assert from 'node:assert/strict';
import { andersonKSamp } from './index.ts';
import { loadStatsFixtures, relErr, Worst } from '../fixtures/load.ts';

const fx = loadStatsFixtures();

test('andersonKSamp equals scipy.stats.anderson_ksamp', () => {
  const ws = new Worst();
  const wp = new Worst();
  for (const c of fx.anderson) {
    const r = andersonKSamp(c.samples, { variant: c.variant });
    const es = Math.abs(r.statistic - c.statistic);
    const ep = relErr(r.pValue, c.pValue);
    ws.see(es, c.name);
    wp.see(ep, c.name);
    assert.ok(es <= 1e-9, `${c.name}: statistic ${r.statistic} vs ${c.statistic}`);
    assert.ok(ep <= 1e-6, `${c.name}: p ${r.pValue} vs ${c.pValue}`);
    r.criticalValues.forEach((v, i) => assert.ok(Math.abs(v - c.criticalValues[i]!) <= 1e-12));
    assert.equal(r.pValueCapped, c.pValue === 0.25 || c.pValue === 0.001);
  }
  console.log(
    `anderson: ${fx.anderson.length} cases, worst abs stat ${ws.value} (${ws.where}), worst rel p ${wp.value} (${wp.where})`,
  );
});

test('andersonKSamp default variant is midrank (SciPy default)', () => {
  const c = fx.anderson.find((x) => x.variant === 'midrank')!;
  assert.equal(andersonKSamp(c.samples).statistic, andersonKSamp(c.samples, { variant: 'midrank' }).statistic);
});

test('andersonKSamp rejects what SciPy rejects', () => {
  assert.throws(() => andersonKSamp([[1, 2, 3]]), RangeError);
  assert.throws(
    () =>
      andersonKSamp([
        [1, 1],
        [1, 1],
      ]),
    RangeError,
  );
  assert.throws(() => andersonKSamp([[], [1, 2, 3]]), RangeError);
});
