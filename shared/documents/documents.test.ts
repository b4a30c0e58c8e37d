import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  acknowledgeEvent,
  answer,
  appendEvent,
  compactEvents,
  initDeviceDoc,
  initGroupDoc,
  labelEvent,
  report,
  setDesired,
  setGroupSettings,
  type DeviceDoc,
} from './index.ts';

const DEVICE = '11111111-1111-4111-8111-111111111111';
const SHA = 'a'.repeat(64);
const event = (i: number, kind = 'ks') => ({
  id: `e${i}`,
  ts: new Date(i * 1000).toISOString(),
  kind,
  statistic: i / 10,
});
const merge = <T>(a: A.Doc<T>, b: A.Doc<T>) => A.merge(A.clone(a), b);

describe('device documents', () => {
  it('independently created skeletons are identical, so the first edits of each side merge', () => {
    const server = setDesired(initDeviceDoc(DEVICE), { model: { name: 'm', version: '1', sha256: SHA } });
    const device = report(initDeviceDoc(DEVICE), { appVersion: '0.1.0', status: 'ok' });
    const merged = merge(server, device);
    assert.equal(merged.desired.model?.version, '1');
    assert.equal(merged.reported.status, 'ok');
    assert.equal(merged.desired.syncIntervalSec, 3600);
  });

  it('who writes what: concurrent desired, reported, event, acknowledgement and label all survive', () => {
    const base = appendEvent(initDeviceDoc(DEVICE), event(1));
    const server = setDesired(A.clone(base), { syncIntervalSec: 60 });
    const device = appendEvent(report(A.clone(base), { counters: { inferences: 5 } }), event(2, 'adwin'));
    const ackd = acknowledgeEvent(A.clone(base), 'e1', 'alice');
    const labelled = labelEvent(A.clone(base), 'e1', 'sensor fault');
    const all = [server, device, ackd, labelled].reduce((a, b) => merge(a, b));
    assert.equal(all.desired.syncIntervalSec, 60);
    assert.deepEqual(all.reported.counters, { inferences: 5 });
    assert.deepEqual(
      all.events.map((e) => e.id),
      ['e1', 'e2'],
    );
    assert.equal(all.events[0]?.acknowledged?.by, 'alice');
    assert.equal(all.events[0]?.label, 'sensor fault');
  });

  it('validates what a device reports and what the server desires', () => {
    const doc = initDeviceDoc(DEVICE);
    assert.throws(() => report(doc, { model: { name: 'm', version: '1', sha256: 'nothex' } }));
    assert.throws(() => setDesired(doc, { syncIntervalSec: -1 }));
    assert.throws(() => appendEvent(doc, { id: '', ts: 'x', kind: 'ks', statistic: 1 }));
    assert.throws(() => acknowledgeEvent(doc, 'nope', 'alice'), /no event/);
  });

  it('appending an event id twice keeps one', () => {
    const doc = appendEvent(appendEvent(initDeviceDoc(DEVICE), event(1)), event(1));
    assert.equal(doc.events.length, 1);
  });

  it('compaction keeps the newest events and summarises the rest: the visible state is bounded', () => {
    let doc = initDeviceDoc(DEVICE);
    const sizes: number[] = [];
    for (let i = 0; i < 1000; i++) {
      doc = appendEvent(doc, event(i, i % 3 === 0 ? 'ks' : 'adwin'));
      if (i % 50 === 49) {
        doc = compactEvents(doc, 20);
        sizes.push(JSON.stringify(doc).length);
      }
    }
    assert.equal(doc.events.length, 20);
    assert.equal(doc.events[0]?.id, 'e980');
    assert.equal(doc.eventSummary.count, 980);
    assert.equal((doc.eventSummary.byKind.ks ?? 0) + (doc.eventSummary.byKind.adwin ?? 0), 980);
    assert.equal(doc.eventSummary.byKind.ks, 327);
    // The JSON stays the same size from the first compaction on, whatever the number of events.
    assert.ok(Math.max(...sizes) - Math.min(...sizes) < 200, `sizes ${sizes.join(',')}`);
    assert.equal(compactEvents(doc, 20), doc, 'nothing to compact: the same document');
  });

  it('group documents: settings merge key by key', () => {
    const a = setGroupSettings(initGroupDoc(DEVICE), { syncIntervalSec: 300 });
    const b = setGroupSettings(initGroupDoc(DEVICE), { sampling: { rate: 0.1 } });
    assert.deepEqual(merge(a, b).settings, { syncIntervalSec: 300, sampling: { rate: 0.1 } });
  });

  it('the sync answer sends only what the peer lacks', () => {
    const base = initDeviceDoc(DEVICE);
    const server = setDesired(A.clone(base), { syncIntervalSec: 5 });
    const a = answer<DeviceDoc>(server, { have: A.getHeads(base), changes: [] });
    assert.equal(a.changes.length, 1);
    assert.deepEqual(a.missing, []);
    assert.equal(answer(server, { have: A.getHeads(server), changes: [] }).changes.length, 0);
    // A head the server never saw counts for nothing rather than for "send everything".
    assert.equal(answer(server, { have: [...A.getHeads(base), 'f'.repeat(64)], changes: [] }).changes.length, 1);
  });
});
