import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  appendEvent,
  deviceDocId,
  initDeviceDoc,
  report,
  setDesired,
  toBase64,
  type DeviceDoc,
} from '../../../shared/documents/index.ts';
import { DocumentsService } from '../../src/services/documents/index.ts';
import type { Db } from '../../src/store/db/index.ts';
import { rejectsWith } from '../support/tracking.ts';
import { migratedPglite } from '../../../testing/test-db.ts';

let n = 0;
const freshId = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const changesOf = (before: A.Doc<DeviceDoc>, after: A.Doc<DeviceDoc>) => A.getChanges(before, after);
const count = async (db: Db, docId: string) =>
  Number(
    (await db.query<{ n: string }>('SELECT count(*) AS n FROM doc_changes WHERE doc_id = $1', [docId])).rows[0]?.n,
  );

describe('DocumentsService: append-only Automerge changes in PostgreSQL (PGlite)', () => {
  let db: Db;
  let docs: DocumentsService;
  before(async () => {
    db = await migratedPglite();
    docs = new DocumentsService(db);
  });
  after(() => db.close());

  it('a never-synced document loads as its skeleton', async () => {
    const id = freshId();
    const doc = (await docs.load(deviceDocId(id))) as A.Doc<DeviceDoc>;
    assert.equal(doc.deviceId, id);
    assert.deepEqual(A.getHeads(doc), A.getHeads(initDeviceDoc(id)));
  });

  it('duplicate changes are harmless: stored once, the document unchanged', async () => {
    const id = freshId();
    const base = initDeviceDoc(id);
    const edited = report(base, { status: 'ok' });
    const changes = changesOf(base, edited);
    await docs.applyChanges(deviceDocId(id), changes);
    await docs.applyChanges(deviceDocId(id), [...changes, ...changes]);
    assert.equal(await count(db, deviceDocId(id)), 1);
    const loaded = await docs.load(deviceDocId(id));
    assert.deepEqual(A.getHeads(loaded), A.getHeads(edited));
    assert.deepEqual(A.toJS(loaded), A.toJS(edited));
  });

  it('two service instances on one database applying concurrent changes keep them all', async () => {
    const id = deviceDocId(freshId());
    const other = new DocumentsService(db);
    const base = initDeviceDoc(id.slice('device:'.length));
    const edits = Array.from({ length: 20 }, (_, i) => {
      const e = appendEvent(A.clone(base), { id: `e${i}`, ts: 't', kind: 'ks', statistic: i });
      return changesOf(base, e);
    });
    await Promise.all(edits.map((c, i) => (i % 2 ? docs : other).applyChanges(id, c)));
    const [a, b] = await Promise.all([docs.load(id), other.load(id)]);
    assert.equal((a as A.Doc<DeviceDoc>).events.length, 20);
    assert.deepEqual(A.getHeads(a).sort(), A.getHeads(b).sort());
  });

  it('a document kept between syncs reads only newer changes, and sees what another instance stored meanwhile', async () => {
    const id = freshId();
    const docId = deviceDocId(id);
    const other = new DocumentsService(db);
    const base = initDeviceDoc(id);
    const one = report(base, { status: 'one' });
    await docs.sync(docId, { have: A.getHeads(one), changes: changesOf(base, one).map(toBase64) }); // kept by `docs`
    const two = report(one, { status: 'two' });
    await other.applyChanges(docId, changesOf(one, two)); // stored by another instance
    // The kept copy is brought up to date from the rows after its seq, not reloaded: count the queries.
    const queries: string[] = [];
    const query = db.query.bind(db);
    (db as { query: unknown }).query = (text: string, ...rest: unknown[]) => (
      queries.push(text), (query as (...a: unknown[]) => unknown)(text, ...rest)
    );
    let answer;
    try {
      answer = await docs.sync(docId, { have: A.getHeads(one), changes: [] });
    } finally {
      (db as { query: unknown }).query = query;
    }
    assert.equal(queries.length, 1, queries.join('\n'));
    assert.match(queries[0]!, /FROM doc_changes WHERE doc_id = \$1 AND seq > \$2/);
    const [caught] = A.applyChanges(
      A.clone(one),
      answer.changes.map((c) => Uint8Array.from(Buffer.from(c, 'base64'))),
    );
    assert.equal(
      (caught as A.Doc<DeviceDoc>).reported.status,
      'two',
      "the other instance's change came with the answer",
    );
    assert.deepEqual(A.getHeads(await docs.load(docId)), A.getHeads(two));
  });

  it('a reader keeping the document while two writers race misses no change (seqs follow commit order)', async () => {
    const id = freshId();
    const docId = deviceDocId(id);
    const [a, b, reader] = [new DocumentsService(db), new DocumentsService(db), new DocumentsService(db)];
    const base = initDeviceDoc(id);
    const edits = Array.from({ length: 40 }, (_, i) =>
      changesOf(base, appendEvent(A.clone(base), { id: `r${i}`, ts: 't', kind: 'ks', statistic: i })),
    );
    let done = false;
    const reading = (async () => {
      for (let reads = 0; !done || reads === 0; reads++) await reader.sync(docId, { have: [], changes: [] });
    })();
    await Promise.all(edits.map((c, i) => (i % 2 ? a : b).applyChanges(docId, c)));
    done = true;
    await reading;
    const kept = await reader.sync(docId, { have: [], changes: [] }); // from the kept copy plus newer rows
    const [doc] = A.applyChanges(
      A.init<DeviceDoc>(),
      kept.changes.map((c) => Uint8Array.from(Buffer.from(c, 'base64'))),
    );
    assert.equal(doc.events.length, 40);
    assert.deepEqual([...kept.heads].sort(), A.getHeads(await a.load(docId)).sort());
  });

  it('a write whose transaction does not commit leaves no trace in the kept document', async () => {
    const id = freshId();
    const docId = deviceDocId(id);
    const base = initDeviceDoc(id);
    const one = report(base, { status: 'one' });
    await docs.sync(docId, { have: A.getHeads(one), changes: changesOf(base, one).map(toBase64) }); // kept
    const two = report(one, { status: 'two' });
    const transaction = db.transaction.bind(db);
    (db as { transaction: unknown }).transaction = (fn: (tx: unknown) => Promise<unknown>) =>
      transaction(async (tx) => {
        await fn(tx);
        throw new Error('the commit failed');
      });
    try {
      await assert.rejects(
        docs.sync(docId, { have: A.getHeads(two), changes: changesOf(one, two).map(toBase64) }),
        /the commit failed/,
      );
    } finally {
      (db as { transaction: unknown }).transaction = transaction;
    }
    const after = (await docs.sync(docId, { have: A.getHeads(base), changes: [] })) as { heads: string[] };
    assert.deepEqual(after.heads, A.getHeads(one), 'the rolled-back change is in no answer');
    assert.equal(await count(db, docId), 1);
  });

  it('server-side edits and snapshots: compaction changes nothing a reader sees', async () => {
    const id = deviceDocId(freshId());
    for (let i = 0; i < 70; i++) await docs.change<DeviceDoc>(id, (d) => setDesired(d, { syncIntervalSec: 60 + i }));
    const snap = await db.query<{ changes: number }>('SELECT changes FROM doc_snapshots WHERE doc_id = $1', [id]);
    assert.equal(snap.rows[0]?.changes, 64, 'a snapshot was written after 64 changes');
    await docs.change<DeviceDoc>(id, (d) => report(d, { status: 'after snapshot' }));
    const loaded = (await docs.load(id)) as A.Doc<DeviceDoc>;
    assert.equal(loaded.desired.syncIntervalSec, 129);
    assert.equal(loaded.reported.status, 'after snapshot');
    await docs.compact(id);
    assert.deepEqual(A.toJS(await docs.load(id)), A.toJS(loaded));
    assert.deepEqual(A.getHeads(await docs.load(id)), A.getHeads(loaded));
  });

  it('a change with unknown dependencies is refused (409, nothing stored); sent with its parent it is stored', async () => {
    const id = freshId();
    const base = initDeviceDoc(id);
    const one = report(base, { status: 'one' });
    const two = report(one, { status: 'two' });
    // Stored, such a change would wedge the document: no snapshot past it, and `missing` in every answer.
    await rejectsWith(
      docs.sync(deviceDocId(id), { have: A.getHeads(two), changes: changesOf(one, two).map(toBase64) }),
      'missing_dependencies',
      /depend on 1 change/,
    );
    assert.equal(await count(db, deviceDocId(id)), 0);
    const second = await docs.sync(deviceDocId(id), {
      have: A.getHeads(two),
      changes: changesOf(base, two).map(toBase64),
    });
    assert.deepEqual(second.missing, []);
    assert.deepEqual(second.heads, A.getHeads(two));
  });

  it('bytes that are not an Automerge change are a bad request and store nothing', async () => {
    const id = deviceDocId(freshId());
    await rejectsWith(
      docs.sync(id, { have: [], changes: [toBase64(new Uint8Array([1, 2, 3, 4]))] }),
      'bad_request',
      /not an Automerge change/,
    );
    assert.equal(await count(db, id), 0);
  });
});
