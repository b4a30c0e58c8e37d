// Maximum mean discrepancy with an RBF kernel and a permutation p-value.
// Not a SciPy function; used for multivariate (embedding / feature-vector)
// drift. Cost is O(N^2) memory and O(permutations * N^2) time for the pooled
// size N, so callers should subsample to a few thousand points.

import { createRng, shuffleInPlace } from '../../random/prng.ts';
import { quantile } from './quantile.ts';

export interface MmdOptions {
  /** RBF parameter in k(x, y) = exp(-gamma ||x - y||^2). Default: median heuristic. */
  gamma?: number;
  /** Number of label permutations for the p-value (default 200; 0 → pValue 1). */
  permutations?: number;
  /** PRNG seed (default 0). The same seed and inputs give the same p-value. */
  seed?: number;
}

export interface MmdResult {
  /** Biased (V-statistic) estimate of MMD^2: mean Kxx + mean Kyy - 2 mean Kxy; always >= 0. */
  statistic: number;
  /** (1 + #{permuted statistic >= observed}) / (1 + permutations). */
  pValue: number;
  /** The gamma actually used. */
  gamma: number;
}

function sqDist(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s;
}

/**
 * Median heuristic: gamma = 1 / (2 * median^2), the median taken over the
 * Euclidean distances of all distinct pairs of the pooled sample. If that
 * median is 0 (mostly duplicate points) gamma = 1.
 */
function medianGamma(pooledSq: Float64Array, N: number): number {
  const m = (N * (N - 1)) / 2;
  if (m === 0) return 1;
  const d = new Float64Array(m);
  let k = 0;
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) d[k++] = Math.sqrt(pooledSq[i * N + j]!);
  d.sort();
  const med = quantile(d, 0.5);
  return med > 0 ? 1 / (2 * med * med) : 1;
}

/** MMD^2 for the split given by `isX` (true → sample x), from the pooled kernel matrix. */
function mmdFromKernel(K: Float64Array, N: number, isX: Uint8Array, nx: number, ny: number, total: number): number {
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < N; i++) {
    const xi = isX[i]!;
    let rx = 0;
    let ry = 0;
    const row = i * N;
    for (let j = 0; j < N; j++) {
      if (isX[j]) rx += K[row + j]!;
      else ry += K[row + j]!;
    }
    if (xi) sxx += rx;
    else syy += ry;
  }
  const sxy = (total - sxx - syy) / 2;
  return Math.max(0, sxx / (nx * nx) + syy / (ny * ny) - (2 * sxy) / (nx * ny));
}

/**
 * Squared MMD between samples x and y (rows are points, all of one
 * dimension) with a permutation test. Empty samples give NaN statistic and
 * pValue 1.
 */
export function mmdRbf(x: number[][], y: number[][], opts: MmdOptions = {}): MmdResult {
  const nx = x.length;
  const ny = y.length;
  const N = nx + ny;
  const pooled = [...x, ...y];
  const dim = pooled[0]?.length ?? 0;
  if (pooled.some((p) => p.length !== dim)) throw new RangeError('all points must have the same dimension');
  const sq = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = i + 1; j < N; j++) {
      const d = sqDist(pooled[i]!, pooled[j]!);
      sq[i * N + j] = d;
      sq[j * N + i] = d;
    }
  }
  const gamma = opts.gamma ?? medianGamma(sq, N);
  if (nx === 0 || ny === 0) return { statistic: Number.NaN, pValue: 1, gamma };
  if (!(gamma > 0) || !Number.isFinite(gamma)) throw new RangeError('gamma must be a positive finite number');
  const K = new Float64Array(N * N);
  let total = 0;
  for (let i = 0; i < N * N; i++) {
    const v = Math.exp(-gamma * sq[i]!);
    K[i] = v;
    total += v;
  }
  const labels = new Uint8Array(N);
  labels.fill(1, 0, nx);
  const observed = mmdFromKernel(K, N, labels, nx, ny, total);
  const permutations = Math.max(0, Math.floor(opts.permutations ?? 200));
  const rng = createRng(opts.seed ?? 0);
  let atLeast = 0;
  // Relative slack so permutations that reproduce the observed split up to
  // summation-order rounding count as ">= observed".
  const threshold = observed - 1e-12 * Math.max(1, Math.abs(observed));
  for (let p = 0; p < permutations; p++) {
    shuffleInPlace(labels, rng);
    if (mmdFromKernel(K, N, labels, nx, ny, total) >= threshold) atLeast++;
  }
  return { statistic: observed, pValue: (1 + atLeast) / (1 + permutations), gamma };
}
