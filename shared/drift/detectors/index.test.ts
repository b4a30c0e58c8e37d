import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DETECTOR_DEFAULTS,
  DETECTOR_NAMES,
  DETECTOR_PARAM_DOCS,
  createDetector,
  parseDetectorParams,
  restoreDetector,
  type DetectorName,
  type DetectorState,
} from './index.ts';
import { Xoshiro128, gaussian } from './test-helpers.ts';

// prediction-distribution cannot guess the number of classes.
const required: Partial<Record<DetectorName, Record<string, number>>> = {
  'prediction-distribution': { numClasses: 3 },
};

function sample(name: DetectorName, rng: Xoshiro128): unknown {
  switch (name) {
    case 'ddm':
    case 'eddm':
    case 'hddm-a':
    case 'hddm-w':
      return rng.nextFloat() < 0.3 ? 1 : 0;
    case 'prediction-distribution':
      return rng.nextInt(3);
    case 'knn-distance':
      return [gaussian(rng), gaussian(rng)];
    case 'ewma-confidence':
      return gaussian(rng, 0.8, 0.1);
    default:
      return gaussian(rng);
  }
}

describe('detector registry', () => {
  it('lists ten detectors with documented defaults', () => {
    assert.deepEqual([...DETECTOR_NAMES].sort(), [
      'adwin',
      'ddm',
      'eddm',
      'ewma-confidence',
      'hddm-a',
      'hddm-w',
      'knn-distance',
      'kswin',
      'page-hinkley',
      'prediction-distribution',
    ]);
    for (const name of DETECTOR_NAMES) {
      assert.deepEqual(
        Object.keys(DETECTOR_PARAM_DOCS[name]).sort(),
        Object.keys(DETECTOR_DEFAULTS[name]).sort(),
        name,
      );
    }
    // River's defaults.
    assert.deepEqual(DETECTOR_DEFAULTS.adwin, {
      delta: 0.002,
      clock: 32,
      maxBuckets: 5,
      minWindowLength: 5,
      gracePeriod: 10,
    });
    assert.deepEqual(DETECTOR_DEFAULTS['page-hinkley'], {
      minInstances: 30,
      delta: 0.005,
      threshold: 50,
      alpha: 1 - 0.0001,
      mode: 'both',
    });
    assert.deepEqual(DETECTOR_DEFAULTS.kswin, { alpha: 0.005, windowSize: 100, statSize: 30, seed: 42 });
    assert.deepEqual(DETECTOR_DEFAULTS.ddm, { warmStart: 30, warningThreshold: 2, driftThreshold: 3 });
    assert.deepEqual(DETECTOR_DEFAULTS.eddm, { warmStart: 30, alpha: 0.95, beta: 0.9 });
    assert.deepEqual(DETECTOR_DEFAULTS['hddm-a'], {
      driftConfidence: 0.001,
      warningConfidence: 0.005,
      twoSidedTest: false,
    });
    assert.deepEqual(DETECTOR_DEFAULTS['hddm-w'], {
      driftConfidence: 0.001,
      warningConfidence: 0.005,
      lambda: 0.05,
      twoSidedTest: false,
    });
  });

  it('creates every detector, which reports its full parameter set', () => {
    for (const name of DETECTOR_NAMES) {
      const det = createDetector(name, required[name]);
      assert.equal(det.name, name);
      assert.deepEqual(det.toJSON().params, { ...DETECTOR_DEFAULTS[name], ...required[name] });
    }
  });

  it('rejects unknown detectors and parameters with a helpful message', () => {
    assert.throws(
      () => createDetector('cusum'),
      /Unknown drift detector "cusum". Known detectors: page-hinkley, adwin/,
    );
    assert.throws(
      () => createDetector('adwin', { clocks: 4 }),
      (e: Error) =>
        e.message ===
        'Unknown parameter "clocks" for detector "adwin". Allowed parameters: delta, clock, maxBuckets, minWindowLength, gracePeriod',
    );
    assert.throws(
      () => createDetector('adwin', { delta: 2 }),
      /Invalid value 2 for parameter "delta" of detector "adwin": must be < 1/,
    );
    assert.throws(() => createDetector('adwin', { clock: 'fast' }), /"clock".*finite number/);
    assert.throws(() => createDetector('hddm-a', { twoSidedTest: 'maybe' }), /true or false/);
  });

  it('parses CLI key=value pairs into typed parameters', () => {
    assert.deepEqual(parseDetectorParams('adwin', ['clock=16', 'delta=0.01']), {
      ...DETECTOR_DEFAULTS.adwin,
      clock: 16,
      delta: 0.01,
    });
    assert.equal(parseDetectorParams('hddm-w', ['twoSidedTest=true']).twoSidedTest, true);
    assert.equal(parseDetectorParams('prediction-distribution', ['reference=0.2,0.8']).reference, '0.2,0.8');
    assert.throws(() => parseDetectorParams('adwin', ['clock']), /expected key=value/);
    assert.throws(() => parseDetectorParams('adwin', ['nope=1']), /Unknown parameter "nope"/);
  });

  it('round-trips every detector through JSON text mid-stream', () => {
    for (const name of DETECTOR_NAMES) {
      const rng = new Xoshiro128(1);
      const xs = Array.from({ length: 3000 }, () => sample(name, rng));
      const whole = createDetector(name, required[name]);
      const expected = xs.map((x) => ({ ...(whole.update as (v: unknown) => object)(x) }));
      const first = createDetector(name, required[name]);
      const got = xs.slice(0, 1234).map((x) => ({ ...(first.update as (v: unknown) => object)(x) }));
      const state = JSON.parse(JSON.stringify(first)) as DetectorState; // JSON.stringify calls toJSON()
      const second = restoreDetector(state);
      assert.equal(second.constructor, first.constructor);
      for (const x of xs.slice(1234)) got.push({ ...(second.update as (v: unknown) => object)(x) });
      assert.deepEqual(got, expected, name);
    }
  });

  it('rejects malformed states', () => {
    const good = createDetector('ddm').toJSON();
    assert.throws(() => restoreDetector({ ...good, name: 'nope' }), /Unknown drift detector "nope"/);
    assert.throws(() => restoreDetector({ ...good, version: 2 as 1 }), /Unsupported ddm state version 2/);
    assert.throws(() => restoreDetector({ ...good, state: { ...good.state, p: 'x' } }), /"p" must be a number/);
  });
});
