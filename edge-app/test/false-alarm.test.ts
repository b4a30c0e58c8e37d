import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeviceDrift } from '../src/lcm/drift/index.ts';
import { channelOf, pendingFalseAlarms, thresholdFactor } from '../src/lcm/sync/console-marks.ts';
import type { DriftEvent as DocEvent } from '../../shared/documents/index.ts';
import type { DriftEvent, InferenceObservation } from '../src/lcm/types.ts';
import { makeStream, modelWithProfile, referenceProfile } from './monitor-fixtures.ts';

const model = modelWithProfile(referenceProfile());
/** 'wind' shifted by 1σ from sample 3000 on, for good: its detector keeps alarming after cooldowns. */
const stream = makeStream(9000, 31, { shift: 1, shiftFeature: 1, shiftAt: 3000 });

/** A DeviceDrift fed up to and including the first 'wind' alarm; returns where that was. */
function upToFirstAlarm(): { drift: DeviceDrift; at: number } {
  const events: DriftEvent[] = [];
  const drift = new DeviceDrift({ model, onDrift: (e) => events.push(e) });
  for (let i = 0; i < stream.length; i++) {
    drift.update(stream[i] as InferenceObservation);
    if (events.some((e) => e.channel === 'feature:wind')) return { drift, at: i };
  }
  throw new Error('the shift raised no wind alarm');
}

/** Feeds the rest of the stream to a copy of `drift` (restored from its JSON), counting alarms per channel. */
function continueFrom(drift: DeviceDrift, at: number): Map<string, number> {
  const counts = new Map<string, number>();
  const copy = DeviceDrift.restore(JSON.parse(JSON.stringify(drift.toJSON())), {
    model,
    onDrift: (e) => counts.set(e.channel, (counts.get(e.channel) ?? 0) + 1),
  });
  for (const o of stream.slice(at + 1)) copy.update(o);
  return counts;
}

const channel = (d: DeviceDrift, key: string) => d.toJSON().channels.find((c) => c.key === key)!;

describe('a false alarm on the device', () => {
  it('resets the channel: a fresh detector with the same parameters and an empty window, the alarm count kept', () => {
    const { drift, at } = upToFirstAlarm();
    const before = channel(drift, 'feature:wind');
    const temp = channel(drift, 'feature:temp');
    assert.ok(before.statistics.length > 0);
    assert.equal(drift.resetChannel('feature:wind'), true);
    const after = channel(drift, 'feature:wind');
    assert.deepEqual(after.statistics, []);
    assert.equal(after.warning, false);
    assert.equal(after.drifts, before.drifts, 'the alarm count is history, not state');
    assert.deepEqual(after.detector.params, before.detector.params);
    assert.notDeepEqual(after.detector.state, before.detector.state, 'the detector forgot the shift');
    // Other channels are untouched.
    assert.deepEqual(channel(drift, 'feature:temp'), temp);
    // Reset, not silenced: the shift persists, so the detector alarms again.
    assert.ok((continueFrom(drift, at).get('feature:wind') ?? 0) > 0);
  });

  it('with a factor raises the threshold by it, which survives a restore, and quiets the channel', () => {
    const { drift, at } = upToFirstAlarm();
    const limits = channel(drift, 'feature:wind').detector.params;
    const baseline = continueFrom(drift, at).get('feature:wind') ?? 0;
    assert.ok(baseline > 0);
    assert.equal(drift.resetChannel('feature:wind', 3), true);
    const raised = channel(drift, 'feature:wind').detector.params;
    assert.equal(raised.driftLimit, (limits.driftLimit as number) * 3);
    assert.equal(raised.warningLimit, (limits.warningLimit as number) * 3);
    assert.equal(raised.lambda, limits.lambda, 'only the thresholds change');
    const restored = DeviceDrift.restore(JSON.parse(JSON.stringify(drift.toJSON())), { model });
    assert.equal(channel(restored, 'feature:wind').detector.params.driftLimit, (limits.driftLimit as number) * 3);
    const after = continueFrom(drift, at).get('feature:wind') ?? 0;
    assert.ok(after < baseline, `${after} alarms with the raised threshold, ${baseline} without`);
    // Confidence and the other channels keep their parameters.
    assert.deepEqual(
      channel(drift, 'confidence').detector.params,
      channel(upToFirstAlarm().drift, 'confidence').detector.params,
    );
  });

  it('resets the confidence, prediction and KNN channels by name; an unknown channel is false', () => {
    const referenceSamples = makeStream(500, 2).map((o) => o.features as number[]);
    const drift = new DeviceDrift({ model, referenceSamples });
    for (const o of stream.slice(0, 1000)) drift.update(o);
    for (const name of ['confidence', 'prediction', 'knn']) {
      const before = channel(drift, name);
      assert.equal(drift.resetChannel(name, 2), true, name);
      assert.deepEqual(channel(drift, name).statistics, [], name);
      assert.notDeepEqual(channel(drift, name).detector.params, before.detector.params, `${name}: threshold raised`);
    }
    assert.equal(
      channel(drift, 'knn').detector.params.lambdaStd,
      (channel(new DeviceDrift({ model, referenceSamples }), 'knn').detector.params.lambdaStd as number) * 2,
    );
    assert.equal(drift.resetChannel('feature:nope'), false);
    assert.equal(drift.resetChannel('weather'), false);
  });
});

describe('console marks', () => {
  const ev = (id: string, kind: string, extra: Partial<DocEvent> = {}): DocEvent => ({
    id,
    ts: '2026-03-01T00:00:00Z',
    kind,
    statistic: 1,
    ...extra,
  });
  const mark = { by: 'ops', at: '2026-03-01T01:00:00Z' };

  it('maps an event to the channel that raised it', () => {
    assert.equal(channelOf(ev('1', 'feature', { feature: 'Body Mass (g)' })), 'feature:Body Mass (g)');
    assert.equal(channelOf(ev('2', 'confidence')), 'confidence');
    assert.equal(channelOf(ev('3', 'prediction')), 'prediction');
    assert.equal(channelOf(ev('4', 'knn')), 'knn');
    assert.equal(channelOf(ev('5', 'other', { detector: 'knn-distance' })), 'knn');
    assert.equal(channelOf(ev('6', 'feature')), null, 'a feature event without its feature names no channel');
    assert.equal(channelOf(ev('7', 'latency')), null);
  });

  it('acts on each false alarm once, and on each channel once per sync', () => {
    const doc = {
      events: [
        ev('a', 'feature', { feature: 'wind', falseAlarm: mark }),
        ev('b', 'feature', { feature: 'wind', falseAlarm: mark }),
        ev('c', 'confidence', { acknowledged: mark }),
        ev('d', 'knn', { falseAlarm: mark }),
        ev('e', 'prediction', { falseAlarm: mark }),
      ],
    };
    assert.deepEqual(pendingFalseAlarms(doc, new Set()), {
      channels: ['feature:wind', 'knn', 'prediction'],
      ids: ['a', 'b', 'd', 'e'],
    });
    assert.deepEqual(pendingFalseAlarms(doc, new Set(['a', 'b', 'e'])), { channels: ['knn'], ids: ['d'] });
  });

  it('reads the threshold factor defensively: only a number > 1 raises (at most 100)', () => {
    assert.equal(thresholdFactor({ config: { falseAlarmThresholdFactor: 2.5 } }), 2.5);
    assert.equal(thresholdFactor({ config: { falseAlarmThresholdFactor: 1 } }), 1);
    assert.equal(thresholdFactor({ config: { falseAlarmThresholdFactor: 0.5 } }), 1);
    assert.equal(thresholdFactor({ config: { falseAlarmThresholdFactor: '3' } }), 1);
    assert.equal(thresholdFactor({ config: { falseAlarmThresholdFactor: 1e9 } }), 100);
    assert.equal(thresholdFactor({}), 1);
    assert.equal(thresholdFactor(undefined), 1);
  });
});
