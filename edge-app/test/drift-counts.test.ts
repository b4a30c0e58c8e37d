import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAlarm, isWarning } from '../../shared/drift/flags.ts';
import { DeviceDrift } from '../src/lcm/drift/index.ts';
import type { DriftEvent } from '../src/lcm/types.ts';
import { makeStream, modelWithProfile, referenceProfile } from './monitor-fixtures.ts';

const model = modelWithProfile(referenceProfile());

/** Warnings before alarms on the confidence chart, and a shifted feature: both levels occur. */
const stream = () => [
  ...makeStream(3000, 31),
  ...makeStream(3000, 32, { shift: 1.5, shiftFeature: 1, confidence: { mean: 0.68, std: 0.1 } }),
];

describe('DeviceDrift counts alarm and warning records apart (what reported.metrics carries)', () => {
  it('an alarm record has a drift bit, a warning record a warning bit; each record counts once per level, however many detectors fired', () => {
    const events: DriftEvent[] = [];
    const d = new DeviceDrift({ model, onDrift: (e) => events.push(e) });
    const flags = stream().map((o) => d.update(o));
    const alarms = flags.filter(isAlarm).length;
    const warnings = flags.filter(isWarning).length;
    assert.ok(alarms > 0 && warnings > 0, `alarms ${alarms}, warnings ${warnings}`);
    assert.equal(d.alarmRecords, alarms);
    assert.equal(d.warningRecords, warnings);
    // Warning-only records are never alarms: the old count (any flag) would be larger.
    assert.ok(flags.filter((f) => f !== 0).length > alarms, 'some records only warned');
    // Events are per detector: at least one per alarm record.
    assert.equal(new Set(events.map((e) => e.window.lastId)).size, alarms);
    assert.ok(events.length >= alarms);
  });

  it('the counts survive a restore; a state saved before they existed starts from its detectors’ alarm events', () => {
    const s = stream();
    const original = new DeviceDrift({ model });
    for (const o of s.slice(0, 4000)) original.update(o);
    const saved = JSON.parse(JSON.stringify(original.toJSON()));
    assert.equal(saved.alarmRecords, original.alarmRecords);
    assert.equal(saved.warningRecords, original.warningRecords);
    const restored = DeviceDrift.restore(saved, { model });
    for (const o of s.slice(4000)) {
      original.update(o);
      restored.update(o);
    }
    assert.equal(restored.alarmRecords, original.alarmRecords);
    assert.equal(restored.warningRecords, original.warningRecords);

    const { alarmRecords: _a, warningRecords: _w, ...old } = saved;
    const legacy = DeviceDrift.restore(old, { model });
    assert.equal(
      legacy.alarmRecords,
      old.channels.reduce((n: number, c: { drifts: number }) => n + c.drifts, 0),
    );
    assert.equal(legacy.warningRecords, 0);
  });
});
