import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../shared/onnx/build.ts';
import { nodeOrt } from '../src/lcm/runtime/ort-node.ts';
import { LcmSession } from '../src/lcm/runtime/session.ts';
import { WARM_UP_SPEC, warmUpModel } from '../src/worker/warm-up-model.ts';

describe('the runtime worker warm-up model', () => {
  it('is the project build of its spec, byte for byte', () => {
    assert.deepEqual(warmUpModel(), buildModel(WARM_UP_SPEC));
  });

  it('loads and runs in onnxruntime (identity on one float)', async () => {
    const session = await LcmSession.create(nodeOrt(), warmUpModel());
    try {
      const { outputs } = await session.timedRun({ x: { type: 'float32', dims: [1], data: new Float32Array([4.5]) } });
      assert.deepEqual(Array.from(outputs.y!.data as Float32Array), [4.5]);
    } finally {
      await session.release();
    }
  });
});
