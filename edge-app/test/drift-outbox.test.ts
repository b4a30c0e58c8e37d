import 'fake-indexeddb/auto';
import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { demoReferenceProfile } from '../../shared/demo/profile.ts';
import { buildDemoModel, parseSeattleWeather, splitByYear } from '../../shared/demo/seattle-weather.ts';
import {
  answer,
  deviceDocId,
  fromBase64,
  initDoc,
  SyncRequestSchema,
  type DeviceDoc,
} from '../../shared/documents/index.ts';
import { sessionBackend } from '../src/lcm/backend.ts';
import { nodeOrt } from '../src/lcm/runtime/ort-node.ts';
import { DocSync } from '../../shared/sync/documents.ts';
import { SyncEngine } from '../src/lcm/sync/engine.ts';
import type { LogUploader } from '../src/lcm/sync/uploader.ts';
import { TinyLCM } from '../src/lcm/tinylcm.ts';
import type { DriftEvent } from '../src/lcm/types.ts';
import { seattleWeatherCsvUrl } from '../../shared/demo/dataset.ts';

const DEVICE = '00000000-0000-4000-8000-0000000000d1';

/**
 * Drift events raised and not yet synced survive the page going away (the browser side, with
 * pagehide and localStorage, is drift-outbox.browser.test.ts) and reach the server exactly once.
 */
describe('drift events wait in an outbox until they are in the device document', () => {
  it('a reopened TinyLCM finds the events of the one before, and one sync sends each exactly once', async () => {
    const csv = await readFile(new URL(seattleWeatherCsvUrl(import.meta.resolve)), 'utf8');
    const { onnx, model, metadata } = buildDemoModel(csv);
    const { train, holdout } = splitByYear(parseSeattleWeather(csv));
    const db = `drift-outbox-${Date.now()}`;
    const open = () => TinyLCM.open({ backend: sessionBackend(nodeOrt()), db, models: { storage: null } });
    const first = await open();
    const sha256 = createHash('sha256').update(onnx).digest('hex');
    await first.models.add(onnx, {
      name: 'seattle-weather',
      version: 1,
      sha256,
      metadata: {
        classLabels: metadata.classLabels,
        features: metadata.features,
        referenceProfile: demoReferenceProfile(model, train) as unknown as Record<string, unknown>,
      },
    });
    await first.activate('seattle-weather', 1);
    const raised: string[] = [];
    first.addEventListener('drift', (e) => raised.push((e as CustomEvent<DriftEvent>).detail.id));
    for (let i = 0; i < 300; i++) {
      const row = holdout[i % holdout.length]!;
      await first.infer({
        precipitation: row.precipitation,
        temp_max: row.temp_max + 15,
        temp_min: row.temp_min + 15,
        wind: row.wind,
      });
    }
    assert.ok(raised.length > 0, 'the heat wave raised drift events');
    // No engine ever ran: the page goes (pagehide), and the app opens again on the same database.
    first.persistNow();
    await first.driftEvents.flush();

    const second = await open();
    assert.deepEqual(
      second.driftEvents.peek().map((p) => p.event.id),
      raised,
    );

    const server = memoryServer();
    const doc = await DocSync.open<DeviceDoc>({
      url: 'http://tinysphere.test',
      token: 't',
      docId: deviceDocId(DEVICE),
      fetch: server.fetch,
      format: 'json',
    });
    const engine = await SyncEngine.open({
      lcm: second,
      url: 'http://tinysphere.test',
      token: 't',
      deviceId: DEVICE,
      doc,
      uploader: noUploads,
      keepEvents: 10_000,
    });
    assert.equal((await engine.syncNow()).ok, true);
    assert.deepEqual(
      server.s.doc.events.map((e) => e.id),
      raised,
      'each event reached the server once, in order',
    );
    assert.equal(second.driftEvents.size, 0, 'the outbox let them go');
    await engine.syncNow();
    assert.equal(server.s.doc.events.length, raised.length, 'a second sync sends none again');
    await engine.close();
    await second.close();
    const third = await open();
    assert.equal(third.driftEvents.size, 0, 'nor does the next start');
    await third.close();
  });
});

const noUploads = { uploadOnce: async () => ({ records: 0 }) } as unknown as LogUploader;

/** The server's side of the JSON sync protocol over one in-memory document. */
function memoryServer() {
  const s = { doc: initDoc(deviceDocId(DEVICE)) as A.Doc<DeviceDoc> };
  const fetch: typeof globalThis.fetch = async (_url, init) => {
    const req = SyncRequestSchema.parse(JSON.parse(new TextDecoder().decode(init!.body as Uint8Array)));
    [s.doc] = A.applyChanges(s.doc, req.changes.map(fromBase64));
    return new Response(JSON.stringify(answer(s.doc, req)), { headers: { 'content-type': 'application/json' } });
  };
  return { s, fetch };
}
