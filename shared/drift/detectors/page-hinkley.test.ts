import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PageHinkley } from './page-hinkley.ts';
import { Xoshiro128, assertRoundTrip, gaussians, normalTail, run } from './test-helpers.ts';

describe('page-hinkley', () => {
  it('fires on a hand-worked spike (alpha = 1, delta = 0)', () => {
    // Samples 0..3 are 0: mean 0, deviations 0, S+ = 0 = min S+. Sample 4 is 10: mean 2,
    // deviation 8, S+ = 8, statistic 8 − 0 = 8 > threshold 5.
    const ph = new PageHinkley({ minInstances: 1, delta: 0, threshold: 5, alpha: 1 });
    const r = run(ph, [0, 0, 0, 0, 10]);
    assert.deepEqual(r.drifts, [4]);
    assert.deepEqual(r.statistics, [0, 0, 0, 0, 8]);
    // River resets on the update after an alarm: a lone sample has zero deviation.
    const after = ph.update(10);
    assert.equal(after.drift, false);
    assert.equal(after.statistic, 0);
    assert.equal(ph.sampleCount, 1);
  });

  it('respects the mode: a drop is seen by "down" and "both", not by "up"', () => {
    // Mirror image: S− = 0 until sample 4 where the deviation is −8, so max S− − S− = 8.
    const xs = [0, 0, 0, 0, -10];
    const opts = { minInstances: 1, delta: 0, threshold: 5, alpha: 1 };
    assert.deepEqual(run(new PageHinkley({ ...opts, mode: 'up' }), xs).drifts, []);
    assert.deepEqual(run(new PageHinkley({ ...opts, mode: 'down' }), xs).drifts, [4]);
    assert.deepEqual(run(new PageHinkley({ ...opts, mode: 'both' }), xs).drifts, [4]);
  });

  it("does not fire before minInstances; after it, the spike's aftermath is what counts", () => {
    // Same spike with minInstances 10. Afterwards each 0 at count n has deviation −10/n (the mean
    // is 10/n), so at n = 10: S+ = 8 − (10/6 + 10/7 + 10/8 + 10/9 + 10/10) ≈ 1.54 (up ≈ 1.54 < 5)
    // while S− fell from its maximum 8 to the same 1.54 (down ≈ 6.46 > 5).
    const xs = [0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0];
    const opts = { minInstances: 10, delta: 0, threshold: 5, alpha: 1 };
    const tail = 10 / 6 + 10 / 7 + 10 / 8 + 10 / 9 + 1;
    const up = run(new PageHinkley({ ...opts, mode: 'up' }), xs);
    assert.deepEqual(up.drifts, []);
    assert.ok(Math.abs((up.statistics[9] as number) - (8 - tail)) < 1e-12);
    const both = run(new PageHinkley({ ...opts, mode: 'both' }), xs);
    assert.deepEqual(both.drifts, [9]);
    assert.ok(Math.abs((both.statistics[9] as number) - tail) < 1e-12);
  });

  it('detects the River docstring change (0/1 then 4..7) within its derived delay', () => {
    // After the change every sample adds x − x̄ − δ ∈ [4 − 0.55, 7 − 0.45] to S+ (x̄ stays near
    // 0.5), so 50 is crossed after 8..15 new samples: alarm index in [1007, 1014] unless the
    // statistic was already high. River reports 1006 for its own random stream.
    const rng = new Xoshiro128(12345);
    const xs = [
      ...Array.from({ length: 1000 }, () => rng.nextInt(2)),
      ...Array.from({ length: 1000 }, () => 4 + rng.nextInt(4)),
    ];
    const r = run(new PageHinkley(), xs);
    const first = r.drifts[0];
    assert.ok(first !== undefined && first >= 1000 && first <= 1014, `first alarm ${first}`);
    assert.ok(r.drifts.every((i) => i >= 1000));
  });

  it('keeps false alarms on a stationary stream within the deviation bound', () => {
    // With the running mean in place, S+ and S− are AR(1) sums with variance at most
    // σ²/(1 − α²). An alarm needs S to move λ away from its running extreme, hence some sample
    // at least λ/2 away from its mean, on one side or the other: E[alarms] ≤ 4·N·Φ(−λ/(2σ_S)).
    // With σ = 0.1: σ_S = 0.1/sqrt(1 − 0.9999²) ≈ 7.07, Φ(−3.54) ≈ 2e-4, bound ≈ 80 per 100k.
    const sigma = 0.1;
    const alpha = 1 - 0.0001;
    const sigmaS = sigma / Math.sqrt(1 - alpha * alpha);
    const n = 100_000;
    const bound = 4 * n * normalTail(50 / (2 * sigmaS));
    const r = run(new PageHinkley(), gaussians(new Xoshiro128(7), n, 0, sigma));
    assert.ok(r.drifts.length <= bound, `${r.drifts.length} alarms > bound ${bound}`);
    console.log(`page-hinkley: ${r.drifts.length} false alarms in ${n} N(0, 0.1²) samples (bound ${bound.toFixed(1)})`);
  });

  it('resumes from JSON with identical results', () => {
    const rng = new Xoshiro128(3);
    const xs = [...gaussians(rng, 3000, 0, 1), ...gaussians(rng, 3000, 3, 1)];
    assertRoundTrip(() => new PageHinkley(), xs, [1, 29, 1500, 3005, 4500]);
    assertRoundTrip(
      () => new PageHinkley({ mode: 'down', threshold: 20 }),
      xs.map((x) => -x),
      [2999],
    );
  });

  it('rejects bad parameters', () => {
    assert.throws(() => new PageHinkley({ mode: 'sideways' }), /mode.*up, down, both/);
    assert.throws(() => new PageHinkley({ bogus: 1 } as never), /Unknown parameter "bogus".*minInstances/);
  });
});
