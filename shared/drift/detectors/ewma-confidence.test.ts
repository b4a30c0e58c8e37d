import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EwmaConfidence } from './ewma-confidence.ts';
import { Xoshiro128, assertRoundTrip, gaussians, normalTail, run } from './test-helpers.ts';

const known = { referenceMean: 0.9, referenceStd: 0.05 };

describe('ewma-confidence', () => {
  it('alarms at the hand-computed sample after a 2σ drop, then honours the cooldown', () => {
    // Constant 0.8 against μ0 = 0.9, σ0 = 0.05, λ = 0.05: z_t − μ0 = −0.1·(1 − 0.95^t),
    // σ_z(t) = 0.05·sqrt(0.05/1.95·(1 − 0.9025^t)), so the statistic is
    // t = 1: −2.00, t = 2: −2.83, t = 3: −3.46, t = 4: −3.99, t = 5: −4.46.
    // Warning (|·| > 3) at t = 3, 4; drift (< −4) at t = 5 → index 4. The chart restarts; after
    // 500 cooldown samples (indices 5..504) the still-low confidence alarms again at 505, 1006.
    const r = run(new EwmaConfidence(known), new Array<number>(1100).fill(0.8));
    assert.deepEqual(r.drifts, [4, 505, 1006]);
    assert.deepEqual(r.warnings.slice(0, 2), [2, 3]);
    assert.ok(Math.abs((r.statistics[3] as number) + 3.9934) < 1e-3);
  });

  it('watches the configured direction only', () => {
    const up = new Array<number>(50).fill(1.0); // +2σ
    assert.deepEqual(run(new EwmaConfidence(known), up).drifts, []);
    assert.deepEqual(run(new EwmaConfidence({ ...known, mode: 'up' }), up).drifts, [4]);
    assert.deepEqual(run(new EwmaConfidence({ ...known, mode: 'both' }), up).drifts, [4]);
  });

  it('learns the reference during warm-up without alarming', () => {
    const rng = new Xoshiro128(1);
    const det = new EwmaConfidence({ warmup: 1000 });
    const r = run(det, gaussians(rng, 1000, 0.9, 0.05));
    assert.deepEqual(r.drifts, []);
    const ref = det.reference;
    assert.ok(ref && Math.abs(ref.mean - 0.9) < 0.01 && Math.abs(ref.std - 0.05) < 0.005, JSON.stringify(ref));
    // A 1σ drop is then found within ~20 samples (z needs 1 − 0.95^t > 4·0.16).
    const after = run(det, gaussians(rng, 200, 0.85, 0.05));
    assert.ok((after.drifts[0] ?? Infinity) < 60, `drifts ${after.drifts}`);
  });

  it('keeps false alarms within N·Φ(−driftLimit) on a stationary stream', () => {
    // With Gaussian input and the true μ0/σ0, z_t after each (re)start is exactly N(μ0, σ_z(t)²),
    // so every sample is beyond −4σ_z(t) with probability Φ(−4) = 3.17e-5 and an alarm needs
    // such a sample: E[false alarms] ≤ N·Φ(−4) = 3.17 per 100k.
    const n = 100_000;
    const bound = n * normalTail(4);
    assert.ok(Math.abs(normalTail(4) - 3.1671e-5) < 1e-8);
    const r = run(new EwmaConfidence(known), gaussians(new Xoshiro128(7), n, 0.9, 0.05));
    assert.ok(r.drifts.length <= 2 * bound, `${r.drifts.length} > 2·${bound}`);
    const learned = run(new EwmaConfidence(), gaussians(new Xoshiro128(8), n, 0.9, 0.05));
    assert.ok(learned.drifts.length <= 3 * bound);
    console.log(
      `ewma-confidence: ${r.drifts.length} (known reference) / ${learned.drifts.length} (learned) false alarms in ${n} samples (bound ${bound.toFixed(2)})`,
    );
  });

  it('resumes from JSON with identical results (warm-up, chart, cooldown)', () => {
    const rng = new Xoshiro128(4);
    const xs = [...gaussians(rng, 1500, 0.9, 0.05), ...gaussians(rng, 1500, 0.8, 0.08)];
    const r = run(new EwmaConfidence(), xs);
    assert.ok(r.drifts.length > 0);
    assertRoundTrip(() => new EwmaConfidence(), xs, [10, 499, 500, 1600, (r.drifts[0] as number) + 3]);
  });

  it('rejects half-given references and bad limits', () => {
    assert.throws(() => new EwmaConfidence({ referenceMean: 0.9 }), /both referenceMean and referenceStd/);
    assert.throws(() => new EwmaConfidence({ warningLimit: 5 }), /warningLimit.*<= 4/);
  });
});
