import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  answer,
  deviceDocId,
  fromBase64,
  initDoc,
  SyncRequestSchema,
  type DeviceDoc,
  type DeviceHealth,
} from '../../shared/documents/index.ts';
import { healthProvider, shortBrowser } from '../src/lcm/monitor/health.ts';
import { DocSync } from '../../shared/sync/documents.ts';
import { SyncEngine } from '../src/lcm/sync/engine.ts';
import type { LogUploader } from '../src/lcm/sync/uploader.ts';
import type { TinyLCM } from '../src/lcm/tinylcm.ts';

const DEVICE = '00000000-0000-4000-8000-000000000001';

/** The server's side of the JSON sync protocol over one in-memory document; counts the exchanges. */
function memoryServer() {
  const s = { doc: initDoc(deviceDocId(DEVICE)) as A.Doc<DeviceDoc>, exchanges: 0 };
  const fetch: typeof globalThis.fetch = async (_url, init) => {
    s.exchanges++;
    const req = SyncRequestSchema.parse(JSON.parse(new TextDecoder().decode(init!.body as Uint8Array)));
    [s.doc] = A.applyChanges(s.doc, req.changes.map(fromBase64));
    return new Response(JSON.stringify(answer(s.doc, req)), { headers: { 'content-type': 'application/json' } });
  };
  return { s, fetch };
}

/** A TinyLCM with nothing loaded (and an empty key/value store): the engine reports only what it has. */
const emptyDb = { get: async () => undefined, put: async () => undefined, delete: async () => undefined };
const idleLcm = () =>
  Object.assign(new EventTarget(), {
    model: undefined,
    snapshot: () => null,
    driftState: () => null,
    logs: {},
    db: emptyDb,
    driftEvents: { peek: () => [], remove: async () => undefined },
  }) as unknown as TinyLCM;
const noUploads = { uploadOnce: async () => ({ records: 0 }) } as unknown as LogUploader;

async function engineWith(health: () => Promise<DeviceHealth | undefined>, lcm = idleLcm(), uploader = noUploads) {
  const server = memoryServer();
  const url = 'http://tinysphere.test';
  // The JSON format keeps the fake server short (the engine's own DocSync speaks binary by default).
  const doc = await DocSync.open<DeviceDoc>({
    url,
    token: 't',
    docId: deviceDocId(DEVICE),
    fetch: server.fetch,
    format: 'json',
  });
  const engine = await SyncEngine.open({ lcm, url, token: 't', deviceId: DEVICE, doc, uploader, health });
  return { engine, server: server.s };
}

describe('the sync engine reports device health', () => {
  it('each exchange carries the provider health in reported.health, measured once per exchange', async () => {
    let calls = 0;
    const { engine, server } = await engineWith(async () => ({
      storageUsedBytes: 950,
      storageQuotaBytes: 1000,
      batteryLevel: 0.15,
      charging: false,
      uptimeSec: ++calls,
      browser: 'node test',
    }));
    const s1 = await engine.syncNow();
    assert.equal(s1.ok, true, s1.error);
    assert.equal(calls, 1, 'one measurement for the whole exchange');
    assert.equal(server.exchanges, 1, 'a quiet exchange stays one document sync: the second report equals the first');
    assert.deepEqual(A.toJS(server.doc).reported.health, {
      storageUsedBytes: 950,
      storageQuotaBytes: 1000,
      batteryLevel: 0.15,
      charging: false,
      uptimeSec: 1,
      browser: 'node test',
    });
    await engine.syncNow();
    assert.equal(A.toJS(server.doc).reported.health?.uptimeSec, 2, 'the next exchange brings the new measurement');
  });

  it('batches set aside during the exchange are counted in the health it reports (the operator sees them)', async () => {
    let setAside = 0;
    const lcm = Object.assign(idleLcm(), {
      logs: { stats: async () => ({ setAsideBatches: setAside }) },
    }) as unknown as TinyLCM;
    const refusing = {
      uploadOnce: async () => ((setAside += 2), { records: 0, batches: 0, setAside: 2 }),
    } as unknown as LogUploader;
    const { engine, server } = await engineWith(async () => ({ uptimeSec: 1 }), lcm, refusing);
    assert.equal((await engine.syncNow()).ok, true);
    assert.deepEqual(A.toJS(server.doc).reported.health, { uptimeSec: 1, setAsideBatches: 2 });
  });

  it('a failing health provider leaves the exchange successful and the health out', async () => {
    const failing = await engineWith(async () => {
      throw new Error('probe broke');
    });
    assert.equal((await failing.engine.syncNow()).ok, true);
    assert.equal(A.toJS(failing.server.doc).reported.health, undefined);
  });
});

describe('healthProvider', () => {
  it('maps the probe into the schema: rounded, clamped, absent fields left out, uptime from the start', async () => {
    const probe = async () => ({
      storageUsageBytes: 1234.6,
      storageQuotaBytes: 10_000,
      jsHeapUsedBytes: 5e6,
      jsHeapLimitBytes: 2e9,
      batteryLevel: 1.2,
      network: { effectiveType: '4g', rttMs: 150, downlinkMbps: 9.5 },
    });
    const health = await healthProvider({
      probe,
      startedAt: 1_000,
      now: () => 61_400,
      appVersion: '1.2.3',
      browser: 'Chrome 131',
      cpuPressure: () => 'fair',
    })();
    assert.deepEqual(health, {
      storageUsedBytes: 1235,
      storageQuotaBytes: 10_000,
      heapUsedBytes: 5e6,
      heapLimitBytes: 2e9,
      batteryLevel: 1,
      networkType: '4g',
      rttMs: 150,
      downlinkMbps: 9.5,
      cpuPressure: 'fair',
      uptimeSec: 60,
      appVersion: '1.2.3',
      browser: 'Chrome 131',
      measuredAt: new Date(61_400).toISOString(),
    });
  });

  it('a probe that fails still reports uptime, version and browser; Node reports its heap', async () => {
    const health = await healthProvider({
      probe: () => Promise.reject(new Error('no')),
      startedAt: 0,
      now: () => 5_000,
      browser: 'x',
    })();
    assert.deepEqual(Object.keys(health ?? {}).sort(), ['browser', 'measuredAt', 'uptimeSec']);
    const node = await healthProvider()();
    assert.ok((node?.heapUsedBytes ?? 0) > 0 && (node?.heapLimitBytes ?? 0) >= (node?.heapUsedBytes ?? 0));
    assert.match(node?.browser ?? '', /^node \d+\./);
  });

  it('names browsers shortly from their user agents', () => {
    assert.equal(
      shortBrowser(
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36',
      ),
      'Chrome 131',
    );
    assert.equal(
      shortBrowser(
        'Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0',
      ),
      'Edge 131',
    );
    assert.equal(shortBrowser('Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'), 'Firefox 133');
    assert.equal(
      shortBrowser(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      ),
      'Safari 18',
    );
  });
});
