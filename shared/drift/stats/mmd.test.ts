import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../random/prng.ts';
import { mmdRbf } from './index.ts';

function gaussianCloud(n: number, dim: number, shift: number, seed: number): number[][] {
  const rng = createRng(seed);
  const normal = (): number => {
    // Box–Muller; 1 - u keeps log away from 0.
    const u = 1 - rng();
    const v = rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => normal() + shift));
}

test('createRng is deterministic and uniform-ish', () => {
  const a = createRng(42);
  const b = createRng(42);
  const c = createRng(43);
  const xs = Array.from({ length: 1000 }, () => a());
  const ys = Array.from({ length: 1000 }, () => b());
  assert.deepEqual(xs, ys);
  assert.notDeepEqual(
    xs,
    Array.from({ length: 1000 }, () => c()),
  );
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
});

test('mmdRbf: same seed → same result', () => {
  const x = gaussianCloud(60, 3, 0, 1);
  const y = gaussianCloud(50, 3, 0.3, 2);
  const r1 = mmdRbf(x, y, { permutations: 100, seed: 7 });
  const r2 = mmdRbf(x, y, { permutations: 100, seed: 7 });
  assert.deepEqual(r1, r2);
  assert.ok(r1.gamma > 0);
});

test('mmdRbf: identical distributions → large p, shifted → small p', () => {
  const same = mmdRbf(gaussianCloud(80, 4, 0, 3), gaussianCloud(80, 4, 0, 4), { permutations: 200, seed: 1 });
  assert.ok(same.pValue > 0.05, `same-distribution p ${same.pValue}`);
  const shifted = mmdRbf(gaussianCloud(80, 4, 0, 5), gaussianCloud(80, 4, 1, 6), { permutations: 200, seed: 1 });
  assert.ok(shifted.pValue <= 1 / 201 + 1e-12, `shifted p ${shifted.pValue}`);
  assert.ok(shifted.statistic > same.statistic);
});

test('mmdRbf: statistic of a sample with itself is 0 and p is 1-ish', () => {
  const x = gaussianCloud(30, 2, 0, 9);
  const r = mmdRbf(
    x,
    x.map((p) => [...p]),
    { permutations: 50, seed: 3 },
  );
  assert.ok(Math.abs(r.statistic) < 1e-12);
  assert.equal(r.pValue, 1);
});

test('mmdRbf: explicit gamma is used; degenerate inputs do not crash', () => {
  const x = gaussianCloud(10, 2, 0, 11);
  const y = gaussianCloud(12, 2, 0, 12);
  assert.equal(mmdRbf(x, y, { gamma: 0.5, permutations: 10 }).gamma, 0.5);
  const constant = mmdRbf(
    [
      [1, 1],
      [1, 1],
    ],
    [[1, 1]],
    { permutations: 10 },
  );
  assert.equal(constant.gamma, 1);
  assert.ok(Number.isFinite(constant.statistic));
  assert.ok(Number.isNaN(mmdRbf([], y).statistic));
  assert.throws(() => mmdRbf([[1, 2]], [[1]]), RangeError);
});
