import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KnnDistance } from './knn-distance.ts';
import { Xoshiro128, assertRoundTrip, gaussian, gaussians, run } from './test-helpers.ts';

const vectors = (rng: Xoshiro128, n: number, dim: number, shift = 0): Float64Array[] =>
  Array.from({ length: n }, () => Float64Array.from({ length: dim }, (_, j) => gaussian(rng) + (j === 0 ? shift : 0)));

describe('knn-distance', () => {
  it('accumulates the hand-computed Page-Hinkley statistic', () => {
    // Reference points 0..4 on a line, k = 2, μ_ref = 0.5, σ_ref = 0.1 → δ = 0.05, λ = 1.0.
    // x = −0.35: neighbours 0 and 1 at 0.35 and 1.35, mean 0.85, so S grows by 0.85 − 0.55 = 0.30:
    // 0.30, 0.60 (warning: > 0.5·λ), 0.90 (warning), 1.20 → drift at the 4th sample.
    // Cooldown 3: S restarts at 0 and climbs 0.3, 0.6, 0.9 while alarms are held back, then 1.2
    // fires again at the 8th sample.
    const det = new KnnDistance({ k: 2, referenceMean: 0.5, referenceStd: 0.1, cooldown: 3 });
    det.setReference([0, 1, 2, 3, 4], 1);
    const r = run(det, new Array(8).fill([-0.35]));
    assert.deepEqual(r.drifts, [3, 7]);
    assert.deepEqual(r.warnings, [1, 2, 5, 6]);
    assert.ok(Math.abs((r.statistics[2] as number) - 0.9) < 1e-12);
    // An in-distribution distance (0.5, as x = 2 would give) adds 0.5 − 0.55 < 0: S stays at 0.
    assert.ok(Math.abs(det.updateDistance(0.5).statistic - 0) < 1e-12);
    assert.equal(det.lastDistance, 0.5);
  });

  it('builds its reference from the stream, then learns the distance statistics, then monitors', () => {
    const rng = new Xoshiro128(2);
    const det = new KnnDistance({ referenceSize: 100, warmup: 300 });
    const warm = run(det, vectors(rng, 400, 4));
    assert.deepEqual(warm.drifts, []);
    assert.deepEqual(warm.statistics, new Array<number>(400).fill(0));
    assert.ok(det.referenceStats !== null);
    // A 3σ shift of one feature raises every distance; expected delay λ/(Δ − δ) is a few samples.
    const shifted = run(det, vectors(rng, 200, 4, 3));
    assert.ok((shifted.drifts[0] ?? Infinity) < 30, `drifts ${shifted.drifts}`);
  });

  it('supports cosine distance', () => {
    const det = new KnnDistance({ k: 1, metric: 'cosine', referenceMean: 0.01, referenceStd: 0.01 });
    det.setReference([1, 0, 0, 1], 2);
    // [1, 1] is 45° from both references: 1 − cos 45° = 0.2929.
    const r = det.update([1, 1]);
    assert.ok(Math.abs(r.statistic - (1 - Math.SQRT1_2 - 0.01 - 0.005)) < 1e-12);
    assert.equal(r.drift, true);
  });

  it('keeps false alarms within exp(−2·deltaStd·lambdaStd)·N on a stationary stream', () => {
    // For Gaussian distances with the true μ/σ, S is a random walk with drift −δ reflected at 0,
    // and P(S_t > λ) ≤ exp(−2δλ/σ²) = exp(−10) per sample: E[false alarms] ≤ 4.54 per 100k.
    const n = 100_000;
    const bound = n * Math.exp(-2 * 0.5 * 10);
    const det = new KnnDistance({ referenceMean: 2, referenceStd: 0.4 });
    const rng = new Xoshiro128(7);
    let drifts = 0;
    for (let i = 0; i < n; i++) if (det.updateDistance(gaussian(rng, 2, 0.4)).drift) drifts++;
    assert.ok(drifts <= 2 * bound, `${drifts} > 2·${bound}`);

    // Real kNN distances (8-D Gaussian features, reference and statistics learned from the
    // stream) are right-skewed, so the Gaussian bound is only indicative: allow three times it.
    const vdet = new KnnDistance();
    const vrng = new Xoshiro128(1);
    const x = new Float64Array(8);
    let vdrifts = 0;
    for (let i = 0; i < n + 700; i++) {
      for (let j = 0; j < 8; j++) x[j] = gaussian(vrng);
      if (vdet.update(x).drift) vdrifts++;
    }
    assert.ok(vdrifts <= 3 * bound, `${vdrifts} > 3·${bound}`);
    console.log(
      `knn-distance: ${drifts} (gaussian distances) / ${vdrifts} (8-D vectors) false alarms in ${n} samples (bound ${bound.toFixed(2)})`,
    );
  });

  it('resumes from JSON with identical results (reference filling, warm-up, monitoring)', () => {
    const rng = new Xoshiro128(4);
    const xs = [...vectors(rng, 1500, 3), ...vectors(rng, 500, 3, 2)];
    assertRoundTrip(
      () => new KnnDistance({ referenceSize: 50, warmup: 200, cooldown: 100 }),
      xs,
      [10, 50, 120, 250, 1600, 1999],
    );
    const fixed = (): KnnDistance => {
      const d = new KnnDistance({ metric: 'cosine', k: 3 });
      d.setReference(gaussians(new Xoshiro128(9), 60), 3);
      return d;
    };
    assertRoundTrip(fixed, xs, [300, 1700]);
  });

  it('validates vectors and parameters', () => {
    const det = new KnnDistance({ referenceSize: 2 });
    det.update([1, 2]);
    assert.throws(() => det.update([1, 2, 3]), /length 2/);
    assert.throws(() => det.setReference([1, 2, 3], 2), /multiple of dim 2/);
    assert.throws(() => new KnnDistance({ metric: 'manhattan' }), /euclidean, cosine/);
  });
});
