// A model version that declares scaling (`preprocessing.scale`, as the console's upload form writes
// it): the model is fed the scaled row, while the drift detectors and the log see the row as
// measured — the scale of the reference profile, which is built from the raw training CSV.
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildTabularModel } from '../../testing/tabular-model.ts';
import { sessionBackend } from '../src/lcm/backend.ts';
import { nodeOrt } from '../src/lcm/runtime/ort-node.ts';
import { TinyLCM } from '../src/lcm/tinylcm.ts';

describe('TinyLCM with declared tabular scaling', () => {
  it('feeds the model scaled values and records the raw ones', async () => {
    const features = ['Body Mass (g)', 'Flipper Length (mm)'];
    const m = buildTabularModel({ features });
    const scale = { mean: [5, 50], std: [2, 10] };
    const lcm = await TinyLCM.open({
      backend: sessionBackend(nodeOrt()),
      db: `tinylcm-scaling-${Date.now()}`,
      models: { storage: null },
    });
    const sha256 = createHash('sha256').update(m.onnx).digest('hex');
    await lcm.models.add(m.onnx, {
      name: 'p',
      version: 1,
      sha256,
      metadata: { features, classLabels: m.classLabels, preprocessing: { kind: 'tabular', features, scale } },
    });
    await lcm.activate('p', 1);
    const row = { 'Flipper Length (mm)': 70, 'Body Mass (g)': 9 };
    const byName = await lcm.infer(row);
    assert.deepEqual(byName.observation.features, [9, 70], 'the record holds the row as measured');
    const scaled = await lcm.infer({
      features: { type: 'float32', dims: [1, 2], data: Float32Array.from([(9 - 5) / 2, (70 - 50) / 10]) },
    });
    assert.deepEqual(
      byName.outputs.probabilities!.data,
      scaled.outputs.probabilities!.data,
      'the model saw the scaled row',
    );
    assert.deepEqual(scaled.observation.features, [2, 2], 'feeds given as tensors are recorded as given');
    await lcm.close();
  });
});
