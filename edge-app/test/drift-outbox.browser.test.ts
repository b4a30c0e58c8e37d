/**
 * Drift events raised and not yet synced survive a reload and a closed browser, in Chromium's
 * IndexedDB and localStorage: the PWA calls persistNow() on pagehide, and the next start finds
 * them (that they then reach the server exactly once: drift-outbox.test.ts).
 */
import assert from 'node:assert/strict';
import { after, afterEach, describe, it } from 'node:test';
import { deleteDB } from 'idb';
import { DriftOutbox } from '../src/lcm/drift/outbox.ts';
import { openLcmDb } from '../src/lcm/storage/db.ts';
import { TinyLCM } from '../src/lcm/tinylcm.ts';
import type { DriftEvent } from '../src/lcm/types.ts';
import { RuntimeWorker } from '../src/worker/client.ts';

const wasmUrl = new URL('/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm', location.origin).href;
const fixture = (file: string) => new URL(`./fixtures/${file}`, import.meta.url);
const hex = async (b: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', b.slice()))]
    .map((x) => x.toString(16).padStart(2, '0'))
    .join('');
const outboxKeys = () =>
  Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i)!).filter((k) =>
    k.startsWith('drift-outbox:'),
  );

const event = (n: number): DriftEvent => ({
  id: `page-${n}/feature:temp_max`,
  ts: 1_700_000_000_000 + n,
  model: { name: 'weather', version: 1, sha256: 'a'.repeat(64) },
  kind: 'feature',
  channel: 'feature:temp_max',
  detector: 'ewma',
  feature: 'temp_max',
  statistic: 4 + n,
  window: { size: 0, firstId: '', lastId: '', statistics: [] },
  samples: [],
});

describe('drift events survive the page (Chromium)', { timeout: 60_000 }, () => {
  const dbName = `drift-outbox-${Math.random().toString(36).slice(2)}`;
  afterEach(() => outboxKeys().forEach((k) => localStorage.removeItem(k)));
  after(() => deleteDB(dbName));

  it('reload: events raised by the model in the worker are there when TinyLCM opens again', async () => {
    const worker = new RuntimeWorker({ wasmUrl, callTimeoutMs: 10_000 });
    const lcm = await TinyLCM.open({ backend: worker, db: dbName, models: { storage: null } });
    const bytes = new Uint8Array(await (await fetch(fixture('demo.onnx'))).arrayBuffer());
    await lcm.models.add(bytes, {
      name: 'seattle-weather',
      version: 1,
      sha256: await hex(bytes),
      metadata: await (await fetch(fixture('demo-metadata.json'))).json(),
    });
    await lcm.activate('seattle-weather', 1);
    const raised: string[] = [];
    lcm.addEventListener('drift', (e) => raised.push((e as CustomEvent<DriftEvent>).detail.id));
    // A heat wave the training years never saw.
    for (let i = 0; i < 200 && raised.length === 0; i++)
      await lcm.infer({ precipitation: 0, temp_max: 38 + (i % 3), temp_min: 24 + (i % 2), wind: 3 });
    for (let i = 0; i < 20; i++) await lcm.infer({ precipitation: 0, temp_max: 39, temp_min: 25, wind: 3 });
    assert.ok(raised.length > 0);
    // One more raised just before the page goes: its write cannot have committed yet.
    lcm.driftEvents.add({ ...event(99), ts: Date.now() });
    raised.push(event(99).id);
    // What the PWA does on pagehide; then the page is gone without another await.
    lcm.persistNow();
    assert.ok(outboxKeys().length > 0, 'pagehide spilled what was not written yet');
    worker.terminate();

    const worker2 = new RuntimeWorker({ wasmUrl, callTimeoutMs: 10_000 });
    const again = await TinyLCM.open({ backend: worker2, db: dbName, models: { storage: null } });
    assert.deepEqual(
      again.driftEvents.peek().map((p) => p.event.id),
      raised,
    );
    await again.close();
    worker2.terminate();
  });

  it('close: events whose IndexedDB write never committed come back from the pagehide spill', async () => {
    const closeDb = `${dbName}-close`;
    const db = await openLcmDb(closeDb);
    const outbox = new DriftOutbox(db);
    await outbox.recover();
    for (let n = 0; n < 3; n++) outbox.add(event(n));
    outbox.spill(); // pagehide: synchronous, before any write committed
    assert.equal(outboxKeys().length, 3);
    // The browser closes: the IndexedDB writes are lost, only the spill remains.
    await outbox.flush();
    const keys = outbox.peek().map((p) => p.key);
    for (const key of keys) await db.delete('kv', key);
    db.close();

    const db2 = await openLcmDb(closeDb);
    const reopened = new DriftOutbox(db2);
    await reopened.recover();
    assert.deepEqual(
      reopened.peek().map((p) => p.event.id),
      ['page-0/feature:temp_max', 'page-1/feature:temp_max', 'page-2/feature:temp_max'],
    );
    assert.equal(outboxKeys().length, 0, 'moved into IndexedDB at the start');
    // Synced: gone for good, from both places.
    await reopened.remove(reopened.peek().map((p) => p.key));
    db2.close();
    const db3 = await openLcmDb(closeDb);
    const third = new DriftOutbox(db3);
    await third.recover();
    assert.equal(third.size, 0);
    db3.close();
    await deleteDB(closeDb);
  });
});
