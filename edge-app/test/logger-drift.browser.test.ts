import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { deleteDB } from 'idb';
import { DeviceDrift, DriftStateStore } from '../src/lcm/drift/index.ts';
import { DataLogger } from '../src/lcm/logger/index.ts';
import { openLcmDb } from '../src/lcm/storage/db.ts';
import type { DriftEvent } from '../src/lcm/types.ts';
import { measureLoggerThroughput } from './bench/logger-throughput.ts';
import { makeStream, modelWithProfile } from './monitor-fixtures.ts';

describe('TinyLCM logger and drift state across a reload (IndexedDB, real Chromium)', () => {
  const names: string[] = [];
  const dbName = () => {
    const n = `tinylcm-reload-${Math.random().toString(36).slice(2)}`;
    names.push(n);
    return n;
  };
  after(async () => {
    for (const n of names) await deleteDB(n);
  });

  it('keeps unacknowledged logs: close, reopen, a new DataLogger finds them', async () => {
    const name = dbName();
    let db = await openLcmDb(name);
    let logger = new DataLogger(db, { batchSize: 1000, flushIntervalMs: 60_000, retention: { maxRecords: 1 } });
    const stream = makeStream(2500, 1);
    for (const o of stream) logger.log(o);
    const first = await logger.unacked(1000); // the first segment
    assert.equal(first.length, 1000);
    await logger.markSent([first[0]?.segment as number], 'b-1');
    await logger.acknowledge('b-1');
    // what the page does on pagehide
    await logger.flush();
    db.close();

    db = await openLcmDb(name);
    logger = new DataLogger(db, { retention: { maxRecords: 1 } });
    const again = await logger.unacked(10_000);
    assert.deepEqual(
      again.map((r) => r.id),
      stream.slice(1000).map((o) => o.id),
    );
    assert.deepEqual(again[0]?.input, stream[1000]?.features);
    assert.equal((await logger.stats()).count, 2500);
    // retention over the limit removes only the acknowledged segment
    assert.equal(await logger.enforceRetention(), 1000);
    assert.equal((await logger.unacked(10_000)).length, 1500);
    db.close();
  });

  it('a restored DeviceDrift resumes its detectors from IndexedDB', async () => {
    const name = dbName();
    const model = modelWithProfile();
    const referenceSamples = makeStream(500, 2).map((o) => o.features as number[]);
    const stream = [
      ...makeStream(2000, 3),
      ...makeStream(3000, 4, {
        shift: 1.5,
        shiftFeature: 1,
        classes: [0.2, 0.3, 0.5],
        confidence: { mean: 0.65, std: 0.1 },
      }),
    ];
    const a: DriftEvent[] = [];
    const original = new DeviceDrift({ model, referenceSamples, onDrift: (e) => a.push(e) });
    for (const o of stream.slice(0, 2500)) original.update(o);

    let db = await openLcmDb(name);
    await new DriftStateStore(db).save(original.toJSON()); // periodically and on pagehide
    db.close();

    db = await openLcmDb(name);
    const saved = await new DriftStateStore(db).load(model);
    assert.notEqual(saved, undefined);
    assert.equal(await new DriftStateStore(db).load({ ...model, sha256: '0'.repeat(64) }), undefined);
    const b: DriftEvent[] = [];
    const restored = DeviceDrift.restore(saved!, { model, onDrift: (e) => b.push(e) });
    a.length = 0;
    const fa = stream.slice(2500).map((o) => original.update(o));
    const fb = stream.slice(2500).map((o) => restored.update(o));
    assert.deepEqual(fb, fa);
    assert.ok(a.length > 2);
    const kinds = new Set(a.map((e) => e.kind));
    assert.deepEqual(
      (['feature', 'confidence', 'prediction'] as const).filter((k) => !kinds.has(k)),
      [],
    );
    assert.deepEqual(b, a);
    db.close();
  });

  it('measureLoggerThroughput runs in the page (the benchmark reads the number)', { timeout: 60_000 }, async () => {
    const r = await measureLoggerThroughput(50_000, 1000);
    console.log(
      `loggerRecordsPerSec ${r.recordsPerSec} (${r.records} records, batch ${r.batchSize}, log() ${r.logCallUs.toFixed(2)} µs)`,
    );
    assert.equal(r.records, 50_000);
    assert.ok(r.recordsPerSec > 0);
  });
});
