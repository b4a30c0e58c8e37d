/** Tabular input → float32 [rows, features] in the model's feature order, scaled as declared. */
import type { TensorData } from '../types.ts';
import { PreprocessError } from './schema.ts';
import type { TabularPreprocessing } from './schema.ts';

/** One row: values by feature name (extra keys ignored), or values already in feature order. */
export type TabularRow = Readonly<Record<string, number>> | ArrayLike<number>;

function isRow(x: unknown): x is TabularRow {
  return typeof x === 'object' && x !== null;
}

/** A single row gives [1, n]; an array of rows gives [rows, n]. */
export function tabularTensor(spec: TabularPreprocessing, input: TabularRow | readonly TabularRow[]): TensorData {
  const rows: readonly TabularRow[] =
    Array.isArray(input) && input.length > 0 && isRow(input[0])
      ? (input as readonly TabularRow[])
      : [input as TabularRow];
  const n = spec.features.length;
  const data = new Float32Array(rows.length * n);
  rows.forEach((row, r) => writeRow(spec, row, data, r * n, rows.length > 1 ? `row ${r}: ` : ''));
  return { type: 'float32', dims: [rows.length, n], data };
}

function writeRow(spec: TabularPreprocessing, row: TabularRow, out: Float32Array, offset: number, where: string): void {
  const { features, scale } = spec;
  const ordered = typeof (row as ArrayLike<number>).length === 'number';
  if (ordered && (row as ArrayLike<number>).length !== features.length) {
    throw new PreprocessError(
      `${where}expected ${features.length} values (${features.join(', ')}), got ${(row as ArrayLike<number>).length}`,
    );
  }
  for (let i = 0; i < features.length; i++) {
    const v = ordered ? (row as ArrayLike<number>)[i] : (row as Record<string, number>)[features[i]!];
    if (typeof v !== 'number') {
      throw new PreprocessError(
        `${where}feature ${JSON.stringify(features[i])} ${v === undefined ? 'is missing' : `is ${JSON.stringify(v)}, not a number`}`,
      );
    }
    out[offset + i] = !scale
      ? v
      : 'mean' in scale
        ? (v - scale.mean[i]!) / scale.std[i]!
        : (v - scale.min[i]!) / (scale.max[i]! - scale.min[i]!);
  }
}
