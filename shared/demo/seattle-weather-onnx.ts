// The weather model as an ONNX graph (opset 17, IR 8), preprocessing included,
// so a device feeds the four raw measurements and nothing else:
//
//   features [batch,4] ─┬─ Gather(col 0) → Relu → +1 → Log ─────────┐
//                       ├─ Gather(col 0) → Greater 0 → Cast float ──┤
//                       └───────────────────────────────────────────┴─ Concat [batch,6]
//   → Sub mean → Div std → Gemm(W, b) = logits ─┬─ Softmax → probabilities [batch,5]
//                                              └─ ArgMax  → label int64 [batch]
//
// ArgMax reads the logits, not the probabilities: the same class, without
// rounding in float32 softmax making near-ties tip differently from TypeScript.

import { SEATTLE_WEATHER_FILE } from './dataset.ts';
import { buildModel, floatTensor, int64Tensor, node } from '../onnx/build.ts';
import type { WeatherModel } from './seattle-weather.ts';

export const ONNX_INPUT = { name: 'features', type: 'float32', shape: ['batch', 4] } as const;
export const ONNX_OUTPUTS = [
  { name: 'probabilities', type: 'float32', shape: ['batch', 5] },
  { name: 'label', type: 'int64', shape: ['batch'] },
] as const;

const FLOAT = 1; // TensorProto.DataType, for Cast's `to`

export function exportOnnx(model: WeatherModel): Uint8Array {
  const k = model.classLabels.length;
  const d = model.modelFeatures.length;
  if (model.features.length !== 4 || d !== 6 || k !== 5)
    throw new Error('exportOnnx: expects 4 raw features, 6 model features, 5 classes');
  return buildModel({
    inputs: [{ ...ONNX_INPUT, shape: [...ONNX_INPUT.shape] }],
    outputs: ONNX_OUTPUTS.map((o) => ({ ...o, shape: [...o.shape] })),
    nodes: [
      node('Gather', ['features', 'precip_column'], ['precip'], { axis: { int: 1 } }),
      node('Relu', ['precip'], ['precip_pos']),
      node('Add', ['precip_pos', 'one'], ['precip_plus_one']),
      node('Log', ['precip_plus_one'], ['log1p_precipitation']),
      node('Greater', ['precip', 'zero'], ['is_wet']),
      node('Cast', ['is_wet'], ['wet'], { to: { int: FLOAT } }),
      node('Concat', ['features', 'log1p_precipitation', 'wet'], ['engineered'], { axis: { int: 1 } }),
      node('Sub', ['engineered', 'mean'], ['centred']),
      node('Div', ['centred', 'std'], ['standardized']),
      node('Gemm', ['standardized', 'weights', 'bias'], ['logits'], { transB: { int: 1 } }),
      node('Softmax', ['logits'], ['probabilities'], { axis: { int: 1 } }),
      node('ArgMax', ['logits'], ['label'], { axis: { int: 1 }, keepdims: { int: 0 } }),
    ],
    initializers: [
      int64Tensor('precip_column', [1], [0]),
      floatTensor('one', [], [1]),
      floatTensor('zero', [], [0]),
      floatTensor('mean', [d], model.standardizer.mean),
      floatTensor('std', [d], model.standardizer.std),
      floatTensor('weights', [k, d], model.weights.flat()),
      floatTensor('bias', [k], model.bias),
    ],
    opset: 17,
    irVersion: 8,
    producer: { name: 'tinylcm-demo', version: '1' },
    domain: 'org.tinylcm.demo',
    modelVersion: 1,
    graphName: 'seattle_weather',
    docString:
      'Seattle weather classifier (drizzle, fog, rain, snow, sun) from precipitation (mm), temp_max and temp_min (°C) and wind speed. ' +
      'Trained by TinyLCM on vega-datasets seattle-weather.csv 2012–2014 (NOAA, U.S. Government work, public domain); 2015 held out.',
    metadataProps: {
      class_labels: JSON.stringify(model.classLabels),
      feature_names: JSON.stringify(model.features),
      model_features: JSON.stringify(model.modelFeatures),
      dataset: SEATTLE_WEATHER_FILE,
      license: 'Data: NOAA NCDC, U.S. Government work (public domain)',
    },
  });
}
