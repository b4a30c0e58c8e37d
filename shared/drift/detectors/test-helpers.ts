/**
 * Shared helpers for the detector tests (imported only by *.test.ts files).
 */
import assert from 'node:assert/strict';
import { restoreDetector } from './index.ts';
import { Xoshiro128, gaussian } from '../../random/prng.ts';
import type { DetectorState, StreamDetector } from './types.ts';

export { Xoshiro128, gaussian };

export interface Run {
  drifts: number[];
  warnings: number[];
  statistics: number[];
}

/** Feeds a stream and records alarm indices (and every statistic). */
export function run<X>(det: StreamDetector<X>, xs: readonly X[], offset = 0): Run {
  const out: Run = { drifts: [], warnings: [], statistics: [] };
  xs.forEach((x, i) => {
    const r = det.update(x);
    if (r.drift) out.drifts.push(i + offset);
    if (r.warning) out.warnings.push(i + offset);
    out.statistics.push(r.statistic);
  });
  return out;
}

export function countAlarms<X>(det: StreamDetector<X>, n: number, next: () => X): { drifts: number; warnings: number } {
  let drifts = 0;
  let warnings = 0;
  for (let i = 0; i < n; i++) {
    const r = det.update(next());
    if (r.drift) drifts++;
    if (r.warning) warnings++;
  }
  return { drifts, warnings };
}

export function bernoulli(rng: Xoshiro128, p: number, n: number): number[] {
  return Array.from({ length: n }, () => (rng.nextFloat() < p ? 1 : 0));
}

export function gaussians(rng: Xoshiro128, n: number, mean = 0, std = 1): number[] {
  return Array.from({ length: n }, () => gaussian(rng, mean, std));
}

/** Standard normal upper tail Φ(−z) via the complementary error function (Abramowitz-Stegun 7.1.26 is too coarse). */
export function normalTail(z: number): number {
  // erfc by continued fraction (Lentz) for z > 0; accurate to ~1e-14 for the z used here.
  const x = z / Math.SQRT2;
  let f = x;
  let c = x;
  let d = 0;
  for (let i = 1; i < 200; i++) {
    const a = i / 2;
    d = x + a * d;
    d = 1 / d;
    c = x + a / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
  return erfc / 2;
}

/**
 * The resume contract: run the first half, serialise through JSON text, restore with the
 * registry, run the second half, and compare every result with an uninterrupted run.
 */
export function assertRoundTrip<X>(
  make: () => StreamDetector<X>,
  xs: readonly X[],
  splits: readonly number[] = [Math.floor(xs.length / 2)],
): void {
  const reference = run(make(), xs);
  for (const split of splits) {
    let det: StreamDetector<X> = make();
    const first = run(det, xs.slice(0, split));
    const text = JSON.stringify(det.toJSON());
    const state = JSON.parse(text) as DetectorState;
    det = restoreDetector(state) as unknown as StreamDetector<X>;
    assert.deepEqual(det.toJSON(), JSON.parse(text), 'restored state re-serialises identically');
    const second = run(det, xs.slice(split), split);
    assert.deepEqual([...first.drifts, ...second.drifts], reference.drifts, `drifts after split ${split}`);
    assert.deepEqual([...first.warnings, ...second.warnings], reference.warnings, `warnings after split ${split}`);
    const stats = [...first.statistics, ...second.statistics];
    for (let i = 0; i < stats.length; i++) {
      if (!Object.is(stats[i], reference.statistics[i])) {
        assert.fail(`statistic differs at ${i} after split ${split}: ${stats[i]} vs ${reference.statistics[i]}`);
      }
    }
  }
}
