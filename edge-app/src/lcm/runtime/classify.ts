/**
 * The classifier fields of an InferenceObservation from one output row. Runs on every inference,
 * so it reads the row in place and allocates only the result.
 */
import type { InferenceObservation, Outputs, TensorData } from '../types.ts';

export type ClassifierSummary = Required<
  Pick<InferenceObservation, 'probabilities' | 'classIndex' | 'confidence' | 'margin' | 'entropy'>
> &
  Pick<InferenceObservation, 'label'>;

export interface SummaryOptions {
  labels?: readonly string[];
  /** Row of a batch output; default 0. */
  row?: number;
  /** How far from 1 a row may sum and still count as probabilities; default 1e-3. */
  tolerance?: number;
}

const FLOAT_TYPES = new Set(['float32', 'float64']);

/**
 * Scores of one row → probabilities, top class, confidence (top-1), margin (top-1 − top-2) and
 * entropy in nats. A row that is not already a distribution (negative, above 1, or not summing to
 * 1) is taken as logits and softmaxed. A single score is a binary model: a probability of the
 * positive class when in [0, 1], else a logit through the sigmoid; it becomes [1 − p, p].
 */
export function summarizeClassifier(
  scores: TensorData | ArrayLike<number>,
  options: SummaryOptions = {},
): ClassifierSummary {
  const { data, width } = rowSource(scores);
  const row = options.row ?? 0;
  const base = row * width;
  if (width === 0 || base + width > data.length)
    throw new RangeError(`no row ${row} of ${width} scores in an output of ${data.length} values`);
  let probabilities: number[];
  if (width === 1) {
    const s = Number(data[base]);
    const p = s >= 0 && s <= 1 ? s : 1 / (1 + Math.exp(-s));
    probabilities = [1 - p, p];
  } else {
    probabilities = new Array<number>(width);
    let sum = 0,
      min = Infinity,
      max = -Infinity;
    for (let i = 0; i < width; i++) {
      const v = Number(data[base + i]);
      probabilities[i] = v;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min < 0 || max > 1 || Math.abs(sum - 1) > (options.tolerance ?? 1e-3)) softmaxInPlace(probabilities, max);
  }
  let top = 0,
    second = -1;
  let entropy = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    if (p > 0) entropy -= p * Math.log(p);
    if (i === 0) continue;
    if (p > probabilities[top]!) {
      second = top;
      top = i;
    } else if (second < 0 || p > probabilities[second]!) second = i;
  }
  const confidence = probabilities[top]!;
  const summary: ClassifierSummary = {
    probabilities,
    classIndex: top,
    confidence,
    margin: confidence - (probabilities[second] ?? 0),
    entropy,
  };
  const label = options.labels?.[top];
  if (label !== undefined) summary.label = label;
  return summary;
}

function softmaxInPlace(xs: number[], max: number): void {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    const e = Math.exp(xs[i]! - max);
    xs[i] = e;
    sum += e;
  }
  for (let i = 0; i < xs.length; i++) xs[i]! /= sum;
}

/** Rank ≥ 2: rows of the last dimension ([batch, classes]); rank 1: one row; rank 0: one binary score. */
function rowSource(scores: TensorData | ArrayLike<number>): {
  data: ArrayLike<number | bigint | string>;
  width: number;
} {
  if ('dims' in scores && 'data' in scores) {
    const dims = scores.dims;
    return { data: scores.data, width: dims.length === 0 ? 1 : dims[dims.length - 1]! };
  }
  return { data: scores, width: scores.length };
}

/**
 * The output that holds class scores: `preferred` when given, else the first float output whose
 * name suggests probabilities, else the first float output. Undefined when the model has none.
 */
export function findScoresOutput(outputs: Outputs, preferred?: string): string | undefined {
  if (preferred !== undefined) return preferred in outputs ? preferred : undefined;
  let firstFloat: string | undefined;
  for (const name in outputs) {
    if (!FLOAT_TYPES.has(outputs[name]!.type)) continue;
    if (/prob|score|softmax/i.test(name)) return name;
    firstFloat ??= name;
  }
  return firstFloat;
}
