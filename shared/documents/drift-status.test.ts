import type * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  acknowledgeEvent,
  appendEvent,
  driftEventStatus,
  initDeviceDoc,
  markFalseAlarm,
  type DeviceDoc,
} from './index.ts';

const ID = '00000000-0000-4000-8000-000000000001';
const event = {
  id: 'e1',
  ts: '2026-03-01T00:00:00.000Z',
  kind: 'feature',
  feature: 'wind',
  detector: 'ewma',
  statistic: 4,
};

describe('drift event status', () => {
  it('is open, then acknowledged, and a false alarm outranks an acknowledgement', () => {
    let doc: A.Doc<DeviceDoc> = appendEvent(initDeviceDoc(ID), event);
    assert.equal(driftEventStatus(doc.events[0]!), 'open');
    doc = acknowledgeEvent(doc, 'e1', 'ops', new Date('2026-03-01T01:00:00Z'));
    assert.equal(driftEventStatus(doc.events[0]!), 'acknowledged');
    doc = markFalseAlarm(doc, 'e1', 'sci', new Date('2026-03-01T02:00:00Z'));
    assert.deepEqual({ ...doc.events[0]!.falseAlarm }, { by: 'sci', at: '2026-03-01T02:00:00.000Z' });
    assert.equal(driftEventStatus(doc.events[0]!), 'false_alarm');
    assert.throws(() => markFalseAlarm(doc, 'nope', 'sci'), /no event nope/);
  });

  it('a device cannot set the console fields when it appends: they are dropped', () => {
    const doc = appendEvent(initDeviceDoc(ID), {
      ...event,
      falseAlarm: { by: 'device', at: 'now' },
      acknowledged: { by: 'device', at: 'now' },
    } as never);
    assert.equal(doc.events[0]!.falseAlarm, undefined);
    assert.equal(doc.events[0]!.acknowledged, undefined);
    assert.equal(driftEventStatus(doc.events[0]!), 'open');
  });
});
