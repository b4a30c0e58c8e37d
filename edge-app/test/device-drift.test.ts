import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeviceDrift, DRIFT_FLAGS, WARNING_SHIFT, type DeviceDriftOptions } from '../src/lcm/drift/index.ts';
import type { DriftEvent, InferenceObservation } from '../src/lcm/types.ts';
import {
  FEATURES,
  makeStream,
  MODEL,
  modelWithProfile,
  referenceProfile,
  type StreamShape,
} from './monitor-fixtures.ts';

const profile = referenceProfile();
const model = modelWithProfile(profile);

function run(
  stream: readonly InferenceObservation[],
  options: Partial<DeviceDriftOptions> = {},
): { events: DriftEvent[]; flags: number[]; drift: DeviceDrift } {
  const events: DriftEvent[] = [];
  const drift = new DeviceDrift({ model, onDrift: (e) => events.push(e), ...options });
  const flags = stream.map((o) => drift.update(o));
  return { events, flags, drift };
}

/** Position in the stream of the observation that raised `e`. */
const at = (stream: readonly InferenceObservation[], e: DriftEvent): number =>
  stream.findIndex((o) => o.id === e.window.lastId);

/** Samples from `from` to the first event of `kind` at or after it: the detection delay. */
function delay(
  events: DriftEvent[],
  stream: readonly InferenceObservation[],
  kind: string,
  from: number,
  feature?: string,
): number {
  const e = events.find(
    (x) => x.kind === kind && (feature === undefined || x.feature === feature) && at(stream, x) >= from,
  );
  assert.ok(e, `no ${kind}${feature ? ` (${feature})` : ''} event after ${from}`);
  return at(stream, e) - from;
}

const shifted = (shape: StreamShape, n = 6000, seed = 21) => makeStream(n, seed, { shiftAt: 3000, ...shape });

describe('DeviceDrift', () => {
  it('a stationary stream raises no drift beyond the detectors’ false-alarm bound', () => {
    const n = 30_000;
    const referenceSamples = makeStream(1000, 2).map((o) => o.features as number[]);
    const { events } = run(makeStream(n, 1), { referenceSamples });
    // EWMA charts: N·2Φ(−4) ≈ 6.3e-5 per sample and feature (two-sided); the confidence chart is
    // one-sided; prediction: α·N/stride; KNN on skewed distances: a budget of 1e-4 (observed ~7e-5).
    const bound = n * 6.3e-5 * FEATURES.length + n * 3.2e-5 + (n * 0.001) / 50 + n * 1e-4;
    assert.ok(
      events.length <= Math.ceil(bound),
      `${events.length} events, bound ${bound.toFixed(1)}: ${events.map((e) => e.channel).join(', ')}`,
    );
  });

  for (const [f, name] of FEATURES.map((x, i) => [i, x] as const)) {
    it(`a 1σ shift of '${name}' raises a feature event for it within 100 samples`, () => {
      const stream = shifted({ shift: 1, shiftFeature: f });
      const { events } = run(stream);
      assert.ok(delay(events, stream, 'feature', 3000, name) <= 100);
      assert.ok(
        !events.some((e) => e.kind === 'feature' && e.feature !== name && at(stream, e) < 3200),
        'no other feature alarms',
      );
    });
  }

  it('detects a stream that is off the reference from its first sample (the reference is the profile, not the stream)', () => {
    const stream = makeStream(2000, 4, { shift: 1, shiftFeature: 0, shiftAt: 0 });
    const { events } = run(stream);
    assert.ok(delay(events, stream, 'feature', 0, 'temp') <= 100);
  });

  it('an event carries the statistic, the window of statistics and the last observations', () => {
    const stream = shifted({ shift: 2, shiftFeature: 1 });
    const { events, flags } = run(stream, { config: { window: 16, samples: 4 } });
    const e = events.find((x) => x.feature === 'wind') as DriftEvent;
    const i = at(stream, e);
    assert.equal(e.id, `${stream[i]?.id}/feature:wind`);
    assert.equal(e.channel, 'feature:wind');
    assert.equal(e.detector, 'ewma-confidence');
    assert.deepEqual(e.model, MODEL);
    assert.equal(e.ts, stream[i]?.ts);
    assert.equal(e.window.size, 16);
    assert.equal(e.window.statistics.length, 16);
    assert.equal(e.window.statistics[15], e.statistic);
    assert.equal(e.window.firstId, stream[i - 15]?.id);
    assert.deepEqual(
      e.samples.map((s) => s.id),
      stream.slice(i - 3, i + 1).map((o) => o.id),
    );
    assert.deepEqual(e.samples[3]?.features, stream[i]?.features);
    assert.ok((flags[i] as number) & DRIFT_FLAGS.feature);
    assert.deepEqual(JSON.parse(JSON.stringify(e)), e);
  });

  it('a confidence drop raises a confidence event', () => {
    const stream = [...makeStream(3000, 7), ...makeStream(3000, 8, { confidence: { mean: 0.65, std: 0.1 } })];
    const { events, flags } = run(stream);
    assert.ok(delay(events, stream, 'confidence', 3000) <= 60);
    assert.ok(!events.some((e) => e.kind === 'confidence' && at(stream, e) < 3000));
    assert.ok(
      flags.some((f) => f & (DRIFT_FLAGS.confidence << WARNING_SHIFT)),
      'a warning comes first',
    );
  });

  it('a class distribution shift raises a prediction event within the window', () => {
    const stream = [...makeStream(3000, 9), ...makeStream(3000, 10, { classes: [0.2, 0.3, 0.5] })];
    const { events } = run(stream);
    assert.ok(delay(events, stream, 'prediction', 3000) <= 500);
    assert.equal(events.find((e) => e.kind === 'prediction')?.detector, 'prediction-distribution');
  });

  it('KNN distance to training samples detects a joint shift (and is skipped without samples)', () => {
    const referenceSamples = makeStream(1000, 11).map((o) => o.features as number[]);
    const stream = shifted({ shift: 3, shiftFeature: 2 }, 4000, 12);
    const knnOnly = { features: { enabled: false }, confidence: { enabled: false }, prediction: { enabled: false } };
    const { events } = run(stream, { referenceSamples, config: knnOnly });
    assert.ok(delay(events, stream, 'knn', 3000) <= 60);
    assert.equal(events.filter((e) => at(stream, e) < 3000).length, 0);
    const none = run(stream, { config: knnOnly });
    assert.equal(none.events.length, 0);
    assert.deepEqual(none.drift.status(), []);
  });

  it('without a profile it learns the feature moments, the class and confidence reference from the stream', () => {
    const stream = [
      ...makeStream(3000, 13),
      ...makeStream(3000, 14, { shift: 1.5, shiftFeature: 0, classes: [0.1, 0.2, 0.7] }),
    ];
    const { events, drift } = run(stream, { model: modelWithProfile(null) });
    assert.ok(delay(events, stream, 'feature', 3000, 'temp') <= 150);
    assert.ok(delay(events, stream, 'prediction', 3000) <= 500);
    assert.ok(!events.some((e) => at(stream, e) < 3000), 'nothing before the shift');
    assert.deepEqual(
      drift.status().map((s) => s.key),
      ['feature:temp', 'feature:wind', 'feature:rain', 'confidence', 'prediction'],
    );
  });

  it('an invalid profile is reported and ignored', () => {
    const d = new DeviceDrift({
      model: { ...MODEL, metadata: { features: FEATURES, referenceProfile: { version: 1, rows: 'many' } } },
    });
    assert.match(d.profileProblem ?? '', /not a valid profile/);
    for (const o of makeStream(300, 15)) d.update(o);
  });

  it('restored from JSON it continues exactly like the original', () => {
    const referenceSamples = makeStream(500, 16).map((o) => o.features as number[]);
    const stream = [
      ...makeStream(2500, 17),
      ...makeStream(4000, 18, {
        shift: 1,
        shiftFeature: 2,
        classes: [0.3, 0.3, 0.4],
        confidence: { mean: 0.7, std: 0.1 },
      }),
    ];
    const a: DriftEvent[] = [];
    const b: DriftEvent[] = [];
    const original = new DeviceDrift({
      model: modelWithProfile(null),
      referenceSamples,
      onDrift: (e) => a.push(e),
      config: { features: { detector: 'page-hinkley' } },
    });
    for (const o of stream.slice(0, 2000)) original.update(o);
    const saved = JSON.parse(JSON.stringify(original.toJSON()));
    const restored = DeviceDrift.restore(saved, { model: modelWithProfile(null), onDrift: (e) => b.push(e) });
    const fa = stream.slice(2000).map((o) => original.update(o));
    const fb = stream.slice(2000).map((o) => restored.update(o));
    assert.deepEqual(fb, fa);
    assert.ok(a.length >= 3, `events after the restore point: ${a.length}`);
    assert.deepEqual(b, a);
    const { savedAt: _x, ...ja } = original.toJSON();
    const { savedAt: _y, ...jb } = restored.toJSON();
    assert.deepEqual(jb, ja);
  });

  it('refuses a state saved for other model bytes', () => {
    const d = new DeviceDrift({ model });
    const state = d.toJSON();
    assert.throws(
      () => DeviceDrift.restore(state, { model: { ...model, sha256: 'f'.repeat(64) } }),
      /belongs to weather v3/,
    );
  });

  it('validates its configuration when constructed, not on the inference path', () => {
    assert.throws(() => new DeviceDrift({ model, config: { featurs: {} } }), /Unrecognized key/);
    assert.throws(() => new DeviceDrift({ model, config: { confidence: { params: { lamda: 0.1 } } } }), /lamda/);
    assert.throws(
      () => new DeviceDrift({ model: modelWithProfile(null), config: { prediction: { params: { windowSize: 1 } } } }),
      /windowSize/,
    );
    assert.throws(() => new DeviceDrift({ model, config: { features: { detector: 'nope' } } }));
  });

  it('honours features.only, the detector choice and the warm-up', () => {
    const stream = shifted({ shift: 2, shiftFeature: 0 }, 4000);
    const { drift, events } = run(stream, {
      config: { features: { only: ['temp'], detector: 'page-hinkley' }, warmup: 3500 },
    });
    assert.deepEqual(
      drift
        .status()
        .filter((s) => s.kind === 'feature')
        .map((s) => [s.key, s.detector]),
      [['feature:temp', 'page-hinkley']],
    );
    assert.ok(events.every((e) => at(stream, e) >= 3500));
  });

  it('skips what it cannot use without throwing: errors, NaN features, unknown classes, odd vector sizes', () => {
    const referenceSamples = makeStream(200, 20).map((o) => o.features as number[]);
    const d = new DeviceDrift({
      model: modelWithProfile(null),
      referenceSamples,
      config: { knn: { params: { warmup: 2 } } },
    });
    const base = makeStream(5, 19);
    assert.equal(d.update({ ...(base[0] as InferenceObservation), error: 'failed' }), 0);
    d.update({ ...(base[1] as InferenceObservation), features: [NaN, 1, Infinity] });
    d.update({ ...(base[2] as InferenceObservation), features: [1, 2] });
    d.update({ ...(base[3] as InferenceObservation), classIndex: 7 });
    d.update({ ...(base[4] as InferenceObservation), confidence: NaN });
    for (const o of makeStream(10, 21)) d.update(o);
    const status = new Map(d.status().map((s) => [s.key, s]));
    assert.equal(status.get('prediction')?.updates, 13);
    assert.equal(status.get('feature:wind')?.updates, 13); // not the 2-feature vector
    assert.equal(status.get('feature:temp')?.updates, 12); // nor its NaN
    assert.equal(status.get('knn')?.updates, 12);
    assert.ok(Number.isFinite(status.get('knn')?.statistic), 'KNN state not poisoned');
    assert.doesNotThrow(() => JSON.stringify(d.toJSON()));
  });
});
