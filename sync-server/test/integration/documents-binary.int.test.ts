import * as A from '@automerge/automerge';
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import {
  appendEvent,
  decodeSyncAnswer,
  deviceDocId,
  encodeSyncRequest,
  report,
  setDesired,
  SYNC_CONTENT_TYPE,
  type DeviceDoc,
} from '../../../shared/documents/index.ts';
import { DocSync } from '../../../shared/sync/documents.ts';
import { api, pgliteServer, type TestServer } from '../../../testing/server-process.ts';
import { enrolDevice, operatorWithGroup } from '../../../testing/fleet.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';

const LIMIT = 1024 * 1024; // MAX_SYNC_BODY_BYTES in routes/documents.ts

describe('documents over HTTP in binary frames (PGlite server process)', () => {
  const suite = backendSuite<TestServer>('PGlite', () => pgliteServer(), stopServer);
  let url = '';
  let v1 = '';
  let operator = '';
  let groupId = '';
  const enrol = () => enrolDevice(v1, operator, groupId);
  const post = (
    docId: string,
    token: string,
    body: BodyInit,
    contentType = SYNC_CONTENT_TYPE,
    extra: RequestInit = {},
  ) =>
    fetch(`${v1}/sync/${docId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body,
      ...extra,
    });
  /** The server's heads now, by a no-change binary request (which also shows the server still serves). */
  const serverHeads = async (docId: string, token: string) => {
    const res = await post(docId, token, encodeSyncRequest({ have: [], changes: [] }));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), SYNC_CONTENT_TYPE);
    return decodeSyncAnswer(new Uint8Array(await res.arrayBuffer())).heads;
  };

  before(async () => {
    const ctx = suite.ctx;
    if (!ctx) return;
    url = ctx.server.url;
    v1 = `${url}/api/v1`;
    ({ operator, groupId } = await operatorWithGroup(v1, ctx.adminToken, 'docs-binary'));
  });

  suite.test(
    'binary and JSON replicas converge; a no-change binary exchange stays under 1 KB each way',
    async (ctx) => {
      const dev = await enrol();
      const docId = deviceDocId(dev.deviceId);
      const open = (token: string, format?: 'json') =>
        DocSync.open<DeviceDoc>({ url, token, docId, ...(format ? { format } : {}) });
      const device = await open(dev.token);
      const server = await open(ctx.adminToken, 'json');
      await device.edit((d) =>
        appendEvent(report(d, { status: 'ok' }), {
          id: 'e1',
          ts: new Date(0).toISOString(),
          kind: 'ks',
          statistic: 0.4,
        }),
      );
      await server.edit((d) => setDesired(d, { syncIntervalSec: 90 }));
      for (let round = 0; round < 2; round++) for (const r of [device, server]) await r.sync();
      const fresh = await open(operator);
      await fresh.sync();
      for (const r of [device, server]) {
        assert.deepEqual(A.getHeads(r.value), A.getHeads(fresh.value));
        assert.deepEqual(A.toJS(r.value), A.toJS(fresh.value));
      }
      assert.equal(fresh.value.desired.syncIntervalSec, 90);
      assert.equal(fresh.value.events[0]?.id, 'e1');
      assert.ok(A.getHeads(fresh.value).length >= 1);

      await device.sync(); // nothing new on either side
      const { up, down } = device.lastExchange!;
      assert.ok(up <= 1024 && down <= 1024, `no-change exchange: ${up} B up, ${down} B down`);
      // The frame is heads only: 2 bytes of header, a count and 32 bytes per head each way.
      const heads = A.getHeads(device.value).length;
      assert.equal(up, 2 + 1 + 32 * heads + 1);
      assert.equal(down, 2 + 1 + 32 * heads + 1 + 1);

      const doc = (await api(`${v1}/openapi.json`)).body.paths['/api/v1/sync/{docId}'].post;
      assert.deepEqual(Object.keys(doc.requestBody.content).sort(), ['application/json', SYNC_CONTENT_TYPE]);
      assert.deepEqual(Object.keys(doc.responses['200'].content).sort(), ['application/json', SYNC_CONTENT_TYPE]);
    },
  );

  suite.test('malformed binary bodies: each a clear 4xx, nothing stored, the server keeps serving', async () => {
    const dev = await enrol();
    const docId = deviceDocId(dev.deviceId);
    const device = await DocSync.open<DeviceDoc>({ url, token: dev.token, docId });
    await device.edit((d) => report(d, { status: 'ok' }));
    await device.sync();
    const before = await serverHeads(docId, dev.token);
    assert.deepEqual(before, A.getHeads(device.value));

    // A real change the server lacks, carried by each broken frame below: none may store it.
    const next = report(A.clone(device.value), { status: 'degraded' });
    const change = A.getChanges(device.value, next)[0]!;
    const good = encodeSyncRequest({ have: before, changes: [change] });
    let seed = 7;
    const random = Uint8Array.from({ length: 512 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    random[0] = 1; // past the version byte, so the decoder reads on into the noise

    const cases: [string, Uint8Array<ArrayBuffer>, number, RegExp][] = [
      ['truncated', good.subarray(0, good.length - 10), 400, /truncated/],
      ['trailing garbage after a valid change', Uint8Array.from([...good, 0xff]), 400, /trailing/],
      ['random bytes', random, 400, /sync frame/],
      ['JSON under the binary content type', new TextEncoder().encode('{"have":[],"changes":[]}'), 400, /version 123/],
      [
        'a valid frame whose change is not an Automerge change',
        encodeSyncRequest({ have: [], changes: [change, new Uint8Array([1, 2, 3, 4])] }),
        400,
        /not an Automerge change/,
      ],
      ['an absurd count', Uint8Array.from([1, 1, 0xff, 0xff, 0x03]), 400, /beyond the limit of 1000/],
      ['oversized', new Uint8Array(LIMIT + 1), 413, /larger than the limit of 1048576/],
    ];
    for (const [what, body, status, message] of cases) {
      const res = await post(docId, dev.token, body);
      const answer = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(res.status, status, `${what}: ${JSON.stringify(answer)}`);
      assert.match(answer.error.message, message, what);
      assert.deepEqual(await serverHeads(docId, dev.token), before, `${what}: nothing stored`);
    }

    // Oversized without a declared length (chunked): refused while streaming.
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(new Uint8Array(LIMIT / 4));
        c.close();
      },
    });
    const streamed = await post(docId, dev.token, chunks, SYNC_CONTENT_TYPE, { duplex: 'half' } as RequestInit);
    assert.equal(streamed.status, 413, await streamed.text());

    const plain = await post(docId, dev.token, 'hello', 'text/plain');
    assert.equal(plain.status, 415, await plain.text());
    const other = await enrol();
    const foreign = await post(deviceDocId(other.deviceId), dev.token, good);
    assert.equal(foreign.status, 403);
    assert.deepEqual(await serverHeads(docId, dev.token), before);

    // The same change in a well-formed frame is stored.
    const ok = await post(docId, dev.token, good);
    assert.equal(ok.status, 200);
    assert.deepEqual(decodeSyncAnswer(new Uint8Array(await ok.arrayBuffer())).heads, A.getHeads(next));
  });
});
