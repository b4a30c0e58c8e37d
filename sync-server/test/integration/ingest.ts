import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { buildPackage } from '../../../shared/ingest/index.ts';
import { api, type ServerProcess } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';

export interface IngestSetup {
  server: ServerProcess;
  adminToken: string;
  teardown(): Promise<void>;
}

const record = (i: number) => ({
  id: `r${i}`,
  ts: Date.UTC(2026, 0, 1) + i,
  model: { name: 'cls', version: 1, sha256: 'x' },
  output: { label: 'cat' },
  latencyMs: 1,
  confidence: 0.9,
  drift: 0,
});

/** Posts bytes as the `package` field, as a device would. */
async function postBatch(url: string, token: string, bytes: Uint8Array) {
  const form = new FormData();
  form.append('package', new Blob([bytes as Uint8Array<ArrayBuffer>]), 'batch.tar.gz');
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, body: (await res.json()) as any };
}

/** Log batch upload over real HTTP: exactly once by batch id, device tokens only, bad packages refused. */
export function runIngestTests(name: string, setup: () => Promise<IngestSetup | undefined>): void {
  describe(`log batch upload: ${name}`, () => {
    const suite = backendSuite(name, setup, stopServer);
    const test = suite.test;
    let v1 = '';
    let batches = '';
    let operator = '';
    let device = { deviceId: '', token: '' };

    before(async () => {
      const ctx = suite.ctx;
      if (!ctx) return;
      v1 = `${ctx.server.url}/api/v1`;
      batches = `${v1}/devices/me/batches`;
      operator = (await api(`${v1}/tokens`, { token: ctx.adminToken, body: { name: 'ops', role: 'operator' } })).body
        .token;
      const group = await api(`${v1}/device-groups`, { token: operator, body: { name: 'lab' } });
      const code = await api(`${v1}/device-groups/${group.body.id}/enrolment-codes`, {
        token: operator,
        body: { uses: 1, expiresInSeconds: 600 },
      });
      const enrolled = await api(`${v1}/devices/enrol`, { body: { code: code.body.code, name: 'cam' } });
      assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
      device = enrolled.body;
    });

    test('a batch is stored once: 201, then the resend is a 200 duplicate', async () => {
      const pkg = await buildPackage('batch-1', [record(1), record(2), record(3)]);
      const first = await postBatch(batches, device.token, pkg);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.deepEqual(first.body, { batchId: 'batch-1', records: 3, duplicate: false });
      const again = await postBatch(batches, device.token, pkg);
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.deepEqual(again.body, { batchId: 'batch-1', records: 3, duplicate: true });
    });

    test('identical uploads racing: one 201, the others 200', async () => {
      const pkg = await buildPackage('batch-race', [record(10), record(11)]);
      const answers = await Promise.all([1, 2, 3].map(() => postBatch(batches, device.token, pkg)));
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 201]);
    });

    test('people may not upload batches (403), nor may anonymous callers (401)', async () => {
      const pkg = await buildPackage('batch-op', [record(1)]);
      const denied = await postBatch(batches, operator, pkg);
      assert.equal(denied.status, 403);
      const admin = await postBatch(batches, suite.ctx!.adminToken, pkg);
      assert.equal(admin.status, 403);
      assert.equal(admin.body.error.code, 'forbidden');
      const form = new FormData();
      form.append('package', new Blob([pkg as Uint8Array<ArrayBuffer>]));
      assert.equal((await fetch(batches, { method: 'POST', body: form })).status, 401);
    });

    test('a malformed package is a 400 and the batch is not stored (its id stays free)', async () => {
      const pkg = await buildPackage('batch-bad', [record(1), record(2)]);
      const truncated = await postBatch(batches, device.token, pkg.slice(0, pkg.length - 12));
      assert.equal(truncated.status, 400, JSON.stringify(truncated.body));
      assert.match(truncated.body.error.message, /malformed log package/);
      const good = await postBatch(batches, device.token, pkg);
      assert.equal(good.status, 201, 'nothing of the refused upload was stored under its id');
      const notMultipart = await fetch(batches, {
        method: 'POST',
        headers: { authorization: `Bearer ${device.token}`, 'content-type': 'application/gzip' },
        body: pkg as Uint8Array<ArrayBuffer>,
      });
      assert.equal(notMultipart.status, 415);
    });
  });
}
