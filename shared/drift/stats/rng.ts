// Small seeded PRNG so permutation tests are reproducible across devices,
// browsers and the server (Math.random cannot be seeded).

/** A generator of uniform doubles in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32: 32-bit state, full 2^32 period, passes gjrand/PractRand well
 * enough for shuffling. Any finite number is accepted as a seed (it is
 * reduced to 32 bits).
 */
export function createRng(seed: number): Rng {
  let a = (Number.isFinite(seed) ? Math.trunc(seed) : 0) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** In-place Fisher–Yates shuffle. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(arr: T, rng: Rng): T {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = arr[i];
    arr[i] = arr[j];
    arr[j] = tmp;
  }
  return arr;
}
