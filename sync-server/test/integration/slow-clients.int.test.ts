import assert from 'node:assert/strict';
import net from 'node:net';
import { before, describe } from 'node:test';
import { deviceDocId } from '../../../shared/documents/index.ts';
import { enrolDevice, operatorWithGroup, type EnrolledDevice } from '../../../testing/fleet.ts';
import { syncHead, trickle, within } from '../../../testing/hostile-clients.ts';
import { api, pgliteServer } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';

/**
 * Slow and hostile clients against a real server with only 2 heavy slots: strangers trickling a
 * sync body never hold a slot, an enrolled device's trickled body is cut with a 408 at the
 * deadline, a half-sent header is dropped, and secrets in query strings never reach the log.
 */

const BODY_READ_TIMEOUT_MS = 1_500;
const HEADERS_TIMEOUT_MS = 1_000;

describe('slow clients: authentication before a heavy slot, bounded header and body reads, no secrets in logs (PGlite server process)', () => {
  const suite = backendSuite(
    'PGlite',
    () =>
      pgliteServer({
        LOAD_SHED_CONCURRENCY: '2',
        BODY_READ_TIMEOUT_MS: String(BODY_READ_TIMEOUT_MS),
        HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      }),
    stopServer,
  );
  let url = '';
  let v1 = '';
  let device: EnrolledDevice;
  const sync = () =>
    api(`${v1}/sync/${deviceDocId(device.deviceId)}`, { token: device.token, body: { have: [], changes: [] } });

  before(async () => {
    const ctx = suite.ctx;
    if (!ctx) return;
    url = ctx.server.url;
    v1 = `${url}/api/v1`;
    const { operator, groupId } = await operatorWithGroup(v1, ctx.adminToken, 'slow');
    device = await enrolDevice(v1, operator, groupId);
  });

  suite.test(
    '8 strangers and 4 bad tokens trickling sync bodies get 401 at once, and the device syncs meanwhile',
    async () => {
      const docId = deviceDocId(device.deviceId);
      const strangers = [
        ...Array.from({ length: 8 }, () => trickle(url, syncHead(url, docId))),
        ...Array.from({ length: 4 }, () =>
          trickle(url, syncHead(url, docId, 'Bearer tsk_not-a-real-token-000000000000')),
        ),
      ];
      try {
        const answers = await Promise.all(strangers.map((s) => within(s.answered, 3_000)));
        for (const a of answers) {
          assert.equal(a.status, 401, `a stranger is refused at once, not left holding a slot: ${a.text}`);
          assert.ok(a.ms < 2_000, `refused in ${a.ms} ms`);
        }
        // With the strangers still connected and trickling, both slots are free for the device.
        for (let i = 0; i < 3; i++) {
          const res = await sync();
          assert.equal(res.status, 200, JSON.stringify(res.body));
        }
      } finally {
        for (const s of strangers) s.close();
      }
    },
  );

  suite.test(
    'a stranger sending a large body reads its 401 (no EPIPE); a trickling one is cut after the linger',
    async () => {
      // 8 MB is far beyond the socket buffers: closing the connection at the 401 would fail this write.
      for (const path of [`/sync/${deviceDocId(device.deviceId)}`, '/devices/me/batches']) {
        const res = await fetch(`${v1}${path}`, {
          method: 'POST',
          body: new Uint8Array(8 * 1024 * 1024),
          headers: { 'content-type': 'application/octet-stream' },
        });
        assert.equal(res.status, 401, path);
      }
      const { hostname, port } = new URL(url);
      const socket = net.connect(Number(port), hostname);
      socket.on('error', () => {});
      const t0 = performance.now();
      const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now() - t0)));
      socket.write(syncHead(url, deviceDocId(device.deviceId)));
      const timer = setInterval(() => socket.writable && socket.write(' '), 200);
      try {
        const ms = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 8_000))]);
        assert.ok(ms > 0 && ms < 5_000, `a trickling stranger's socket is closed after the linger (${ms} ms)`);
      } finally {
        clearInterval(timer);
        socket.destroy();
      }
    },
  );

  suite.test(
    'an enrolled device trickling its body gets 408 at the body-read deadline, and its slot is freed',
    async () => {
      const docId = deviceDocId(device.deviceId);
      const slow = [
        trickle(url, syncHead(url, docId, `Bearer ${device.token}`)),
        trickle(url, syncHead(url, docId, `Bearer ${device.token}`)),
      ];
      try {
        const answers = await Promise.all(slow.map((s) => within(s.answered, BODY_READ_TIMEOUT_MS + 3_000)));
        for (const a of answers) {
          assert.equal(a.status, 408, a.text);
          assert.match(a.text, /"code":"request_timeout"/);
          assert.ok(a.ms >= BODY_READ_TIMEOUT_MS - 100 && a.ms < BODY_READ_TIMEOUT_MS + 2_000, `408 after ${a.ms} ms`);
        }
      } finally {
        for (const s of slow) s.close();
      }
      assert.equal((await sync()).status, 200);
    },
  );

  suite.test('a header that never finishes is dropped after HEADERS_TIMEOUT_MS', async () => {
    const half = trickle(url, `GET /healthz HTTP/1.1\r\nHost: ${new URL(url).host}\r\nX-Slow: `);
    try {
      const a = await within(half.answered, HEADERS_TIMEOUT_MS + 3_000);
      assert.notEqual(a.status, -1, 'the server ended the connection');
      assert.ok(a.ms < HEADERS_TIMEOUT_MS + 2_500, `dropped after ${a.ms} ms`);
    } finally {
      half.close();
    }
  });

  suite.test('enrolment codes and tokens in query strings are redacted from the request log', async (ctx) => {
    await (await fetch(`${url}/?code=secret123`)).text();
    await (await fetch(`${v1}/devices/me?token=secret123&access_token=secret123`)).text();
    await (await fetch(`${v1}/healthz?code=secret123`)).text();
    await new Promise((r) => setTimeout(r, 300)); // the log line is written after the answer
    const out = ctx.server.stdout();
    assert.match(out, /code=\[redacted\]/);
    assert.ok(!out.includes('secret123'), 'no secret in stdout');
    assert.ok(!ctx.server.stderr().includes('secret123'), 'no secret in stderr');
  });
});
