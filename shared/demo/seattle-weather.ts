// The demo model: a weather classifier trained by this project's own code on
// vega-datasets' data/seattle-weather.csv — daily NOAA observations for
// Seattle 2012–2015 (NOAA National Climatic Data Center; a U.S. Government
// work, public domain: https://www.usa.gov/government-works). The "weather"
// label was synthesised by vega-datasets from several NOAA fields.
//
// Split: train on every row of 2012–2014, hold out every row of 2015. A split
// by time, not at random, is what a deployed model meets (next year's data) and
// needs no random seed.
//
// Pure functions: the CSV text is passed in, so this runs in browsers and Node.

import { CsvError, parseCsv, type CsvTable } from '../csv/reader.ts';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUTS } from './seattle-weather-onnx.ts';
import { detLog, detLog1p } from './detmath.ts';
import {
  argmax,
  fitStandardizer,
  logitsOf,
  softmax,
  standardize,
  trainSoftmaxRegression,
} from './softmax-regression.ts';
import type { SoftmaxRegressionOptions, Standardizer } from './softmax-regression.ts';

export { exportOnnx } from './seattle-weather-onnx.ts';

export const RAW_FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'] as const;
/** What the graph derives from the raw four before standardising; see engineer(). */
export const MODEL_FEATURES = [...RAW_FEATURES, 'log1p_precipitation', 'wet'] as const;
export const CLASS_LABELS = ['drizzle', 'fog', 'rain', 'snow', 'sun'] as const;
export const TRAIN_YEARS = [2012, 2013, 2014] as const;
export const HOLDOUT_YEARS = [2015] as const;
export const TRAINING: SoftmaxRegressionOptions = { iterations: 300, learningRate: 1, l2: 1e-3 };
export const DATASET =
  'vega-datasets data/seattle-weather.csv (NOAA NCDC daily observations, Seattle; U.S. Government work, public domain)';

export interface WeatherRow {
  date: string;
  year: number;
  precipitation: number;
  temp_max: number;
  temp_min: number;
  wind: number;
  weather: string;
}

export class WeatherCsvError extends Error {
  override name = 'WeatherCsvError';
}

const HEADER = 'date,precipitation,temp_max,temp_min,wind,weather';
const NUMBER = /^-?\d+(\.\d+)?$/;

export function parseSeattleWeather(csvText: string): WeatherRow[] {
  let table: CsvTable;
  try {
    table = parseCsv(csvText, { ragged: true });
  } catch (err) {
    if (err instanceof CsvError) throw new WeatherCsvError(err.message);
    throw err;
  }
  const header = table.header.join(',');
  if (header.trim() !== HEADER)
    throw new WeatherCsvError(`expected the header ${HEADER}, got ${JSON.stringify(header)}`);
  const rows: WeatherRow[] = [];
  table.rows.forEach((cells, i) => {
    const where = `line ${table.lines[i]}`;
    if (cells.length !== 6) throw new WeatherCsvError(`${where}: expected 6 columns, got ${cells.length}`);
    const [date = '', p = '', tmax = '', tmin = '', wind = '', weather = ''] = cells.map((c) => c.trim());
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new WeatherCsvError(`${where}: bad date ${JSON.stringify(date)}`);
    for (const v of [p, tmax, tmin, wind])
      if (!NUMBER.test(v)) throw new WeatherCsvError(`${where}: ${JSON.stringify(v)} is not a number`);
    if (!(CLASS_LABELS as readonly string[]).includes(weather))
      throw new WeatherCsvError(`${where}: unknown weather ${JSON.stringify(weather)}`);
    rows.push({
      date,
      year: Number(date.slice(0, 4)),
      precipitation: Number(p),
      temp_max: Number(tmax),
      temp_min: Number(tmin),
      wind: Number(wind),
      weather,
    });
  });
  return rows;
}

export function splitByYear(rows: readonly WeatherRow[]): { train: WeatherRow[]; holdout: WeatherRow[] } {
  const inYears = (years: readonly number[]) => rows.filter((r) => years.includes(r.year));
  return { train: inYears(TRAIN_YEARS), holdout: inYears(HOLDOUT_YEARS) };
}

/** The reference rows the model was trained on (2012–2014), for building its reference profile. */
export function trainingRows(csvText: string): WeatherRow[] {
  return splitByYear(parseSeattleWeather(csvText)).train;
}

/** The 2015 rows the model never saw. */
export function holdoutRows(csvText: string): WeatherRow[] {
  return splitByYear(parseSeattleWeather(csvText)).holdout;
}

/** The model's input vector, in RAW_FEATURES order. */
export function rawFeatures(row: Pick<WeatherRow, (typeof RAW_FEATURES)[number]>): number[] {
  return RAW_FEATURES.map((f) => row[f]);
}

/**
 * Raw four → MODEL_FEATURES. log1p(precipitation) spreads out the drizzle-sized
 * amounts a linear model otherwise cannot tell from zero, and `wet` (any
 * precipitation) is the single strongest rain/sun cue; the ONNX graph computes both.
 */
export function engineer(raw: readonly number[]): number[] {
  const p = raw[0]!;
  return [...raw, detLog1p(Math.max(p, 0)), p > 0 ? 1 : 0];
}

export interface WeatherModel {
  classLabels: string[];
  features: string[];
  modelFeatures: string[];
  /** Rounded to float32, as the graph's initializers hold them. */
  standardizer: Standardizer;
  weights: number[][];
  bias: number[];
}

const f32 = Math.fround;

export function trainWeatherModel(
  train: readonly WeatherRow[],
  options: SoftmaxRegressionOptions = TRAINING,
): WeatherModel & { loss: number } {
  const x = train.map((r) => engineer(rawFeatures(r)));
  const s = fitStandardizer(x);
  const y = train.map((r) => (CLASS_LABELS as readonly string[]).indexOf(r.weather));
  const fit = trainSoftmaxRegression(
    x.map((row) => standardize(s, row)),
    y,
    CLASS_LABELS.length,
    options,
  );
  return {
    classLabels: [...CLASS_LABELS],
    features: [...RAW_FEATURES],
    modelFeatures: [...MODEL_FEATURES],
    standardizer: { mean: s.mean.map(f32), std: s.std.map(f32) },
    weights: fit.weights.map((w) => w.map(f32)),
    bias: fit.bias.map(f32),
    loss: fit.loss,
  };
}

export interface WeatherPrediction {
  index: number;
  label: string;
  probabilities: number[];
}

/**
 * The model's prediction for raw inputs, following the graph step by step in
 * float32 (inputs, log, standardisation), so it agrees with onnxruntime.
 */
export function predictWeather(model: WeatherModel, raw: readonly number[]): WeatherPrediction {
  const x = raw.map(f32);
  const p = x[0]!;
  const log1p = f32(detLog(f32(Math.max(p, 0) + 1)));
  const engineered = [...x, log1p, p > 0 ? 1 : 0];
  const z = engineered.map((v, j) => f32(f32(v - model.standardizer.mean[j]!) / model.standardizer.std[j]!));
  const logits = logitsOf(model, z);
  const index = argmax(logits);
  return { index, label: model.classLabels[index]!, probabilities: softmax(logits) };
}

export function accuracy(model: WeatherModel, rows: readonly WeatherRow[]): number {
  let right = 0;
  for (const r of rows) if (predictWeather(model, rawFeatures(r)).label === r.weather) right++;
  return right / rows.length;
}

/** Most frequent label (first in CLASS_LABELS order on ties) and how often it is right. */
export function majorityBaseline(rows: readonly WeatherRow[]): { label: string; accuracy: number } {
  const counts = CLASS_LABELS.map((c) => rows.filter((r) => r.weather === c).length);
  const i = argmax(counts);
  return { label: CLASS_LABELS[i]!, accuracy: counts[i]! / rows.length };
}

export interface FeatureSummary {
  mean: number;
  /** Population standard deviation. */
  std: number;
  min: number;
  max: number;
}

export function summarize(rows: readonly WeatherRow[]): Record<string, FeatureSummary> {
  const out: Record<string, FeatureSummary> = {};
  const s = fitStandardizer(rows.map(rawFeatures));
  RAW_FEATURES.forEach((f, j) => {
    const v = rows.map((r) => r[f]);
    out[f] = { mean: s.mean[j]!, std: s.std[j]!, min: Math.min(...v), max: Math.max(...v) };
  });
  return out;
}

export interface DemoModelMetadata {
  name: string;
  classLabels: string[];
  features: string[];
  inputSchema: { name: string; kind: 'numeric' }[];
  onnx: { input: typeof ONNX_INPUT; outputs: typeof ONNX_OUTPUTS };
  preprocessing: {
    /** Done inside the graph; the caller feeds the raw four as float32 [batch, 4]. */
    inGraph: true;
    engineered: { name: string; formula: string }[];
    standardize: { features: string[]; mean: number[]; std: number[] };
    /** The raw training rows' moments and range, per raw feature. */
    rawSummary: Record<string, FeatureSummary>;
  };
  training: {
    dataset: string;
    algorithm: string;
    options: SoftmaxRegressionOptions;
    loss: number;
    rows: number;
    years: number[];
    holdout: { years: number[]; rows: number };
    /** Hold-out (2015) accuracy. */
    accuracy: number;
    trainAccuracy: number;
    /** Predicting the hold-out rows' own most frequent class for every row. */
    majorityBaseline: { label: string; accuracy: number };
  };
}

export function buildDemoModel(csvText: string): {
  onnx: Uint8Array;
  model: WeatherModel;
  metadata: DemoModelMetadata;
} {
  const { train, holdout } = splitByYear(parseSeattleWeather(csvText));
  const { loss, ...model } = trainWeatherModel(train);
  const metadata: DemoModelMetadata = {
    name: 'seattle-weather',
    classLabels: model.classLabels,
    features: model.features,
    inputSchema: model.features.map((name) => ({ name, kind: 'numeric' as const })),
    onnx: { input: ONNX_INPUT, outputs: ONNX_OUTPUTS },
    preprocessing: {
      inGraph: true,
      engineered: [
        { name: 'log1p_precipitation', formula: 'ln(1 + max(precipitation, 0))' },
        { name: 'wet', formula: 'precipitation > 0 ? 1 : 0' },
      ],
      standardize: { features: model.modelFeatures, mean: model.standardizer.mean, std: model.standardizer.std },
      rawSummary: summarize(train),
    },
    training: {
      dataset: DATASET,
      algorithm: 'multinomial logistic regression on standardised features, L2, full-batch Nesterov gradient descent',
      options: TRAINING,
      loss,
      rows: train.length,
      years: [...TRAIN_YEARS],
      holdout: { years: [...HOLDOUT_YEARS], rows: holdout.length },
      accuracy: accuracy(model, holdout),
      trainAccuracy: accuracy(model, train),
      majorityBaseline: majorityBaseline(holdout),
    },
  };
  return { onnx: exportOnnx(model), model, metadata };
}
