import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HddmA } from './hddm-a.ts';
import { HddmW } from './hddm-w.ts';
import { Xoshiro128, assertRoundTrip, bernoulli, run } from './test-helpers.ts';

const block = (value: number, n: number): number[] => new Array<number>(n).fill(value);

describe('hddm-a', () => {
  it('signals at the hand-derived error counts after an error-free run', () => {
    // 50 correct samples: the cut point X_min stays at n = 50 (mean 0). After j errors
    // Z̄ = j/(50 + j) and m = j/(50·(50 + j)), so Z̄ − X̄ ≥ sqrt(m/2·ln(2/c)) ⇔ j ≥ (50 + j)·ln(2/c)/100:
    // warning (c = 0.005, ln 400 = 5.99) from j ≥ 3.19 → j = 4 (index 53),
    // drift (c = 0.001, ln 2000 = 7.60) from j ≥ 4.11 → j = 5 (index 54).
    const r = run(new HddmA(), [...block(0, 50), ...block(1, 10)]);
    assert.deepEqual(r.warnings, [53]);
    assert.deepEqual(r.drifts, [54]);
    // With 100 correct samples both thresholds fall on j = 4: drift wins, no warning.
    const r100 = run(new HddmA(), [...block(0, 100), ...block(1, 10)]);
    assert.deepEqual(r100.warnings, []);
    assert.deepEqual(r100.drifts, [103]);
  });

  it('sees decreases only with twoSidedTest (mirror of the case above)', () => {
    const xs = [...block(1, 50), ...block(0, 10)];
    assert.deepEqual(run(new HddmA(), xs).drifts, []);
    const r = run(new HddmA({ twoSidedTest: true }), xs);
    assert.deepEqual(r.warnings, [53]);
    assert.deepEqual(r.drifts, [54]);
  });

  it('detects the River docstring change (p 0.5 → 0.7)', () => {
    // River reports a drift at 1206. The A-test needs Z̄ − X̄ ≥ sqrt(m/2·ln 2000); with the cut
    // at ~1000 samples and an increase of 0.2 in the new samples, j new samples give
    // Z̄ − X̄ ≈ 0.2·j/(1000 + j), which passes the bound around j ≈ 50..150.
    const rng = new Xoshiro128(42);
    const r = run(new HddmA(), [...bernoulli(rng, 0.5, 1000), ...bernoulli(rng, 0.7, 1000)]);
    const first = r.drifts.find((i) => i >= 1000);
    assert.ok(first !== undefined && first < 1300, `drifts ${r.drifts}`);
  });

  it('keeps false alarms below drift_confidence per sample', () => {
    // Frías-Blanco et al.: the drift test errs with probability at most drift_confidence per
    // step, so E[false alarms] ≤ 0.001·N = 100 per 100k samples.
    const n = 100_000;
    const r = run(new HddmA(), bernoulli(new Xoshiro128(11), 0.2, n));
    assert.ok(r.drifts.length <= 0.001 * n);
    console.log(
      `hddm-a: ${r.drifts.length} false alarms, ${r.warnings.length} warning samples in ${n} Bernoulli(0.2) samples`,
    );
  });

  it('resumes from JSON with identical results', () => {
    const rng = new Xoshiro128(6);
    const xs = [...bernoulli(rng, 0.1, 2000), ...bernoulli(rng, 0.3, 2000), ...bernoulli(rng, 0.05, 2000)];
    assertRoundTrip(() => new HddmA(), xs, [0, 1999, 2100, 5000]);
    assertRoundTrip(() => new HddmA({ twoSidedTest: true }), xs, [3000, 4100]);
  });
});

describe('hddm-w', () => {
  it('signals at the hand-derived error counts after an error-free run', () => {
    // λ = 0.05. Zeros keep the total EWMA at 0 and its ibc → λ²/(1 − (1 − λ)²) = 0.02564, so S1
    // is a copy of the total at n = 100. River's EWMean starts from the first non-zero value,
    // so the first error makes S2 = 1 at once and every further error keeps it at 1, while
    // ibc₂ = 0.02564 + 0.97436·0.9025^j. The W-test S2 − S1 = 1 > sqrt((ibc₁ + ibc₂)·ln(1/c)/2) holds when
    // ibc₁ + ibc₂ < 2/ln(1/c): warning (c = 0.005) from j = 11 (index 110),
    // drift (c = 0.001) from j = 14 (index 113).
    const r = run(new HddmW(), [...block(0, 100), ...block(1, 20)]);
    assert.deepEqual(r.warnings, [110, 111, 112]);
    assert.deepEqual(r.drifts, [113]);
  });

  it('sees decreases only with twoSidedTest', () => {
    // Ones first: the decrease cut point S1 holds EWMA 1; zeros enter S2 (EWMA starts at the
    // first value, 0, and stays 0), so S1 − S2 = 1 and the same ibc arithmetic as above applies.
    const xs = [...block(1, 100), ...block(0, 20)];
    assert.deepEqual(run(new HddmW(), xs).drifts, []);
    const r = run(new HddmW({ twoSidedTest: true }), xs);
    assert.deepEqual(r.warnings, [110, 111, 112]);
    assert.deepEqual(r.drifts, [113]);
  });

  it('detects the River docstring change (p 0.5 → 0.7)', () => {
    // River reports a drift at 1077. The EWMA (effective memory ~40 samples) moves by 0.2 within
    // ~60 samples of the change; McDiarmid's bound with ibc ≈ 0.026 per side is ≈ 0.3, larger than
    // the noise of S2, so detection typically lands 20..200 samples after the change.
    const rng = new Xoshiro128(42);
    const r = run(new HddmW(), [...bernoulli(rng, 0.5, 1000), ...bernoulli(rng, 0.7, 1000)]);
    const first = r.drifts.find((i) => i >= 1000);
    assert.ok(first !== undefined && first < 1200, `drifts ${r.drifts}`);
  });

  it('keeps false alarms below drift_confidence per sample', () => {
    // Same argument as HDDM_A with McDiarmid's inequality: E[false alarms] ≤ 0.001·N.
    const n = 100_000;
    const r = run(new HddmW(), bernoulli(new Xoshiro128(11), 0.2, n));
    assert.ok(r.drifts.length <= 0.001 * n);
    console.log(
      `hddm-w: ${r.drifts.length} false alarms, ${r.warnings.length} warning samples in ${n} Bernoulli(0.2) samples`,
    );
  });

  it('resumes from JSON with identical results', () => {
    const rng = new Xoshiro128(7);
    const xs = [...bernoulli(rng, 0.1, 2000), ...bernoulli(rng, 0.4, 2000), ...bernoulli(rng, 0.05, 2000)];
    assertRoundTrip(() => new HddmW(), xs, [0, 1, 2010, 4500]);
    assertRoundTrip(() => new HddmW({ twoSidedTest: true, lambda: 0.1 }), xs, [3000]);
  });
});
