// Multinomial logistic regression (softmax regression) with L2, trained by
// full-batch Nesterov-accelerated gradient descent for a fixed number of steps.
// Deterministic by construction: zero start, no randomness, fixed iteration
// count, every sum taken in row then column order, and exp/log from detmath.

import { detExp, detLog } from './detmath.ts';

export interface SoftmaxRegressionOptions {
  iterations: number;
  learningRate: number;
  /** L2 penalty on the weights (not the biases), scaled like the mean loss: l2/2 · Σw². */
  l2: number;
}

export interface LinearSoftmax {
  /** classes × features */
  weights: number[][];
  bias: number[];
}

export interface TrainedSoftmax extends LinearSoftmax {
  /** Final mean cross-entropy plus penalty. */
  loss: number;
}

export interface Standardizer {
  mean: number[];
  /** Population standard deviation; 1 where a column is constant, so dividing is harmless. */
  std: number[];
}

export function fitStandardizer(rows: readonly (readonly number[])[]): Standardizer {
  const d = rows[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j]! += r[j]!;
  for (let j = 0; j < d; j++) mean[j] = mean[j]! / rows.length;
  for (const r of rows) for (let j = 0; j < d; j++) std[j]! += (r[j]! - mean[j]!) ** 2;
  // Math.sqrt is IEEE's correctly rounded square root on every engine, unlike exp/log.
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]! / rows.length) || 1;
  return { mean, std };
}

export function standardize(s: Standardizer, row: readonly number[]): number[] {
  return row.map((v, j) => (v - s.mean[j]!) / s.std[j]!);
}

export function logitsOf(m: LinearSoftmax, z: readonly number[]): number[] {
  return m.weights.map((w, k) => {
    let s = m.bias[k]!;
    for (let j = 0; j < w.length; j++) s += w[j]! * z[j]!;
    return s;
  });
}

export function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const e = logits.map((l) => detExp(l - max));
  let sum = 0;
  for (const v of e) sum += v;
  return e.map((v) => v / sum);
}

/** Index of the largest value; the first one on ties, as ONNX ArgMax does. */
export function argmax(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

/**
 * Mean loss and its gradient at θ (flat: class k's weights then its bias,
 * k = 0…K−1), for rows `z` flattened row-major with d columns. Writes `grad`,
 * returns the loss.
 */
function lossAndGradient(
  theta: Float64Array,
  z: Float64Array,
  d: number,
  y: readonly number[],
  K: number,
  l2: number,
  grad: Float64Array,
): number {
  const stride = d + 1;
  const n = y.length;
  const logits = new Float64Array(K);
  const e = new Float64Array(K);
  grad.fill(0);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    let max = -Infinity;
    for (let k = 0; k < K; k++) {
      let s = theta[k * stride + d]!;
      for (let j = 0; j < d; j++) s += theta[k * stride + j]! * z[row + j]!;
      logits[k] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let k = 0; k < K; k++) {
      e[k] = detExp(logits[k]! - max);
      sum += e[k]!;
    }
    loss += detLog(sum) + max - logits[y[i]!]!;
    for (let k = 0; k < K; k++) {
      const g = e[k]! / sum - (y[i] === k ? 1 : 0);
      for (let j = 0; j < d; j++) grad[k * stride + j]! += g * z[row + j]!;
      grad[k * stride + d]! += g;
    }
  }
  let penalty = 0;
  for (let k = 0; k < K; k++) {
    for (let j = 0; j <= d; j++) {
      const idx = k * stride + j;
      grad[idx] = grad[idx]! / n;
      if (j < d) {
        grad[idx]! += l2 * theta[idx]!;
        penalty += theta[idx]! * theta[idx]!;
      }
    }
  }
  return loss / n + (l2 / 2) * penalty;
}

/** Trains on standardised rows `z` with class indices `y` in [0, classes). */
export function trainSoftmaxRegression(
  z: readonly (readonly number[])[],
  y: readonly number[],
  classes: number,
  opts: SoftmaxRegressionOptions,
): TrainedSoftmax {
  if (z.length === 0 || z.length !== y.length) throw new Error('need as many labels as rows, and at least one row');
  const d = z[0]!.length;
  const flat = Float64Array.from(z.flat());
  if (flat.length !== z.length * d) throw new Error('every row needs the same number of features');
  if (y.some((c) => !Number.isInteger(c) || c < 0 || c >= classes))
    throw new Error(`labels must be class indices in [0, ${classes})`);
  const n = classes * (d + 1);
  let x = new Float64Array(n); // current iterate
  let xPrev = new Float64Array(n);
  const look = new Float64Array(n); // Nesterov look-ahead point
  const grad = new Float64Array(n);
  for (let t = 1; t <= opts.iterations; t++) {
    const beta = (t - 1) / (t + 2);
    for (let i = 0; i < n; i++) look[i] = x[i]! + beta * (x[i]! - xPrev[i]!);
    lossAndGradient(look, flat, d, y, classes, opts.l2, grad);
    [xPrev, x] = [x, xPrev];
    for (let i = 0; i < n; i++) x[i] = look[i]! - opts.learningRate * grad[i]!;
  }
  const loss = lossAndGradient(x, flat, d, y, classes, opts.l2, grad);
  const weights: number[][] = [];
  const bias: number[] = [];
  for (let k = 0; k < classes; k++) {
    weights.push(Array.from(x.subarray(k * (d + 1), k * (d + 1) + d)));
    bias.push(x[k * (d + 1) + d]!);
  }
  return { weights, bias, loss };
}
