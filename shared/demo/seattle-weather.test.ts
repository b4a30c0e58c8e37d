import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { InvalidOnnxError, bytesSource, readOnnxMetadata } from '../onnx/reader.ts';
import { seattleWeatherCsvUrl } from './dataset.ts';
import {
  buildDemoModel,
  CLASS_LABELS,
  holdoutRows,
  majorityBaseline,
  parseSeattleWeather,
  predictWeather,
  rawFeatures,
  RAW_FEATURES,
  trainingRows,
  WeatherCsvError,
} from './seattle-weather.ts';

ort.env.wasm.numThreads = 1;

const csv = readFileSync(new URL(seattleWeatherCsvUrl(import.meta.resolve)), 'utf8');
const demo = buildDemoModel(csv);

test('the CSV parses into 1461 days; the split is 2012–2014 vs 2015', () => {
  const rows = parseSeattleWeather(csv);
  assert.equal(rows.length, 1461);
  assert.deepEqual(rows[1], {
    date: '2012-01-02',
    year: 2012,
    precipitation: 10.9,
    temp_max: 10.6,
    temp_min: 2.8,
    wind: 4.5,
    weather: 'rain',
  });
  const train = trainingRows(csv);
  const holdout = holdoutRows(csv);
  assert.equal(train.length, 1096);
  assert.equal(holdout.length, 365);
  assert.ok(train.every((r) => r.year >= 2012 && r.year <= 2014) && holdout.every((r) => r.year === 2015));
  assert.equal(demo.metadata.training.rows, 1096);
  assert.equal(demo.metadata.training.holdout.rows, 365);
});

test('bad CSV is refused with the line', () => {
  assert.throws(() => parseSeattleWeather('a,b\n1,2\n'), WeatherCsvError);
  const header = 'date,precipitation,temp_max,temp_min,wind,weather\n';
  assert.throws(() => parseSeattleWeather(`${header}2012-01-01,x,1,1,1,rain\n`), /line 2: "x" is not a number/);
  assert.throws(() => parseSeattleWeather(`${header}2012-01-01,0,1,1,1,hail\n`), /line 2: unknown weather "hail"/);
  assert.throws(() => parseSeattleWeather(`${header}2012-01-01,0,1,1\n`), /line 2: expected 6 columns/);
  assert.deepEqual(
    parseSeattleWeather(`${header}2012-01-01,0,1,-1,2,sun\r\n`).map((r) => r.temp_min),
    [-1],
  );
});

test('training is deterministic: the same bytes and metadata every time', () => {
  const again = buildDemoModel(csv);
  assert.deepEqual(again.onnx, demo.onnx);
  assert.deepEqual(again.metadata, demo.metadata);
});

test('the ONNX file describes itself: input, outputs, opset, labels', async () => {
  const m = await readOnnxMetadata(bytesSource(demo.onnx));
  assert.equal(m.opset, 17);
  assert.equal(m.irVersion, 8);
  assert.equal(m.producerName, 'tinylcm-demo');
  assert.deepEqual(m.inputs, [{ name: 'features', type: 'float32', shape: ['batch', 4] }]);
  assert.deepEqual(m.outputs, [
    { name: 'probabilities', type: 'float32', shape: ['batch', 5] },
    { name: 'label', type: 'int64', shape: ['batch'] },
  ]);
  assert.deepEqual(JSON.parse(m.metadataProps.class_labels!), [...CLASS_LABELS]);
  assert.deepEqual(JSON.parse(m.metadataProps.feature_names!), [...RAW_FEATURES]);
  assert.deepEqual(
    demo.metadata.inputSchema,
    RAW_FEATURES.map((name) => ({ name, kind: 'numeric' })),
  );
});

test('the metadata summarises the raw training rows', () => {
  const train = trainingRows(csv);
  for (const f of RAW_FEATURES) {
    const v = train.map((r) => r[f]);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const s = demo.metadata.preprocessing.rawSummary[f]!;
    assert.ok(Math.abs(s.mean - mean) < 1e-9, f);
    assert.ok(Math.abs(s.std - Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length)) < 1e-9, f);
    assert.equal(s.min, Math.min(...v));
    assert.equal(s.max, Math.max(...v));
  }
});

test('onnxruntime-web predicts the 2015 hold-out exactly as the TypeScript model does, and beats the majority class', async () => {
  const holdout = holdoutRows(csv);
  const session = await ort.InferenceSession.create(demo.onnx);
  const x = Float32Array.from(holdout.flatMap(rawFeatures));
  const out = await session.run({ features: new ort.Tensor('float32', x, [holdout.length, 4]) });
  const labels = out.label!.data as BigInt64Array;
  const probs = out.probabilities!.data as Float32Array;
  assert.deepEqual(out.probabilities!.dims, [365, 5]);
  let right = 0;
  holdout.forEach((row, i) => {
    const ts = predictWeather(demo.model, rawFeatures(row));
    assert.equal(Number(labels[i]), ts.index, `row ${row.date}`);
    ts.probabilities.forEach((p, k) => assert.ok(Math.abs(probs[i * 5 + k]! - p) < 1e-5, `row ${row.date} class ${k}`));
    if (CLASS_LABELS[Number(labels[i])] === row.weather) right++;
  });
  const accuracy = right / holdout.length;
  const baseline = majorityBaseline(holdout);
  assert.equal(accuracy, demo.metadata.training.accuracy);
  assert.deepEqual(baseline, demo.metadata.training.majorityBaseline);
  assert.ok(
    accuracy > baseline.accuracy + 0.2,
    `hold-out accuracy ${accuracy} vs majority (${baseline.label}) ${baseline.accuracy}`,
  );
  // One row at a time works too: the batch dimension is symbolic.
  const one = await session.run({ features: new ort.Tensor('float32', x.subarray(0, 4), [1, 4]) });
  assert.equal(Number((one.label!.data as BigInt64Array)[0]), Number(labels[0]));
  await session.release();
});

test('onnxruntime-web and TypeScript agree on every training row as well', async () => {
  const train = trainingRows(csv);
  const session = await ort.InferenceSession.create(demo.onnx);
  const out = await session.run({
    features: new ort.Tensor('float32', Float32Array.from(train.flatMap(rawFeatures)), [train.length, 4]),
  });
  const labels = out.label!.data as BigInt64Array;
  const differ = train.filter((row, i) => Number(labels[i]) !== predictWeather(demo.model, rawFeatures(row)).index);
  assert.deepEqual(differ, []);
  const right = train.filter((row, i) => CLASS_LABELS[Number(labels[i])] === row.weather).length;
  assert.equal(right / train.length, demo.metadata.training.trainAccuracy);
  await session.release();
});

test('every truncation of the demo model is refused or leaves a valid model', async () => {
  const full = await readOnnxMetadata(bytesSource(demo.onnx));
  for (let n = 0; n < demo.onnx.length; n++) {
    try {
      const m = await readOnnxMetadata(bytesSource(demo.onnx.subarray(0, n)));
      // Only a cut between trailing metadata entries can leave a valid model.
      assert.deepEqual({ ...m, metadataProps: {} }, { ...full, metadataProps: {} }, `cut at ${n}`);
      assert.ok(Object.keys(m.metadataProps).length < Object.keys(full.metadataProps).length, `cut at ${n}`);
    } catch (e) {
      assert.ok(e instanceof InvalidOnnxError, `cut at ${n}: ${String(e)}`);
    }
  }
});

test('the graph’s own preprocessing handles inputs outside the training range', async () => {
  const session = await ort.InferenceSession.create(demo.onnx);
  const odd = [
    [-3, 10, 5, 2],
    [300, 40, 30, 20],
    [0, -20, -25, 0],
  ];
  const out = await session.run({ features: new ort.Tensor('float32', Float32Array.from(odd.flat()), [3, 4]) });
  const labels = out.label!.data as BigInt64Array;
  odd.forEach((raw, i) => assert.equal(Number(labels[i]), predictWeather(demo.model, raw).index, JSON.stringify(raw)));
  const probs = out.probabilities!.data as Float32Array;
  assert.ok(probs.every((p) => Number.isFinite(p) && p >= 0 && p <= 1));
  await session.release();
});
