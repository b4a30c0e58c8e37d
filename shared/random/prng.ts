/**
 * The project's one seeded PRNG (xoshiro128**, seeded through splitmix32): Math.random cannot be
 * seeded, yet KSWIN's subsampling must survive a toJSON/fromJSON round trip (its state is the
 * four uint32 words below, stored with the detector), permutation tests must give the same
 * p-value on a device, in a browser and on the server, and tests and the simulator need
 * reproducible streams. createRng is the same generator as a plain function.
 */

export class Xoshiro128 {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed: number) {
    this.seed(seed);
  }

  seed(seed: number): void {
    // splitmix32 spreads any integer seed (including 0) over the four state words.
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling). */
  nextInt(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    let u = this.nextUint32();
    while (u >= limit) u = this.nextUint32();
    return u % n;
  }

  getState(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  setState(s: readonly number[]): void {
    if (s.length !== 4 || s.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new Error('PRNG state must be four uint32 words');
    }
    [this.s0, this.s1, this.s2, this.s3] = s as [number, number, number, number];
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Standard normal deviate by Box-Muller (the second deviate is dropped to keep no extra state). */
export function gaussian(rng: Xoshiro128, mean = 0, std = 1): number {
  let u = rng.nextFloat();
  while (u === 0) u = rng.nextFloat();
  const v = rng.nextFloat();
  return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A generator of uniform doubles in [0, 1). */
export type Rng = () => number;

/** Xoshiro128's nextFloat as a function. Any number is accepted as a seed (it is reduced to 32 bits). */
export function createRng(seed: number): Rng {
  const x = new Xoshiro128(seed);
  return () => x.nextFloat();
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
