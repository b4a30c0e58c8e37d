import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PredictionDistribution } from './prediction-distribution.ts';
import { Xoshiro128, assertRoundTrip, run } from './test-helpers.ts';

const classes = (rng: Xoshiro128, probs: readonly number[], n: number): number[] =>
  Array.from({ length: n }, () => {
    let u = rng.nextFloat();
    for (let c = 0; c < probs.length; c++) {
      u -= probs[c] as number;
      if (u < 0) return c;
    }
    return probs.length - 1;
  });

describe('prediction-distribution', () => {
  it('tests when the window fills and alarms again after the cooldown (hand-worked)', () => {
    // Reference (0.5, 0.5); every prediction is class 0. The window of 100 fills at index 99:
    // JS(P = (1, 0), Q = (0.5, 0.5)) with M = (0.75, 0.25) is
    // sqrt((log2(1/0.75) + 0.5·log2(0.5/0.75) + 0.5·log2(0.5/0.25)) / 2) = sqrt(0.31128) = 0.5579,
    // and the 2×2 chi-square against 5000/5000 reference counts has p ≪ 0.001 → drift at 99.
    // Cooldown 500 counts samples 100..599; 599 is also a test index (every 10) → next alarm.
    const det = new PredictionDistribution({ reference: '0.5,0.5', windowSize: 100, stride: 10 });
    const r = run(det, new Array<number>(1200).fill(0));
    assert.deepEqual(r.drifts, [99, 599, 1099]);
    assert.ok(Math.abs((r.statistics[99] as number) - 0.557923) < 1e-6);
    assert.equal(r.statistics[98], 0);
  });

  it('needs an effect above jsThreshold, not just significance', () => {
    // A 55/45 split in a window of 2000 against 50/50: χ² ≈ 16.5 (p ≈ 5e-5 < 0.001) but
    // JS ≈ sqrt(Σ Δ²/(8·m·ln 2)) = 0.043 < 0.1 → warnings only.
    const pattern = [...new Array<number>(11).fill(0), ...new Array<number>(9).fill(1)];
    const xs = Array.from({ length: 4000 }, (_, i) => pattern[i % 20] as number);
    const det = new PredictionDistribution({ reference: '0.5,0.5', windowSize: 2000, stride: 20 });
    const r = run(det, xs);
    assert.deepEqual(r.drifts, []);
    assert.ok(r.warnings.length > 0);
    assert.ok(det.pValue < 0.001 && (r.statistics.at(-1) as number) < 0.06);
  });

  it('learns the reference from the first window and detects a shift within the window length', () => {
    // Uniform over 4 classes, then class 0 at 70 %: the window mixture reaches JS > 0.1 once
    // roughly 30 % of it is new (≈ 150 of 500 samples); the p-value is tiny well before that.
    const rng = new Xoshiro128(3);
    const det = new PredictionDistribution({ numClasses: 4 });
    const warm = run(det, classes(rng, [0.25, 0.25, 0.25, 0.25], 3000));
    assert.deepEqual(warm.drifts, []);
    assert.ok(det.referenceDistribution!.every((p) => Math.abs(p - 0.25) < 0.06));
    const shifted = run(det, classes(rng, [0.7, 0.1, 0.1, 0.1], 1000));
    const delay = shifted.drifts[0] ?? Infinity;
    assert.ok(delay >= 50 && delay < 300, `delay ${delay}`);
  });

  it('keeps false alarms within alpha per test on a stationary stream', () => {
    // Each test's p-value is ~uniform under H0 (conservative when the reference is exact), and a
    // test runs every `stride` samples: E[false alarms] ≤ alpha·N/stride = 0.001·100000/50 = 2.
    const n = 100_000;
    const det = new PredictionDistribution({ reference: '0.4,0.3,0.2,0.1' });
    const r = run(det, classes(new Xoshiro128(7), [0.4, 0.3, 0.2, 0.1], n));
    assert.ok(r.drifts.length <= 0.001 * (n / 50));
    console.log(
      `prediction-distribution: ${r.drifts.length} false alarms, ${r.warnings.length} warnings in ${n} samples (bound 2)`,
    );
  });

  it('resumes from JSON with identical results', () => {
    const rng = new Xoshiro128(5);
    const xs = [...classes(rng, [0.5, 0.3, 0.2], 1500), ...classes(rng, [0.2, 0.3, 0.5], 1500)];
    assertRoundTrip(() => new PredictionDistribution({ numClasses: 3, cooldown: 200 }), xs, [100, 499, 500, 777, 2000]);
  });

  it('validates its input and parameters', () => {
    const det = new PredictionDistribution({ numClasses: 3 });
    assert.throws(() => det.update(3), /class index in \[0, 3\)/);
    assert.throws(() => det.update(1.5), RangeError);
    assert.throws(() => new PredictionDistribution(), /numClasses/);
    assert.throws(() => new PredictionDistribution({ reference: '0.5,x' }), /comma-separated/);
    assert.throws(() => new PredictionDistribution({ reference: '0.5,0.5', numClasses: 3 }), /reference has 2 classes/);
  });
});
