import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DocSync } from '../../../shared/sync/documents.ts';
import { deviceDocId, initDeviceDoc, report, toBase64, type DeviceDoc } from '../../../shared/documents/index.ts';
import { upsertReported } from '../../src/services/deployments/states.ts';
import { DocumentsService } from '../../src/services/documents/index.ts';
import { toErrorResponse } from '../../src/http/errors.ts';
import type { Db } from '../../src/store/db/index.ts';
import { rejectsWith } from '../support/tracking.ts';
import { migratedPglite } from '../../../testing/test-db.ts';

const count = async (db: Db, docId: string, table = 'doc_changes') =>
  Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE doc_id = $1`, [docId])).rows[0]?.n);
const sync = (docs: DocumentsService, docId: string, before: A.Doc<DeviceDoc>, after: A.Doc<DeviceDoc>) =>
  docs.sync(docId, { have: A.getHeads(after), changes: A.getChanges(before, after).map(toBase64) }, 'device');

/** A change with one more actor in its header than its operations use: Automerge panics applying it. */
function withUnusedActor(change: Uint8Array): Uint8Array {
  const b = [...change];
  const uleb = (at: number) => {
    let v = 0;
    let s = 1;
    for (;;) {
      const x = b[at++]!;
      v += (x & 0x7f) * s;
      s *= 128;
      if (!(x & 0x80)) return [v, at] as const;
    }
  };
  let [len, p] = uleb(9);
  const bodyStart = p;
  let n: number;
  [n, p] = uleb(p);
  p += n * 32; // deps
  [n, p] = uleb(p);
  p += n; // actor
  for (let i = 0; i < 3; i++) [, p] = uleb(p); // seq, startOp, time
  [n, p] = uleb(p);
  p += n; // message
  const [actors, q] = uleb(p);
  const body = [
    ...b.slice(bodyStart, p),
    actors + 1,
    ...b.slice(q, q + 17 * actors),
    16,
    ...new Array(16).fill(0xee),
    ...b.slice(q + 17 * actors, bodyStart + len),
  ];
  len = body.length;
  const chunk = [b[8]!, ...(len < 128 ? [len] : [(len & 0x7f) | 0x80, len >> 7]), ...body];
  return Uint8Array.from([
    0x85,
    0x6f,
    0x4a,
    0x83,
    ...createHash('sha256').update(Uint8Array.from(chunk)).digest().subarray(0, 4),
    ...chunk,
  ]);
}

describe('DocumentsService: what a sync may write, refused before anything is stored (PGlite)', () => {
  let db: Db;
  let docs: DocumentsService;
  before(async () => {
    db = await migratedPglite();
    docs = new DocumentsService(db);
  });
  after(async () => {
    await docs.close();
    await db.close();
  });

  it('a refused change leaves no row and no wedge: later changes are stored and snapshotted', async () => {
    const id = randomUUID();
    const docId = deviceDocId(id);
    const base = initDeviceDoc(id);
    const huge = A.change(
      A.clone(base),
      (d) => void (d.reported.status = new A.ImmutableString('x'.repeat(700_000)) as unknown as string),
    );
    await rejectsWith(sync(docs, docId, base, huge), 'payload_too_large', /MAX_DOC_CHANGE_BYTES/);
    const bomb = A.change(
      A.clone(base),
      (d) => void ((d.reported as Record<string, unknown>).list = new Array(100_000).fill(null)),
    );
    await rejectsWith(sync(docs, docId, base, bomb), 'payload_too_large', /MAX_DOC_CHANGE_OPS/);
    const odd = withUnusedActor(A.getChanges(base, report(A.clone(base), { status: 'odd' }))[0]!);
    await rejectsWith(docs.sync(docId, { have: [], changes: [toBase64(odd)] }, 'device'), 'bad_request', /can apply/);
    assert.equal(await count(db, docId), 0);
    let doc = base;
    for (let i = 0; i < 70; i++) {
      const next = report(A.clone(doc), { status: `s${i}` });
      const answer = await sync(docs, docId, doc, next);
      assert.deepEqual(answer.missing, []);
      doc = next;
    }
    assert.equal(await count(db, docId), 70);
    assert.equal(await count(db, docId, 'doc_snapshots'), 1, 'the snapshot was written');
    assert.equal(((await docs.load(docId)) as A.Doc<DeviceDoc>).reported.status, 's69');
  });

  it('a device is refused what it does not own; the listeners see nothing of it', async () => {
    const id = randomUUID();
    const docId = deviceDocId(id);
    const seen: unknown[] = [];
    const watched = new DocumentsService(db);
    watched.onReceive(async (_, doc) => void seen.push(doc));
    const base = initDeviceDoc(id);
    const desired = A.change(A.clone(base), (d) => void (d.desired.syncIntervalSec = 1));
    await rejectsWith(
      watched.sync(docId, { have: [], changes: A.getChanges(base, desired).map(toBase64) }, 'device'),
      'forbidden',
      /desired\.syncIntervalSec is written by the server/,
    );
    assert.deepEqual(seen, []);
    const ok = report(A.clone(base), { status: 'fine' });
    await watched.sync(docId, { have: [], changes: A.getChanges(base, ok).map(toBase64) }, 'device');
    assert.equal(
      (seen[0] as unknown as DeviceDoc).reported.status,
      'fine',
      'listeners get a plain view of the merged document',
    );
    await watched.close();
  });

  it('legacy data: a stored model version past int4 no longer makes the receive listener fail', async () => {
    const { rows } = await db.query<{ id: string }>(`INSERT INTO device_groups (name) VALUES ($1) RETURNING id`, [
      `g-${randomUUID()}`,
    ]);
    const dev = await db.query<{ id: string }>(`INSERT INTO devices (group_id, name) VALUES ($1, 'cam') RETURNING id`, [
      rows[0]!.id,
    ]);
    const deviceId = dev.rows[0]!.id;
    // Before the fix: "value out of range for type integer", a 500 on every later sync of that document.
    await upsertReported(db, deviceId, {
      model: { name: 'm', version: String(2 ** 40), sha256: 'a'.repeat(64) },
      status: 'running',
    });
    const state = await db.query<{ reported_version: number | null; reported_name: string }>(
      'SELECT reported_version, reported_name FROM device_states WHERE device_id = $1',
      [deviceId],
    );
    assert.deepEqual(state.rows[0], { reported_version: null, reported_name: 'm' });
  });

  it('the device replica resends everything once on a 409 for missing dependencies, and reports a refusal without retrying it', async () => {
    const id = randomUUID();
    const docId = deviceDocId(id);
    const requests: number[] = [];
    // The server end of the wire: this service (validation included) behind a fetch.
    const fetch = (async (_url: string, init: RequestInit) => {
      const body = JSON.parse(new TextDecoder().decode(init.body as Uint8Array)) as {
        have: string[];
        changes: string[];
      };
      requests.push(body.changes.length);
      try {
        return Response.json(await docs.sync(docId, body, 'device'));
      } catch (err) {
        const { status, body } = toErrorResponse(err);
        return Response.json(body, { status });
      }
    }) as typeof globalThis.fetch;
    const device = await DocSync.open<DeviceDoc>({ url: 'http://server', token: 't', docId, fetch, format: 'json' });
    await device.edit((d) => report(d, { status: 'one' }));
    await device.sync();
    await device.edit((d) => report(d, { status: 'two' }));
    // The server lost what the device had sent (restored from a backup): the device's idea of its heads is stale.
    await db.query('DELETE FROM doc_changes WHERE doc_id = $1', [docId]);
    await docs.close();
    docs = new DocumentsService(db);
    const fresh = docs;
    requests.length = 0;
    await device.sync();
    assert.deepEqual(
      requests,
      [1, 3],
      'refused with 409, then everything (the skeleton, one, two) resent in one more exchange',
    );
    assert.equal(((await fresh.load(docId)) as A.Doc<DeviceDoc>).reported.status, 'two');
    requests.length = 0;
    await device.edit((d) => A.change(d, (x) => void (x.desired.syncIntervalSec = 5)));
    await assert.rejects(device.sync(), /HTTP 403 .*desired\.syncIntervalSec/);
    assert.deepEqual(requests, [1], 'a refusal is reported, not retried');
  });
});
