// Property tests over seeded random data: invariants that must hold whatever
// SciPy says (symmetry, ranges, non-negativity, identity).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  andersonKSamp,
  chiSquareHomogeneity,
  jensenShannonDistance,
  ks2samp,
  numericBinned,
  psi,
  wasserstein1,
} from './index.ts';
import { createRng, type Rng } from '../../random/prng.ts';

function sample(rng: Rng, n: number, kind: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = rng();
    if (kind === 0) out.push(u * 10 - 5);
    else if (kind === 1)
      out.push(Math.floor(u * 5)); // heavy ties
    else out.push(Math.log(u + 1e-12) * (1 + rng())); // skewed
  }
  return out;
}

const TRIALS = 150;

test('ks2samp: symmetric, D in [0,1], p in [0,1]', () => {
  const rng = createRng(1234);
  for (let t = 0; t < TRIALS; t++) {
    const a = sample(rng, 1 + Math.floor(rng() * 120), t % 3);
    const b = sample(rng, 1 + Math.floor(rng() * 120), (t + 1) % 3);
    const r = ks2samp(a, b);
    const s = ks2samp(b, a);
    assert.ok(r.statistic >= 0 && r.statistic <= 1);
    assert.ok(r.pValue >= 0 && r.pValue <= 1);
    assert.equal(r.statistic, s.statistic);
    assert.ok(Math.abs(r.pValue - s.pValue) <= 1e-12 * Math.max(1, r.pValue));
    const self = ks2samp(a, a);
    assert.equal(self.statistic, 0);
    assert.equal(self.pValue, 1);
  }
});

test('wasserstein1: symmetric, >= 0, 0 on identical samples, shift-equivariant', () => {
  const rng = createRng(99);
  for (let t = 0; t < TRIALS; t++) {
    const a = sample(rng, 1 + Math.floor(rng() * 200), t % 3);
    const b = sample(rng, 1 + Math.floor(rng() * 200), (t + 2) % 3);
    const w = wasserstein1(a, b);
    assert.ok(w >= 0);
    assert.ok(Math.abs(w - wasserstein1(b, a)) <= 1e-12 * Math.max(1, w));
    assert.equal(wasserstein1(a, a), 0);
    // Shifting one sample by c moves W1 between identical copies to |c|.
    assert.ok(
      Math.abs(
        wasserstein1(
          a,
          a.map((x) => x + 2.5),
        ) - 2.5,
      ) < 1e-9,
    );
  }
});

test('binned JS in [0,1] and symmetric; PSI >= 0; identical → 0', () => {
  const rng = createRng(5);
  for (let t = 0; t < TRIALS; t++) {
    const ref = sample(rng, 1 + Math.floor(rng() * 300), t % 3);
    const cur = sample(rng, Math.floor(rng() * 300), (t + 1) % 3);
    const r = numericBinned(ref, cur);
    assert.equal(r.referenceCounts.length, r.edges.length + 1);
    assert.equal(
      r.referenceCounts.reduce((s, x) => s + x, 0),
      ref.length,
    );
    assert.equal(
      r.currentCounts.reduce((s, x) => s + x, 0),
      cur.length,
    );
    assert.ok(r.jensenShannon >= 0 && r.jensenShannon <= 1);
    assert.ok(r.psi >= 0);
    assert.ok(Math.abs(jensenShannonDistance(r.currentCounts, r.referenceCounts) - r.jensenShannon) < 1e-12);
    assert.ok(Math.abs(psi(r.currentCounts, r.referenceCounts) - r.psi) < 1e-12);
    assert.equal(jensenShannonDistance(r.referenceCounts, r.referenceCounts), 0);
    assert.equal(psi(r.referenceCounts, r.referenceCounts), 0);
    const self = numericBinned(ref, ref);
    assert.equal(self.jensenShannon, 0);
    assert.equal(self.psi, 0);
  }
});

test('chi-square: p in [0,1], statistic >= 0, symmetric in the two rows', () => {
  const rng = createRng(77);
  for (let t = 0; t < TRIALS; t++) {
    const k = 1 + Math.floor(rng() * 12);
    const a = Array.from({ length: k }, () => Math.floor(rng() * 30));
    const b = Array.from({ length: k }, () => Math.floor(rng() * 30));
    const r = chiSquareHomogeneity(a, b);
    const s = chiSquareHomogeneity(b, a);
    assert.ok(r.statistic >= 0 && r.pValue >= 0 && r.pValue <= 1);
    assert.ok(Math.abs(r.statistic - s.statistic) <= 1e-9 && Math.abs(r.pValue - s.pValue) <= 1e-12);
    assert.equal(r.dof, s.dof);
  }
});

test('anderson: p within SciPy’s table range [0.001, 0.25]', () => {
  const rng = createRng(3);
  for (let t = 0; t < 40; t++) {
    const a = sample(rng, 5 + Math.floor(rng() * 60), t % 3);
    const b = sample(rng, 5 + Math.floor(rng() * 60), (t + 1) % 3);
    const r = andersonKSamp([a, b]);
    assert.ok(r.pValue >= 0.001 - 1e-15 && r.pValue <= 0.25 + 1e-15, `p ${r.pValue}`);
  }
});
