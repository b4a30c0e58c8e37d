import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { buildPackage } from '../../../shared/ingest/index.ts';
import { api, pgliteServer, type TestServer } from '../../../testing/server-process.ts';

const record = (i: number) => ({
  id: `r${i}`,
  ts: Date.UTC(2026, 0, 1) + i,
  model: { name: 'cls', version: 1, sha256: 'x' },
  output: { label: 'cat' },
  latencyMs: 1,
  confidence: 0.9,
  drift: 0,
});

/** Resumable chunked upload over real HTTP: offsets, 409s, a cut connection, and devices kept apart. */
describe('resumable batch upload (server process, PGlite)', () => {
  let ctx: TestServer;
  let v1 = '';
  const tokens: string[] = [];

  before(async () => {
    ctx = await pgliteServer();
    v1 = `${ctx.server.url}/api/v1`;
    const group = await api(`${v1}/device-groups`, { token: ctx.adminToken, body: { name: 'lab' } });
    const code = await api(`${v1}/device-groups/${group.body.id}/enrolment-codes`, {
      token: ctx.adminToken,
      body: { uses: 2, expiresInSeconds: 600 },
    });
    for (let i = 0; i < 2; i++)
      tokens.push((await api(`${v1}/devices/enrol`, { body: { code: code.body.code } })).body.token);
  });
  after(async () => {
    const { code } = await ctx.server.stop();
    await ctx.teardown();
    assert.equal(code, 0);
  });

  const url = (batchId: string) => `${v1}/devices/me/batches/${batchId}/upload`;
  const put = async (token: string, batchId: string, bytes: Uint8Array, start: number, end: number) => {
    const res = await fetch(url(batchId), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-range': `bytes ${start}-${end - 1}/${bytes.length}` },
      body: bytes.slice(start, end) as Uint8Array<ArrayBuffer>,
    });
    return { status: res.status, offset: res.headers.get('upload-offset'), body: (await res.json()) as any };
  };
  const offset = async (token: string, batchId: string) => {
    const head = await fetch(url(batchId), { method: 'HEAD', headers: { authorization: `Bearer ${token}` } });
    assert.equal(head.status, 200);
    return Number(head.headers.get('upload-offset'));
  };
  /** Sends `sent` bytes of a chunk announced as [start, end), then drops the connection. */
  const cut = (token: string, batchId: string, bytes: Uint8Array, start: number, end: number, sent: number) =>
    new Promise<void>((resolve) => {
      const req = http.request(url(batchId), {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${token}`,
          'content-range': `bytes ${start}-${end - 1}/${bytes.length}`,
          'content-length': String(end - start),
        },
      });
      req.on('error', () => resolve());
      req.write(bytes.slice(start, start + sent), () => setTimeout(() => (req.destroy(), resolve()), 200));
    });

  it('a chunk at a wrong offset is a 409 naming the offset; a cut chunk resumes from what arrived; the batch is stored once', async () => {
    // Random attachment bytes do not compress: the package is ~64 KiB.
    const pkg = await buildPackage(
      'big-1',
      Array.from({ length: 300 }, (_, i) => record(i)),
      { 'inputs/noise.bin': randomBytes(64 * 1024) },
    );
    const [a] = tokens as [string];
    assert.equal(await offset(a, 'big-1'), 0);
    const first = await put(a, 'big-1', pkg, 0, 16_384);
    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.deepEqual(first.body, { batchId: 'big-1', offset: 16_384, total: pkg.length });

    const wrong = await put(a, 'big-1', pkg, 32_768, 40_000);
    assert.equal(wrong.status, 409);
    assert.equal(wrong.offset, '16384');
    assert.equal(wrong.body.error.details.offset, 16_384);

    await cut(a, 'big-1', pkg, 16_384, 32_768, 5000);
    const resumed = await offset(a, 'big-1');
    assert.ok(resumed > 16_384 && resumed <= 16_384 + 5000, `the bytes that arrived before the cut count: ${resumed}`);
    const rest = await put(a, 'big-1', pkg, resumed, pkg.length);
    assert.equal(rest.status, 201, JSON.stringify(rest.body));
    assert.deepEqual(rest.body, { batchId: 'big-1', records: 300, duplicate: false });

    // The final chunk resent (its answer lost): acknowledged as the duplicate it is.
    const again = await put(a, 'big-1', pkg, 0, pkg.length);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { batchId: 'big-1', records: 300, duplicate: true });
    const summary = await api(`${v1}/fleet/summary`, { token: ctx.adminToken });
    assert.equal(summary.body.records, 300);
  });

  it("another device's partial upload is invisible to it, and a package naming another batch is refused", async () => {
    const [a, b] = tokens as [string, string];
    const pkg = await buildPackage('big-2', [record(1), record(2)], { 'inputs/noise.bin': randomBytes(8192) });
    assert.equal((await put(a, 'big-2', pkg, 0, 4096)).status, 202);
    assert.equal(await offset(b, 'big-2'), 0, "B does not see A's bytes");
    const intruder = await put(b, 'big-2', pkg, 4096, pkg.length);
    assert.equal(intruder.status, 409);
    assert.equal(intruder.offset, '0');
    assert.equal(await offset(a, 'big-2'), 4096, "A's upload is untouched");

    const other = await buildPackage('big-3', [record(3)]);
    const mislabelled = await put(a, 'big-4', other, 0, other.length);
    assert.equal(mislabelled.status, 400);
    assert.match(mislabelled.body.error.message, /holds batch big-3/);
    const bad = await fetch(url('big-2'), {
      method: 'PUT',
      headers: { authorization: `Bearer ${a}`, 'content-range': 'bytes 5-1/10' },
      body: 'x',
    });
    assert.equal(bad.status, 400);
  });
});
