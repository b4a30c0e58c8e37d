import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { deleteDB, openDB } from 'idb';
import { DRIFT_FLAGS } from '../src/lcm/drift/index.ts';
import { CSV_COLUMNS, csvField, DataLogger, type DataLoggerOptions } from '../src/lcm/logger/index.ts';
import { DB_VERSION, openLcmDb, type LcmDb } from '../src/lcm/storage/db.ts';
import type { InferenceObservation, InferenceRecord } from '../src/lcm/types.ts';
import { makeStream, MODEL } from './monitor-fixtures.ts';

let opened: { db: LcmDb; name: string }[] = [];
async function freshDb(): Promise<LcmDb> {
  const name = `logger-${Math.random().toString(36).slice(2)}`;
  const db = await openLcmDb(name);
  opened.push({ db, name });
  return db;
}
afterEach(async () => {
  for (const { db, name } of opened) {
    db.close();
    await deleteDB(name);
  }
  opened = [];
});

async function logger(options: DataLoggerOptions = {}): Promise<DataLogger> {
  return new DataLogger(await freshDb(), { flushIntervalMs: 60_000, ...options });
}

const ids = (rs: readonly { id: string }[]) => rs.map((r) => r.id);

describe('DataLogger: batching', () => {
  it('writes a segment per batchSize records, one transaction each, and the rest on flush', async () => {
    const db = await freshDb();
    let transactions = 0;
    const tx = db.transaction.bind(db);
    (db as { transaction: unknown }).transaction = (...a: Parameters<typeof tx>) => {
      transactions += 1;
      return tx(...a);
    };
    const log = new DataLogger(db, { batchSize: 100, flushIntervalMs: 60_000 });
    const stream = makeStream(250, 1);
    for (const o of stream) log.log(o);
    let s = await log.stats();
    assert.equal(s.count, 200);
    assert.equal(s.segments, 2);
    assert.equal(s.buffered, 50);
    assert.equal(transactions, 3); // two appends, one totals read
    assert.equal(await log.flush(), 50);
    s = await log.stats();
    assert.deepEqual([s.count, s.segments, s.buffered, s.unsent, s.written, s.dropped], [250, 3, 0, 250, 250, 0]);
    assert.deepEqual(ids(await log.unacked(1000)), ids(stream));
  });

  it('flushes a partial segment after flushIntervalMs', async () => {
    const log = await logger({ batchSize: 1000, flushIntervalMs: 20 });
    for (const o of makeStream(7, 2)) log.log(o);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal((await log.stats()).count, 7);
  });

  it('starts a new segment when the model or the vector sizes change', async () => {
    const log = await logger({ batchSize: 100 });
    const other = { ...MODEL, version: 4 };
    const a = makeStream(3, 3);
    const b = makeStream(3, 4, {}, other);
    for (const o of [...a, ...b, { ...(a[0] as InferenceObservation), id: 'short', features: [1] }]) log.log(o);
    await log.flush();
    const recs = await log.unacked();
    assert.equal((await log.stats()).segments, 3);
    assert.deepEqual(
      recs.map((r) => r.model.version),
      [3, 3, 3, 4, 4, 4, 3],
    );
    assert.deepEqual(recs[6]?.input, [1]);
  });

  it('keeps every field of an observation', async () => {
    const log = await logger();
    const [o] = makeStream(1, 5);
    const obs = o as InferenceObservation;
    log.log(obs, DRIFT_FLAGS.feature | DRIFT_FLAGS.knn, 'blob:img-1');
    log.log({ id: 'failed', ts: 5, model: MODEL, latencyMs: 0.1, batch: 1, error: 'input "x": expected float32[1,3]' });
    const [r, f] = await log.unacked();
    assert.deepEqual(r, {
      id: obs.id,
      ts: obs.ts,
      model: MODEL,
      input: obs.features,
      inputRef: 'blob:img-1',
      output: { classIndex: obs.classIndex, label: obs.label, probabilities: obs.probabilities },
      latencyMs: obs.latencyMs,
      confidence: obs.confidence,
      margin: obs.margin,
      entropy: obs.entropy,
      drift: DRIFT_FLAGS.feature | DRIFT_FLAGS.knn,
      segment: r?.segment,
      acked: false,
    });
    assert.deepEqual(f, {
      id: 'failed',
      ts: 5,
      model: MODEL,
      output: {},
      latencyMs: 0.1,
      drift: 0,
      error: 'input "x": expected float32[1,3]',
      segment: f?.segment,
      acked: false,
    });
  });

  it('leaves inputs and probabilities out when the policy says so', async () => {
    const log = await logger({ input: 'none', probabilities: false });
    for (const o of makeStream(3, 6)) log.log(o);
    for (const r of await log.unacked()) {
      assert.equal(r.input, undefined);
      assert.equal(r.output.probabilities, undefined);
      assert.equal(typeof r.output.label, 'string');
    }
  });
});

describe('DataLogger: sampling', () => {
  const stream = makeStream(100, 7).map((o, i) => ({ ...o, confidence: i % 10 === 3 ? 0.2 : 0.9 }));

  it('every Nth', async () => {
    const log = await logger({ sampling: { everyNth: 10 } });
    stream.forEach((o) => log.log(o));
    assert.deepEqual(
      ids(await log.unacked()),
      stream.filter((_, i) => i % 10 === 0).map((o) => o.id),
    );
  });

  it('low confidence only', async () => {
    const log = await logger({ sampling: { everyNth: 0, confidenceBelow: 0.5 } });
    stream.forEach((o) => log.log(o));
    assert.deepEqual(
      ids(await log.unacked()),
      stream.filter((_, i) => i % 10 === 3).map((o) => o.id),
    );
  });

  it('K before and K after each drift, plus errors', async () => {
    const log = await logger({ sampling: { everyNth: 0, aroundDrift: 3 } });
    stream.forEach((o, i) =>
      log.log(
        i === 57 ? { ...o, error: 'x' } : o,
        i === 40 || i === 44 ? DRIFT_FLAGS.prediction : i === 80 ? DRIFT_FLAGS.confidence << 4 : 0,
      ),
    );
    // 37..47 around the two drifts (the second extends the first), 57 the error; a warning (80) is not a drift
    const want = [37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 57].map((i) => stream[i]?.id);
    assert.deepEqual(ids(await log.unacked()), want);
  });

  it('rules combine: every 50th or low confidence', async () => {
    const log = await logger({ sampling: { everyNth: 50, confidenceBelow: 0.5 } });
    stream.forEach((o) => log.log(o));
    const want = stream.filter((_, i) => i % 50 === 0 || i % 10 === 3).map((o) => o.id);
    assert.deepEqual(ids(await log.unacked()), want);
  });
});

describe('DataLogger: sync and retention', () => {
  it('unacked → markSent → batch → acknowledge', async () => {
    const log = await logger({ batchSize: 10 });
    for (const o of makeStream(35, 8)) log.log(o);
    const first = await log.unacked(15); // whole segments: 20 records
    assert.equal(first.length, 20);
    const segments = [...new Set(first.map((r) => r.segment as number))];
    assert.equal(await log.markSent(segments, 'batch-1'), 2);
    assert.deepEqual(ids(await log.batch('batch-1')), ids(first));
    const rest = await log.unacked();
    assert.equal(rest.length, 15);
    assert.equal((await log.stats()).unsent, 15);
    assert.equal(await log.acknowledge('batch-1'), 2);
    assert.equal(await log.acknowledge('batch-1'), 0); // idempotent
    assert.ok((await log.batch('batch-1')).every((r) => r.acked && r.batchId === 'batch-1'));
  });

  async function scenario(retention: DataLoggerOptions['retention']) {
    const log = await logger({ batchSize: 10, retention });
    const stream = makeStream(60, 9); // six segments, ts T0 … T0 + 5.9 s
    for (const o of stream) log.log(o);
    await log.flush();
    const recs = await log.unacked(60);
    const seg = (k: number) => recs[k * 10]?.segment as number;
    // segments 1, 2 and 4 acknowledged; 0, 3 and 5 not (0 is the oldest of all)
    await log.markSent([seg(1), seg(2)], 'a');
    await log.markSent([seg(4)], 'b');
    await log.markSent([seg(3)], 'sent-not-acked');
    await log.acknowledge('a');
    await log.acknowledge('b');
    return { log, stream, seg };
  }

  it('by count: deletes acknowledged segments oldest first, never an unacknowledged one', async () => {
    const { log, stream } = await scenario({ maxRecords: 1 });
    assert.equal(await log.enforceRetention(), 30);
    const left = await log.exportText('jsonl');
    const kept = left
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as InferenceRecord).id);
    assert.deepEqual(
      kept,
      [...stream.slice(0, 10), ...stream.slice(30, 40), ...stream.slice(50)].map((o) => o.id),
    );
    const s = await log.stats();
    assert.deepEqual([s.count, s.segments], [30, 3]);
  });

  it('by bytes: stops as soon as the total fits', async () => {
    const { log } = await scenario(undefined);
    const bytes = (await log.stats()).bytes;
    const limited = new DataLogger((log as unknown as { store: { db: LcmDb } }).store.db, {
      retention: { maxBytes: bytes - 1 },
    });
    assert.equal(await limited.enforceRetention(), 10); // one segment is enough
    assert.ok((await limited.stats()).bytes < bytes);
  });

  it('by age: only acknowledged segments older than maxAgeMs', async () => {
    const { log, stream } = await scenario({ maxAgeMs: 1000 });
    const now = (stream[39]?.ts as number) + 1000; // segments whose newest record is before stream[39]
    assert.equal(await log.enforceRetention(now), 20); // 1 and 2; 0 and 3 are unacknowledged, 4 is young
    assert.equal((await log.stats()).count, 40);
  });

  it('after a reopen the unacknowledged records and the totals are still there', async () => {
    const name = `logger-reopen-${Math.random().toString(36).slice(2)}`;
    let db = await openLcmDb(name);
    let log = new DataLogger(db, { batchSize: 10 });
    for (const o of makeStream(25, 10)) log.log(o);
    await log.close();
    assert.equal(log.log(makeStream(1, 11)[0] as InferenceObservation), false);
    db.close();
    db = await openLcmDb(name);
    opened.push({ db, name });
    log = new DataLogger(db);
    assert.equal((await log.unacked()).length, 25);
    assert.equal((await log.stats()).count, 25);
  });
});

describe('DataLogger: a page going away (spill, recover)', () => {
  it('spill() writes the buffer in one transaction that reads nothing; recover() adds it to the log, in order, once', async () => {
    const db = await freshDb();
    const first = new DataLogger(db, { batchSize: 100, flushIntervalMs: 60_000 });
    const stream = makeStream(25, 12);
    for (const o of stream.slice(0, 10)) first.log(o);
    await first.flush();
    for (const o of stream.slice(10)) first.log(o); // 15 buffered
    const requests: string[] = [];
    const tx = db.transaction.bind(db);
    (db as { transaction: unknown }).transaction = (...a: Parameters<typeof tx>) => {
      const t = tx(...a);
      const store = t.objectStore('kv');
      for (const op of ['get', 'getAll', 'count', 'openCursor'] as const) {
        const original = (store as unknown as Record<string, (...x: unknown[]) => unknown>)[op]!.bind(store);
        (store as unknown as Record<string, unknown>)[op] = (...x: unknown[]) => (requests.push(op), original(...x));
      }
      return t;
    };
    first.spill();
    (db as { transaction: unknown }).transaction = tx;
    assert.deepEqual(requests, [], 'the spill asked IndexedDB for nothing');
    assert.equal((await first.stats()).buffered, 0);

    // The next page: the spilled records are not in the log until recovered.
    const next = new DataLogger(db);
    assert.equal((await next.stats()).count, 10);
    assert.equal(await next.recover(), 15);
    assert.equal(await next.recover(), 0, 'a spill is recovered once');
    const s = await next.stats();
    assert.deepEqual([s.count, s.unsent, s.segments], [25, 25, 2]);
    assert.deepEqual(
      ids(await next.unacked()),
      stream.map((o) => o.id),
    );
  });

  it('several spills are recovered oldest first, after which new records follow', async () => {
    const db = await freshDb();
    const stream = makeStream(9, 13);
    for (const part of [stream.slice(0, 3), stream.slice(3, 6)]) {
      const page = new DataLogger(db, { flushIntervalMs: 60_000 });
      for (const o of part) page.log(o);
      page.spill();
      await new Promise((r) => setTimeout(r, 2)); // distinct spill keys by time as well as by counter
    }
    const log = new DataLogger(db, { flushIntervalMs: 60_000 });
    const recovered = log.recover();
    for (const o of stream.slice(6)) log.log(o);
    await log.flush();
    assert.equal(await recovered, 6);
    assert.deepEqual(
      ids(await log.unacked()),
      stream.map((o) => o.id),
    );
  });
});

describe('DataLogger: spilling to localStorage (as in a browser)', () => {
  class MemoryStorage implements Storage {
    private readonly m = new Map<string, string>();
    constructor(private readonly quota = Infinity) {}
    get length() {
      return this.m.size;
    }
    key(i: number) {
      return [...this.m.keys()][i] ?? null;
    }
    getItem(k: string) {
      return this.m.get(k) ?? null;
    }
    setItem(k: string, v: string) {
      if (v.length > this.quota) throw new DOMException('quota', 'QuotaExceededError');
      this.m.set(k, v);
    }
    removeItem(k: string) {
      this.m.delete(k);
    }
    clear() {
      this.m.clear();
    }
  }
  const withStorage = async <T>(storage: Storage, fn: () => Promise<T>): Promise<T> => {
    (globalThis as { localStorage?: Storage }).localStorage = storage;
    try {
      return await fn();
    } finally {
      delete (globalThis as { localStorage?: Storage }).localStorage;
    }
  };

  it('spill() writes one localStorage item (typed columns intact, NaN included); recover() moves it into the log', async () => {
    const storage = new MemoryStorage();
    await withStorage(storage, async () => {
      const db = await freshDb();
      const stream = makeStream(30, 14).map((o, i) =>
        i % 7 === 0 ? { ...o, confidence: null } : o,
      ) as InferenceObservation[];
      const page = new DataLogger(db, { flushIntervalMs: 60_000 });
      for (const o of stream) page.log(o);
      page.spill();
      assert.equal(storage.length, 1);
      assert.deepEqual(
        (await db.getAllKeys('kv')).filter((k) => String(k).includes('spill')),
        [],
        'nothing went to IndexedDB',
      );
      const next = new DataLogger(db);
      assert.equal(await next.recover(), 30);
      assert.equal(storage.length, 0, 'the item is gone once its records are in the log');
      const back = await next.unacked();
      assert.deepEqual(
        ids(back),
        stream.map((o) => o.id),
      );
      back.forEach((r, i) => {
        assert.equal(r.latencyMs, stream[i]!.latencyMs);
        assert.equal(r.confidence ?? null, stream[i]!.confidence ?? null);
      });
    });
  });

  it('beyond the quota the spill goes to IndexedDB, and is recovered all the same', async () => {
    const storage = new MemoryStorage(10);
    await withStorage(storage, async () => {
      const db = await freshDb();
      const page = new DataLogger(db, { flushIntervalMs: 60_000 });
      const stream = makeStream(5, 15);
      for (const o of stream) page.log(o);
      page.spill();
      assert.equal(storage.length, 0);
      assert.equal(await new DataLogger(db).recover(), 5);
      assert.deepEqual(
        ids(await new DataLogger(db).unacked()),
        stream.map((o) => o.id),
      );
    });
  });
});

describe('DataLogger: failures', () => {
  it('keeps records after a failed write (quota) and writes them on the next flush', async () => {
    const errors: unknown[] = [];
    const log = await logger({ batchSize: 10, onError: (e) => errors.push(e) });
    const append = log.store.append.bind(log.store);
    let fail = true;
    log.store.append = async (s) => {
      if (fail) throw new DOMException('full', 'QuotaExceededError');
      return append(s);
    };
    const stream = makeStream(25, 12);
    for (const o of stream) log.log(o);
    await assert.rejects(log.flush(), /full/);
    assert.equal((await log.stats()).buffered, 25);
    fail = false;
    assert.equal(await log.flush(), 25);
    assert.deepEqual(ids(await log.unacked()), ids(stream));
    assert.ok(errors.length >= 1);
  });

  it('drops a batch IndexedDB can never store, and the oldest beyond maxBuffered', async () => {
    const log = await logger({ batchSize: 10, maxBuffered: 15, onError: () => {} });
    log.store.append = async () => {
      throw new DOMException('nope', 'QuotaExceededError');
    };
    for (const o of makeStream(40, 13)) log.log(o);
    await log.flush().catch(() => {});
    const s = await log.stats();
    assert.ok(s.buffered <= 15 && s.dropped === 40 - s.buffered, JSON.stringify(s));
    log.store.append = async () => {
      throw new DOMException('cannot clone', 'DataCloneError');
    };
    await log.flush().catch(() => {});
    assert.equal((await log.stats()).buffered, 0);
    assert.equal((await log.stats()).dropped, 40);
  });
});

describe('DataLogger: export', () => {
  it('JSON Lines and CSV with RFC 4180 escaping, filtered by time and model', async () => {
    const log = await logger();
    const [a, b, c] = makeStream(3, 14);
    log.log({ ...(a as InferenceObservation), label: 'rain, heavy', error: 'said "no"\nthen stopped' });
    log.log(b as InferenceObservation);
    log.log({ ...(c as InferenceObservation), model: { ...MODEL, name: 'other' } });
    const jsonl = await log.exportText('jsonl');
    const lines = jsonl
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as InferenceRecord);
    assert.deepEqual(
      lines.map((r) => r.id),
      [a?.id, b?.id, c?.id],
    );
    assert.equal(lines[0]?.error, 'said "no"\nthen stopped');

    const csv = await log.exportText('csv', { model: 'weather' });
    const rows = csv.split('\r\n');
    assert.equal(rows[0], CSV_COLUMNS.join(','));
    assert.equal(rows.length, 4); // header, two rows (the error's newline is inside quotes), trailing ''
    assert.ok(csv.includes('"rain, heavy"'));
    assert.ok(csv.includes('"said ""no""\nthen stopped"'));
    assert.ok(csv.includes(`"${JSON.stringify(a?.features)}"`));
    const later = await log.exportText('jsonl', { from: b?.ts });
    assert.equal(later.trim().split('\n').length, 2);
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a\rb'), '"a\rb"');
    assert.equal(csvField(undefined), '');
  });

  it('streams pages as a ReadableStream', async () => {
    const log = await logger({ batchSize: 50 });
    for (const o of makeStream(2000, 15)) log.log(o); // 40 segments: three pages
    const parts: string[] = [];
    const reader = log.exportStream('jsonl').getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
    assert.ok(parts.length >= 3);
    assert.equal(parts.join('').trim().split('\n').length, 2000);
  });
});

describe('schema upgrade', () => {
  it('a version-2 database gains the logger and drift stores and keeps its data', async () => {
    const name = `logger-upgrade-${Math.random().toString(36).slice(2)}`;
    const old = await openDB(name, 2, { upgrade: (db) => void db.createObjectStore('kv') });
    await old.put('kv', 'dev-1', 'deviceId');
    old.close();
    const db = await openLcmDb(name);
    opened.push({ db, name });
    assert.ok(DB_VERSION >= 3);
    for (const s of ['inference-logs', 'drift-states']) assert.ok(db.objectStoreNames.contains(s as 'kv'), s);
    assert.equal(await db.get('kv', 'deviceId'), 'dev-1');
  });
});
