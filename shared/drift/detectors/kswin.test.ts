import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ks2samp } from '../stats/index.ts';
import { Kswin } from './kswin.ts';
import { Xoshiro128, assertRoundTrip, gaussians, run } from './test-helpers.ts';

/**
 * When every new value exceeds every old one and W holds only old values, R = j new + (30 − j)
 * old gives D = j/30 whatever W was sampled as. Smallest j whose exact p-value is ≤ alpha:
 */
function firstSignificantJ(alpha: number): number {
  const old = new Array<number>(30).fill(0);
  for (let j = 1; j <= 30; j++) {
    const recent = [...new Array<number>(30 - j).fill(0), ...new Array<number>(j).fill(5)];
    const { statistic, pValue } = ks2samp(old, recent);
    assert.equal(statistic, j / 30);
    if (pValue <= alpha && statistic > 0.1) return j;
  }
  return -1;
}

describe('kswin', () => {
  it('fires where the exact KS p-value crosses alpha on a step (hand-worked)', () => {
    // Exact two-sided p for D = j/30 (n = m = 30): 0.00655 at j = 13, 0.00253 at j = 14
    // (alpha 0.005 → j = 14); 2.9e-4 at j = 16, 8.7e-5 at j = 17 (alpha 1e-4 → j = 17).
    assert.equal(firstSignificantJ(0.005), 14);
    assert.equal(firstSignificantJ(0.0001), 17);
    // 100 zeros then fives: the first test (index 99) has D = 0; index 99 + j has D = j/30.
    const xs = [...new Array<number>(100).fill(0), ...new Array<number>(100).fill(5)];
    assert.deepEqual(run(new Kswin(), xs).drifts, [113]);
    assert.deepEqual(run(new Kswin({ alpha: 0.0001 }), xs).drifts, [116]);
  });

  it('reproduces the River docstring index (0/1 then 4..7, alpha 1e-4 → 1016)', () => {
    // Same argument: every new value exceeds the old ones, so at index 999 + j the statistic is
    // at least j/30; an old-only window would need D ≥ 17/30 from 0/1 proportions alone.
    const rng = new Xoshiro128(12345);
    const xs = [
      ...Array.from({ length: 1000 }, () => rng.nextInt(2)),
      ...Array.from({ length: 1000 }, () => 4 + rng.nextInt(4)),
    ];
    assert.deepEqual(run(new Kswin({ alpha: 0.0001, seed: 42 }), xs).drifts, [1016]);
  });

  it('empties the window and re-seeds after an alarm (River resets on the next update)', () => {
    const xs = [
      ...new Array<number>(100).fill(0),
      ...new Array<number>(300).fill(5),
      ...new Array<number>(300).fill(0),
    ];
    const r = run(new Kswin(), xs);
    // 113, then the window refills from index 114 and is full at 213 (all fives, D = 0). The
    // drop at 400 is seen at 400 + 13 = 413 with the same p-value arithmetic.
    assert.deepEqual(r.drifts, [113, 413]);

    // Re-seeding: a detector reset mid-stream behaves exactly like a fresh one.
    const tail = gaussians(new Xoshiro128(2), 500);
    const used = new Kswin();
    run(used, gaussians(new Xoshiro128(3), 250));
    used.reset();
    assert.deepEqual(run(used, tail), run(new Kswin(), tail));
  });

  it('keeps false alarms within alpha per test on a stationary stream', () => {
    // Under H0, R and W are disjoint i.i.d. samples, so each test fires with probability ≤ alpha
    // (the exact test is conservative for discrete D). At most one test per sample:
    // E[false alarms] ≤ alpha·N = 500 per 100k with River's defaults (KSWIN is chatty).
    const n = 100_000;
    const r = run(new Kswin(), gaussians(new Xoshiro128(7), n));
    assert.ok(r.drifts.length <= 0.005 * n);
    console.log(`kswin: ${r.drifts.length} false alarms in ${n} N(0,1) samples (bound ${0.005 * n})`);
  });

  it('resumes from JSON with identical results (window, RNG state, post-alarm reset)', () => {
    const rng = new Xoshiro128(8);
    const xs = [...gaussians(rng, 600), ...gaussians(rng, 600, 1.5), ...gaussians(rng, 600)];
    const r = run(new Kswin(), xs);
    assert.ok(r.drifts.length > 0);
    assertRoundTrip(() => new Kswin(), xs, [50, 99, 100, 700, (r.drifts[0] as number) + 1, 1500]);
  });

  it('rejects windows too small to sample statSize older values', () => {
    assert.throws(
      () => new Kswin({ windowSize: 50, statSize: 30 }),
      /windowSize \(50\) must be at least 2 \* statSize/,
    );
  });
});
