import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Adwin } from './adwin.ts';
import { Xoshiro128, assertRoundTrip, gaussians, run } from './test-helpers.ts';

const zerosThenOnes = (zeros: number, ones: number): number[] => [
  ...new Array<number>(zeros).fill(0),
  ...new Array<number>(ones).fill(1),
];

/** Brute-force ADWIN over every cut point (what River's ADWIN computes when no bucket merges). */
function bruteForceFirstCut(xs: readonly number[], delta: number, mwl: number, grace: number): number {
  for (let t = 0; t < xs.length; t++) {
    const w = xs.slice(0, t + 1);
    const width = w.length;
    if (!(width > grace)) continue;
    const total = w.reduce((a, b) => a + b, 0);
    const mean = total / width;
    const variance = w.reduce((a, b) => a + (b - mean) ** 2, 0);
    const deltaPrime = Math.log((2 * Math.log(width)) / delta);
    let u0 = 0;
    for (let n0 = 1; n0 < width; n0++) {
      u0 += w[n0 - 1] as number;
      const n1 = width - n0;
      if (n0 < mwl || n1 < mwl) continue;
      const m = 1 / (n0 - mwl + 1) + 1 / (n1 - mwl + 1);
      const eps = Math.sqrt(2 * m * (variance / width) * deltaPrime) + (2 / 3) * deltaPrime * m;
      if (Math.abs(u0 / n0 - (total - u0) / n1) > eps) return t;
    }
  }
  return -1;
}

describe('adwin', () => {
  it("keeps River's exponential-histogram buckets", () => {
    // Inserting 1..16 with maxBuckets 5: row 0 merges its two oldest singletons whenever it
    // reaches 6 ((1,2) → 3, (3,4) → 7, ...); row 1 reaches 6 at sample 16 and merges (3, 7) into
    // a size-4 bucket with total 10 and squared deviations 0.5 + 0.5 + 2·(1.5 − 3.5)²/2 = 5.
    const a = new Adwin({ clock: 1_000_000 });
    for (let i = 1; i <= 16; i++) a.update(i);
    assert.deepEqual(a.buckets(), [
      { size: 1, totals: [13, 14, 15, 16], variances: [0, 0, 0, 0] },
      { size: 2, totals: [11, 15, 19, 23], variances: [0.5, 0.5, 0.5, 0.5] },
      { size: 4, totals: [10], variances: [5] },
    ]);
    assert.equal(a.width, 16);
    assert.equal(a.total, 136);
    assert.equal(a.variance, 340); // Σ(i − 8.5)² = 16·(16² − 1)/12
  });

  it('tracks the exact window variance (River stores the sum of squared deviations)', () => {
    const xs = gaussians(new Xoshiro128(999), 500, 5, 2);
    const a = new Adwin({ clock: 1_000_000 });
    run(a, xs);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const expected = xs.reduce((s, x) => s + (x - mean) ** 2, 0);
    assert.ok(Math.abs(a.variance - expected) / expected < 1e-9);
    assert.ok(Math.abs(a.estimation - mean) < 1e-12);
  });

  it('finds the hand-worked first cut when every sample is a bucket (clock 1)', () => {
    // 100 zeros then ones. At t = 115 (W = 116, 16 ones) the cut n0 = 96 | n1 = 20 gives
    // Δμ = 16/20 = 0.8, σ²_W = (100·16/116)/116 = 0.11891, δ' = ln(2·ln 116/0.002) = 8.4667,
    // m = 1/92 + 1/16 = 0.07337, ε = sqrt(2·m·σ²_W·δ') + 2/3·δ'·m = 0.3844 + 0.4141 = 0.7985 < 0.8.
    // At t = 114 no cut passes. maxBuckets 1000 means no merges, so every cut is examined.
    const xs = zerosThenOnes(100, 100);
    const expected = bruteForceFirstCut(xs, 0.002, 5, 10);
    assert.equal(expected, 115);
    const r = run(new Adwin({ clock: 1, maxBuckets: 1000 }), xs);
    assert.equal(r.drifts[0], 115);
  });

  it('alarms at the first clock tick after a step (default parameters)', () => {
    // Checks run at ticks 32, 64, ... (indices 31, 63, ...). Index 95 sees only zeros (Δμ = 0 at
    // every cut). At index 127 (W = 128, 28 ones) the scan from the oldest bucket reaches
    // n0 = 80 | n1 = 48: Δμ = 28/48 = 0.583 > ε = 0.526 (δ' = 8.487, m = 1/76 + 1/44).
    // The next update resets the detector, and a constant tail never cuts again.
    const a = new Adwin();
    const r = run(a, zerosThenOnes(100, 300));
    assert.deepEqual(r.drifts, [127]);
    assert.equal(a.width, 400 - 128); // everything since the reset at index 128
  });

  it('reproduces the River docstring and regression indices', () => {
    // River: 1000 draws from {0,1} then 1000 from {4..7} → "Change detected at index 1023", and
    // four alternating segments → [1023, 2015, 3007]. Each change is large enough to be cut at the
    // first check after it; after each alarm the clock restarts, so checks fall on
    // 1023 + 32k + ... → 2015 and 3007. Our random draws differ from Python's, the indices do not.
    const rng = new Xoshiro128(12345);
    const low = (): number => rng.nextInt(2);
    const high = (): number => 4 + rng.nextInt(4);
    const seg = (f: () => number): number[] => Array.from({ length: 1000 }, f);
    assert.deepEqual(run(new Adwin(), [...seg(low), ...seg(high)]).drifts, [1023]);
    assert.deepEqual(
      run(new Adwin(), [...seg(low), ...seg(high), ...seg(low), ...seg(high)]).drifts,
      [1023, 2015, 3007],
    );
  });

  it('resets completely on the update after an alarm (River regression)', () => {
    const a = new Adwin({ clock: 1 });
    let found = false;
    for (let i = 0; i < 500; i++) a.update(0);
    for (let i = 0; i < 500 && !found; i++) found = a.update(100).drift;
    assert.ok(found);
    a.update(50);
    assert.equal(a.width, 1);
    assert.equal(a.detections, 0);
  });

  it('does not check during the grace period (River regression)', () => {
    const a = new Adwin({ gracePeriod: 100, clock: 1 });
    const r = run(a, [...new Array<number>(50).fill(0), ...new Array<number>(50).fill(1000)]);
    assert.deepEqual(r.drifts, []);
  });

  it('stays within the delta bound on a stationary stream', () => {
    // Bifet & Gavaldà: a check wrongly cuts a stationary window with probability at most δ.
    // Checks happen every `clock` samples, so E[false alarms] ≤ δ·N/clock = 0.002·100000/32 = 6.25.
    const n = 100_000;
    const bound = (0.002 * n) / 32;
    const r = run(new Adwin(), gaussians(new Xoshiro128(7), n));
    assert.ok(r.drifts.length <= bound, `${r.drifts.length} > ${bound}`);
    const bits = run(
      new Adwin(),
      Array.from(
        { length: n },
        (
          (g) => () =>
            g.nextInt(2)
        )(new Xoshiro128(8)),
      ),
    );
    assert.ok(bits.drifts.length <= bound);
    console.log(
      `adwin: ${r.drifts.length} (gaussian) / ${bits.drifts.length} (bits) false alarms in ${n} samples (bound ${bound})`,
    );
  });

  it('resumes from JSON with identical results', () => {
    const rng = new Xoshiro128(5);
    const xs = [...gaussians(rng, 2000), ...gaussians(rng, 2000, 2), ...gaussians(rng, 2000)];
    const r = run(new Adwin(), xs);
    assert.ok(r.drifts.length >= 2);
    const afterAlarm = (r.drifts[0] as number) + 1;
    assertRoundTrip(() => new Adwin(), xs, [1, 31, 1000, afterAlarm, 3001, 5999]);
    assertRoundTrip(() => new Adwin({ clock: 1, maxBuckets: 3 }), xs, [777, 3333]);
  });
});
