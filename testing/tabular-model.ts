/**
 * A second tabular model for tests — not the demo: a seeded synthetic dataset (one Gaussian blob
 * per class, features on their own scales), a softmax regression trained on it with the demo's
 * trainer, exported with the project's ONNX builder. Feature names are the caller's, so tests can
 * use names with spaces and parentheses (`Body Mass (g)`) as real training CSVs have.
 *
 *   features [batch, d] → Sub mean → Div std → Gemm(W, b) = logits ─┬─ Softmax → probabilities [batch, k]
 *                                                                  └─ ArgMax  → label int64 [batch]
 *
 * The graph standardises its own input, so the registry metadata declares only `features` (and
 * `classLabels`): devices feed raw values, and the records they log hold the raw values too.
 */
import { toCsv } from '../shared/csv/writer.ts';
import { buildModel, floatTensor, node } from '../shared/onnx/build.ts';
import { gaussian, Xoshiro128 } from '../shared/random/prng.ts';
import { fitStandardizer, standardize, trainSoftmaxRegression } from '../shared/demo/softmax-regression.ts';

export interface TabularModelOptions {
  /** Feature names in the model's input order (any text). */
  features: readonly string[];
  /** Default: ['a', 'b', 'c']. */
  classLabels?: readonly string[];
  /** Training rows (default 600). */
  rows?: number;
  /** Seeds the class centres and the training rows (default 7). */
  seed?: number;
}

export interface Sample {
  /** Rows of raw feature values, in feature order. */
  rows: number[][];
  /** Each row's true class label. */
  labels: string[];
}

export interface TabularModel {
  onnx: Uint8Array;
  features: string[];
  classLabels: string[];
  /** The registry metadata to upload with the ONNX file. */
  metadata: { features: string[]; classLabels: string[] };
  /** The training rows. */
  train: Sample;
  /** Training accuracy: the model learnt something. */
  accuracy: number;
  /**
   * Fresh rows from the same distribution (its own seed); `shift` adds, per feature name, that many
   * of the feature's standard deviations to every row — the drift a test injects.
   */
  sample(n: number, seed: number, shift?: Readonly<Record<string, number>>): Sample;
  /** CSV text: a header of the feature names (quoted where needed), then the rows; with `labelColumn`, the labels as a last column. */
  csv(sample: Sample, labelColumn?: string): string;
}

/** Per class and feature: centre and spread, on per-feature scales from ~1 to ~1000. */
function centres(rng: Xoshiro128, d: number, k: number): { mean: number[][]; std: number[] } {
  const scale = Array.from({ length: d }, (_, j) => 10 ** (j % 4));
  const std = scale.map((s) => s * (0.5 + rng.nextFloat()));
  const mean = Array.from({ length: k }, () => scale.map((s) => s * (5 + 4 * rng.nextFloat())));
  return { mean, std };
}

export function buildTabularModel(opts: TabularModelOptions): TabularModel {
  const features = [...opts.features];
  const classLabels = [...(opts.classLabels ?? ['a', 'b', 'c'])];
  const d = features.length;
  const k = classLabels.length;
  if (d < 1 || k < 2) throw new Error('buildTabularModel: needs at least one feature and two classes');
  const { mean, std } = centres(new Xoshiro128(opts.seed ?? 7), d, k);
  const draw = (n: number, seed: number, shift: Readonly<Record<string, number>> = {}): Sample => {
    const rng = new Xoshiro128(seed);
    const rows: number[][] = [];
    const labels: string[] = [];
    for (let i = 0; i < n; i++) {
      const c = i % k;
      rows.push(features.map((f, j) => round(gaussian(rng, mean[c]![j]!, std[j]!) + (shift[f] ?? 0) * std[j]!)));
      labels.push(classLabels[c]!);
    }
    return { rows, labels };
  };
  const train = draw(opts.rows ?? 600, (opts.seed ?? 7) * 31 + 1);
  const standardizer = fitStandardizer(train.rows);
  const z = train.rows.map((r) => standardize(standardizer, r));
  const y = train.labels.map((l) => classLabels.indexOf(l));
  const fit = trainSoftmaxRegression(z, y, k, { iterations: 200, learningRate: 1, l2: 1e-3 });
  let correct = 0;
  z.forEach((row, i) => {
    const logits = fit.weights.map((w, c) => w.reduce((s, wj, j) => s + wj * row[j]!, fit.bias[c]!));
    if (logits.indexOf(Math.max(...logits)) === y[i]) correct++;
  });
  const onnx = buildModel({
    inputs: [{ name: 'features', type: 'float32', shape: ['batch', d] }],
    outputs: [
      { name: 'probabilities', type: 'float32', shape: ['batch', k] },
      { name: 'label', type: 'int64', shape: ['batch'] },
    ],
    nodes: [
      node('Sub', ['features', 'mean'], ['centred']),
      node('Div', ['centred', 'std'], ['standardized']),
      node('Gemm', ['standardized', 'weights', 'bias'], ['logits'], { transB: { int: 1 } }),
      node('Softmax', ['logits'], ['probabilities'], { axis: { int: 1 } }),
      node('ArgMax', ['logits'], ['label'], { axis: { int: 1 }, keepdims: { int: 0 } }),
    ],
    initializers: [
      floatTensor('mean', [d], standardizer.mean),
      floatTensor('std', [d], standardizer.std),
      floatTensor('weights', [k, d], fit.weights.flat()),
      floatTensor('bias', [k], fit.bias),
    ],
    producer: { name: 'tinylcm-testing', version: '1' },
    graphName: 'tabular_softmax',
    metadataProps: { class_labels: JSON.stringify(classLabels), feature_names: JSON.stringify(features) },
  });
  return {
    onnx,
    features,
    classLabels,
    metadata: { features, classLabels },
    train,
    accuracy: correct / train.rows.length,
    sample: draw,
    csv: (sample, labelColumn) => {
      const header = labelColumn === undefined ? features : [...features, labelColumn];
      const rows = sample.rows.map((r, i) => (labelColumn === undefined ? r : [...r, sample.labels[i]]));
      return toCsv([header, ...rows], '\n');
    },
  };
}

/** Four decimals keep the CSVs short; a device logs a value's float32 rounding (Math.fround). */
const round = (x: number) => Math.round(x * 1e4) / 1e4;
