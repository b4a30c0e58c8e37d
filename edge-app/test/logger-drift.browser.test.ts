import { expect } from '@esm-bundle/chai';
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
    expect(first).to.have.length(1000);
    await logger.markSent([first[0]?.segment as number], 'b-1');
    await logger.acknowledge('b-1');
    // what the page does on pagehide
    await logger.flush();
    db.close();

    db = await openLcmDb(name);
    logger = new DataLogger(db, { retention: { maxRecords: 1 } });
    const again = await logger.unacked(10_000);
    expect(again.map((r) => r.id)).to.deep.equal(stream.slice(1000).map((o) => o.id));
    expect(again[0]?.input).to.deep.equal(stream[1000]?.features);
    expect((await logger.stats()).count).to.equal(2500);
    // retention over the limit removes only the acknowledged segment
    expect(await logger.enforceRetention()).to.equal(1000);
    expect((await logger.unacked(10_000)).length).to.equal(1500);
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
    expect(saved).to.not.equal(undefined);
    expect(await new DriftStateStore(db).load({ ...model, sha256: '0'.repeat(64) })).to.equal(undefined);
    const b: DriftEvent[] = [];
    const restored = DeviceDrift.restore(saved!, { model, onDrift: (e) => b.push(e) });
    a.length = 0;
    const fa = stream.slice(2500).map((o) => original.update(o));
    const fb = stream.slice(2500).map((o) => restored.update(o));
    expect(fb).to.deep.equal(fa);
    expect(a.length).to.be.greaterThan(2);
    expect([...new Set(a.map((e) => e.kind))]).to.include.members(['feature', 'confidence', 'prediction']);
    expect(b).to.deep.equal(a);
    db.close();
  });

  it('measureLoggerThroughput runs in the page (the benchmark reads the number)', async function () {
    this.timeout(60_000);
    const r = await measureLoggerThroughput(50_000, 1000);
    console.log(
      `loggerRecordsPerSec ${r.recordsPerSec} (${r.records} records, batch ${r.batchSize}, log() ${r.logCallUs.toFixed(2)} µs)`,
    );
    expect(r.records).to.equal(50_000);
    expect(r.recordsPerSec).to.be.greaterThan(0);
  });
});
