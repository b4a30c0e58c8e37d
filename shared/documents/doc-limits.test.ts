import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  acknowledgeEvent,
  appendEvent,
  checkChanges,
  checkDocSize,
  checkDocWrite,
  compactEvents,
  DEFAULT_DOC_LIMITS,
  inspectChange,
  initDeviceDoc,
  initGroupDoc,
  labelEvent,
  markFalseAlarm,
  report,
  setDesired,
  setGroupSettings,
  type DeviceDoc,
  type Writer,
} from './index.ts';

const ID = '00000000-0000-4000-8000-000000000001';
const DOC = `device:${ID}`;
const base = () => initDeviceDoc(ID);
const event = (id: string) => ({
  id,
  ts: new Date(0).toISOString(),
  kind: 'ks',
  detector: 'ks:0',
  feature: 'x',
  statistic: 0.3,
});
const changesOf = (b: A.Doc<DeviceDoc>, a: A.Doc<DeviceDoc>) => A.getChanges(b, a);
/** Automerge outdates a document once it is changed: every derivation starts from a copy. */
const c = <T>(d: A.Doc<T>) => A.clone(d);
/** A raw edit, as a hostile client could make it (the who-writes-what functions validate theirs). */
const raw = (doc: A.Doc<DeviceDoc>, fn: (d: DeviceDoc & Record<string, unknown>) => void) =>
  A.change(A.clone(doc), fn as (d: DeviceDoc) => void);
const check = (before: A.Doc<DeviceDoc>, after: A.Doc<DeviceDoc>, writer: Writer = 'device') =>
  checkDocWrite(DOC, A.toJS(before), A.toJS(after), writer);

describe('change limits: counted on the bytes, before Automerge decodes them', () => {
  it('counts the operations of real changes exactly as Automerge decodes them', () => {
    const b = base();
    const reported = report(c(b), {
      status: 'running',
      model: { name: 'm', version: '3', sha256: 'a'.repeat(64) },
      health: { uptimeSec: 5, browser: 'node 20' },
    });
    let withEvents = reported;
    for (let i = 0; i < 5; i++) withEvents = appendEvent(c(withEvents), event(`e${i}`));
    const steps = [
      reported,
      withEvents,
      compactEvents(c(withEvents), 2),
      acknowledgeEvent(c(withEvents), 'e1', 'ops'),
      setDesired(c(b), { syncIntervalSec: 60 }),
    ];
    for (const after of steps) {
      for (const c of A.getChanges(b, after)) {
        assert.equal(inspectChange(c).ops, A.decodeChange(c).ops.length);
      }
    }
  });

  it('refuses a long text string by its bytes, and a run-length bomb by its operation count', () => {
    const b = base();
    const big = changesOf(
      b,
      raw(b, (d) => void (d.reported.status = 'x'.repeat(300_000))),
    );
    assert.equal(checkChanges(big, DEFAULT_DOC_LIMITS)?.what, 'MAX_DOC_CHANGE_BYTES');
    // 200,000 list elements in a change of a few hundred bytes: decoding it alone takes seconds.
    const bomb = changesOf(
      b,
      raw(b, (d) => void ((d.reported as Record<string, unknown>).list = new Array(200_000).fill(null))),
    );
    assert.ok(bomb[0]!.length < 1000);
    assert.equal(checkChanges(bomb, DEFAULT_DOC_LIMITS)?.status, 413);
    assert.equal(checkChanges(bomb, DEFAULT_DOC_LIMITS)?.what, 'MAX_DOC_CHANGE_OPS');
    assert.ok(inspectChange(bomb[0]!, 100).ops > 100, 'counting stops past the limit');
  });

  it('refuses long scalar strings, too many operations in one exchange, and bytes that are no plain change', () => {
    const b = base();
    const long = changesOf(
      b,
      raw(b, (d) => void (d.reported.status = new A.ImmutableString('y'.repeat(20_000)) as unknown as string)),
    );
    assert.equal(checkChanges(long, DEFAULT_DOC_LIMITS)?.what, 'MAX_DOC_STRING_LENGTH');
    const small = changesOf(b, report(c(b), { status: 'running' }));
    assert.equal(checkChanges(small, { ...DEFAULT_DOC_LIMITS, maxSyncOps: 5 })?.what, 'MAX_DOC_SYNC_OPS');
    assert.equal(checkChanges(small, DEFAULT_DOC_LIMITS), undefined);
    const bytes = small[0]!;
    assert.equal(checkChanges([Uint8Array.from([1, 2, 3, 4])], DEFAULT_DOC_LIMITS)?.status, 400);
    assert.equal(checkChanges([Uint8Array.from([...bytes, 0])], DEFAULT_DOC_LIMITS)?.status, 400, 'trailing bytes');
    const compressed = Uint8Array.from(bytes);
    compressed[8] = 2;
    assert.match(checkChanges([compressed], DEFAULT_DOC_LIMITS)?.message ?? '', /chunk type 2/);
    assert.equal(checkChanges([bytes.subarray(0, bytes.length - 3)], DEFAULT_DOC_LIMITS)?.status, 400, 'truncated');
  });
});

describe('who writes what: a device changes only what it owns, within the schemas', () => {
  const withEvent = appendEvent(base(), event('e1'));

  it('lets a device report, append and compact events, and people acknowledge, label and set desired', () => {
    let d = report(c(withEvent), {
      status: 'running',
      model: { name: 'm', version: '2147483647', sha256: 'b'.repeat(64) },
      metrics: { inferences: 4, errors: 0, p95Ms: 3, driftAlarms: 0 },
    });
    assert.equal(check(withEvent, d), undefined);
    const more = appendEvent(appendEvent(c(d), event('e2')), event('e3'));
    assert.equal(check(d, more), undefined);
    d = compactEvents(c(more), 1);
    assert.equal(check(more, d), undefined);
    assert.equal(check(withEvent, acknowledgeEvent(c(withEvent), 'e1', 'ops'), 'person'), undefined);
    assert.equal(
      check(withEvent, markFalseAlarm(labelEvent(c(withEvent), 'e1', 'cat'), 'e1', 'ops'), 'person'),
      undefined,
    );
    assert.equal(check(withEvent, setDesired(c(withEvent), { syncIntervalSec: 60 }), 'person'), undefined);
  });

  it("refuses a device writing the console's event fields or the server's desired (403 naming the path)", () => {
    for (const [after, path] of [
      [acknowledgeEvent(c(withEvent), 'e1', 'me'), 'events[0].acknowledged'],
      [labelEvent(c(withEvent), 'e1', 'mine'), 'events[0].label'],
      [markFalseAlarm(c(withEvent), 'e1', 'me'), 'events[0].falseAlarm'],
      [raw(withEvent, (d) => void d.events.push({ ...event('e9'), label: 'self-labelled' })), 'events[1].label'],
      [setDesired(c(withEvent), { syncIntervalSec: 1 }), 'desired.syncIntervalSec'],
      [raw(withEvent, (d) => void (d.deviceId = 'someone else')), 'deviceId'],
    ] as const) {
      const r = check(withEvent, after);
      assert.equal(r?.status, 403, path);
      assert.equal(r?.what, path);
    }
    const acked = acknowledgeEvent(c(withEvent), 'e1', 'ops');
    assert.equal(
      check(
        acked,
        raw(acked, (d) => void delete d.events[0]!.acknowledged),
      )?.what,
      'events[0].acknowledged',
      'nor remove them',
    );
  });

  it('refuses values out of range (400 naming the path): a model version past int4, unknown fields, bad events', () => {
    const r = check(
      withEvent,
      raw(withEvent, (d) => void (d.reported.model = { name: 'm', version: String(2 ** 40), sha256: 'c'.repeat(64) })),
    );
    assert.equal(r?.status, 400);
    assert.equal(r?.what, 'reported.model.version');
    assert.equal(
      check(
        withEvent,
        raw(withEvent, (d) => void (d.reported.model = { name: 'm', version: 'latest', sha256: 'c'.repeat(64) })),
      )?.what,
      'reported.model.version',
    );
    assert.equal(
      check(
        withEvent,
        raw(withEvent, (d) => void ((d.reported as Record<string, unknown>).list = [1])),
      )?.what,
      'reported.list',
    );
    assert.equal(
      check(
        withEvent,
        raw(withEvent, (d) => void (d.extra = 1)),
      )?.what,
      'extra',
    );
    assert.equal(
      check(
        withEvent,
        raw(withEvent, (d) => void d.events.push({ ...event('e2'), statistic: 'high' as unknown as number })),
      )?.what,
      'events[1].statistic',
    );
    assert.equal(
      check(
        withEvent,
        raw(withEvent, (d) => void (d.eventSummary.count = -1)),
      )?.what,
      'eventSummary.count',
    );
    assert.equal(
      check(
        withEvent,
        raw(withEvent, (d) => void (d.reported.health = { uptimeSec: -5 })),
      )?.what,
      'reported.health.uptimeSec',
    );
  });

  it("judges only what changed: legacy data that breaks today's rules does not block other writes", () => {
    const legacy = raw(withEvent, (d) => {
      d.reported.model = { name: 'm', version: String(2 ** 40), sha256: 'c'.repeat(64) };
      d.events.push({ ...event('old'), label: 'x'.repeat(500) });
    });
    assert.equal(check(legacy, report(c(legacy), { status: 'still here' })), undefined);
    assert.equal(check(legacy, appendEvent(c(legacy), event('new'))), undefined);
  });

  it('group documents: people set settings within the schema; the id is fixed', () => {
    const g = initGroupDoc(ID);
    const gid = `group:${ID}`;
    assert.equal(
      checkDocWrite(gid, A.toJS(g), A.toJS(setGroupSettings(c(g), { syncIntervalSec: 30 })), 'person'),
      undefined,
    );
    const bad = A.change(A.clone(g), (d) => void ((d.settings as Record<string, unknown>).syncIntervalSec = -1));
    assert.equal(checkDocWrite(gid, A.toJS(g), A.toJS(bad), 'person')?.what, 'settings.syncIntervalSec');
  });
});

describe('document size limits', () => {
  const limits = { maxDocBytes: 2000, maxStringLength: 100 };
  it('refuses growing past the size and new long strings; leaves a legacy long string alone', () => {
    const b = base();
    const grown = raw(
      b,
      (d) => void (d.reported.counters = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`c${i}`, i]))),
    );
    assert.equal(checkDocSize(A.toJS(b), A.toJS(grown), limits)?.what, 'MAX_DOC_BYTES');
    const long = raw(b, (d) => void (d.reported.status = 'x'.repeat(101)));
    const r = checkDocSize(A.toJS(b), A.toJS(long), limits);
    assert.equal(r?.what, 'MAX_DOC_STRING_LENGTH');
    assert.match(r!.message, /reported\.status would hold 101 characters/);
    assert.equal(checkDocSize(A.toJS(long), A.toJS(report(c(long), { appVersion: '1' })), limits), undefined);
  });
});
