import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { before, describe } from 'node:test';
import { bigInitializerModel, randomBytes, sampleModel } from '../../../shared/onnx/test-fixtures.ts';
import { postMultipartModel } from '../../../testing/multipart.ts';
import { api, type ServerProcess } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';

export interface RegistrySetup {
  server: ServerProcess;
  adminToken: string;
  /** Every key in the server's blob store (to see what an upload stored, or did not). */
  blobKeys(): Promise<string[]>;
  maxUploadBytes: number;
  /** The server's DATA_DIR: uploads are staged in its `staging` folder. */
  dataDir: string;
  teardown(): Promise<void>;
}

/** Staged upload files left behind (there should never be any once a request has been answered). */
async function staged(dataDir: string): Promise<string[]> {
  return readdir(path.join(dataDir, 'staging')).catch(() => []);
}

/** Sends the start of a multipart upload and then drops the connection. */
function abortedUpload(url: string, token: string): Promise<void> {
  return new Promise((resolve) => {
    const boundary = 'tinylcm-abort';
    const req = request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(10_000_000),
      },
    });
    req.on('error', () => resolve());
    req.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="m.onnx"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    req.write(Buffer.alloc(50_000, 7), () =>
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200),
    );
  });
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Registry over real HTTP: uploads, validation, content addressing, downloads, aliases, roles. */
export function runRegistryTests(name: string, setup: () => Promise<RegistrySetup | undefined>): void {
  describe(`model registry: ${name}`, () => {
    const suite = backendSuite(name, setup, stopServer);
    const test = suite.test;
    let base = '';
    let admin = '';
    let viewer = '';
    let scientist = '';
    const model = sampleModel();

    const upload = (
      modelName: string,
      {
        metadata,
        extra,
        ...file
      }: { file?: Uint8Array; fileField?: string; metadata?: string; extra?: [string, string] },
      token = scientist,
    ) =>
      postMultipartModel(`${base}/api/v1/models/${modelName}/versions`, token, {
        ...file,
        fields: { ...(metadata !== undefined ? { metadata } : {}), ...(extra ? { [extra[0]]: extra[1] } : {}) },
      });

    before(async () => {
      const ctx = suite.ctx;
      if (!ctx) return;
      base = ctx.server.url;
      admin = ctx.adminToken;
      viewer = (await api(`${base}/api/v1/tokens`, { token: admin, body: { name: 'viewer', role: 'viewer' } })).body
        .token;
      scientist = (await api(`${base}/api/v1/tokens`, { token: admin, body: { name: 'alice', role: 'scientist' } }))
        .body.token;
    });

    test('an upload answers 201 with what the ONNX graph declares', async () => {
      const res = await upload('iris', {
        file: model,
        metadata: JSON.stringify({ classLabels: ['no', 'yes'], description: 'first' }),
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(res.body, {
        name: 'iris',
        version: 1,
        sha256: sha256(model),
        size: model.length,
        opset: res.body.opset,
        producer: 'tinylcm-test',
        inputs: [{ name: 'features', type: 'float32', shape: ['batch', 3] }],
        outputs: [
          { name: 'probabilities', type: 'float32', shape: ['batch', 2] },
          { name: 'label', type: 'int64', shape: ['batch'] },
        ],
      });
      assert.ok(Number.isInteger(res.body.opset) && res.body.opset > 0);
      const v = await api(`${base}/api/v1/models/iris/versions/1`, { token: viewer });
      assert.deepEqual(v.body.metadata.classLabels, ['no', 'yes']);
      assert.equal(v.body.description, 'first');
      assert.equal(v.body.createdBy, 'alice');
    });

    test('the same bytes are stored once, whatever model and version they belong to; versions are monotonic', async () => {
      const before = (await suite.ctx!.blobKeys()).filter((k) => k.startsWith('models/'));
      assert.equal((await upload('iris', { file: model })).body.version, 2);
      assert.equal((await upload('iris-copy', { file: model })).body.version, 1);
      const after = (await suite.ctx!.blobKeys()).filter((k) => k.startsWith('models/'));
      assert.deepEqual(after, before);
      assert.deepEqual(after, [`models/sha256/${sha256(model)}`]);
      assert.equal(
        (await api(`${base}/api/v1/models/iris/versions/2`, { token: scientist, method: 'DELETE' })).status,
        204,
      );
      assert.equal((await upload('iris', { file: model })).body.version, 3, 'a deleted version number is never reused');
    });

    test('the artifact downloads with ETag, Range (206/416) and If-None-Match (304)', async () => {
      const url = `${base}/api/v1/models/iris/versions/1/artifact`;
      const auth = { authorization: `Bearer ${viewer}` };
      const full = await fetch(url, { headers: auth });
      assert.equal(full.status, 200);
      assert.equal(full.headers.get('etag'), `"${sha256(model)}"`);
      assert.deepEqual(new Uint8Array(await full.arrayBuffer()), model);
      const part = await fetch(url, { headers: { ...auth, range: 'bytes=10-19' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 10-19/${model.length}`);
      assert.deepEqual(new Uint8Array(await part.arrayBuffer()), model.slice(10, 20));
      const tail = await fetch(url, { headers: { ...auth, range: `bytes=${model.length - 5}-` } });
      assert.deepEqual(new Uint8Array(await tail.arrayBuffer()), model.slice(-5));
      const bad = await fetch(url, { headers: { ...auth, range: `bytes=${model.length}-` } });
      assert.equal(bad.status, 416);
      assert.equal(bad.headers.get('content-range'), `bytes */${model.length}`);
      assert.equal(((await bad.json()) as any).error.code, 'range_not_satisfiable');
      const cached = await fetch(url, { headers: { ...auth, 'if-none-match': `"${sha256(model)}"` } });
      assert.equal(cached.status, 304);
      const byAlias = await api(`${base}/api/v1/models/iris/versions/nope/artifact`, { token: viewer });
      assert.equal(byAlias.status, 404);
    });

    test('bad uploads get a clear 4xx and store nothing', async () => {
      const keysBefore = await suite.ctx!.blobKeys();
      const truncated = model.slice(0, Math.floor(model.length * 0.6));
      const cases: [string, Awaited<ReturnType<typeof upload>>, number, RegExp][] = [
        ['random bytes', await upload('bad', { file: randomBytes(1, 4096) }), 400, /not a valid ONNX model/],
        ['a truncated model', await upload('bad', { file: truncated }), 400, /not a valid ONNX model/],
        [
          'a JSON file',
          await upload('bad', { file: new TextEncoder().encode('{"not":"onnx"}') }),
          400,
          /not a valid ONNX model/,
        ],
        ['an empty file', await upload('bad', { file: new Uint8Array(0) }), 400, /not a valid ONNX model/],
        [
          'an oversized file',
          await upload('bad', { file: bigInitializerModel(Math.ceil((suite.ctx!.maxUploadBytes + 1024) / 4) * 4) }),
          413,
          /limit/,
        ],
        [
          'a wrong file field',
          await upload('bad', { file: model, fileField: 'model' }),
          400,
          /unexpected multipart file field "model"/,
        ],
        [
          'an extra field',
          await upload('bad', { file: model, extra: ['comment', 'x'] }),
          400,
          /unexpected multipart field "comment"/,
        ],
        ['no file', await upload('bad', { metadata: '{}' }), 400, /"file" .* is missing/],
        ['metadata that is not JSON', await upload('bad', { file: model, metadata: '{oops' }), 400, /not JSON/],
        [
          'metadata of the wrong shape',
          await upload('bad', { file: model, metadata: '{"classLabels": "yes"}' }),
          400,
          /classLabels/,
        ],
      ];
      for (const [what, res, status, message] of cases) {
        assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
        assert.match(res.body.error.message, message, what);
      }
      const notMultipart = await api(`${base}/api/v1/models/bad/versions`, { token: scientist, body: { file: 'x' } });
      assert.equal(notMultipart.status, 415);
      assert.equal(notMultipart.body.error.code, 'unsupported_media_type');
      assert.equal((await api(`${base}/api/v1/models/bad`, { token: viewer })).status, 404, 'no model was created');
      assert.deepEqual(await suite.ctx!.blobKeys(), keysBefore, 'no blob was stored');
      assert.deepEqual(await staged(suite.ctx!.dataDir), [], 'no staged file was left behind');
    });

    test('an upload the database would refuse (a NUL in the description) is a 400 and leaves no blob, row or staged file', async () => {
      const keysBefore = await suite.ctx!.blobKeys();
      const bytes = bigInitializerModel(8192);
      const res = await upload('nul-desc', { file: bytes, metadata: JSON.stringify({ description: 'bad\u0000byte' }) });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.deepEqual(await suite.ctx!.blobKeys(), keysBefore, 'no blob was stored');
      assert.equal((await api(`${base}/api/v1/models/nul-desc`, { token: viewer })).status, 404);
      assert.deepEqual(await staged(suite.ctx!.dataDir), [], 'no staged file was left behind');
    });

    test('a repeated file part is refused; an upload cut off mid-way leaves no staged file', async () => {
      const form = new FormData();
      form.append('file', new Blob([model.slice()]), 'a.onnx');
      form.append('file', new Blob([model.slice()]), 'b.onnx');
      const res = await fetch(`${base}/api/v1/models/twice/versions`, {
        method: 'POST',
        body: form,
        headers: { authorization: `Bearer ${scientist}` },
      });
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as any).error.message, /unexpected multipart file field "file"/);
      assert.equal((await api(`${base}/api/v1/models/twice`, { token: viewer })).status, 404);
      await abortedUpload(`${base}/api/v1/models/cut/versions`, scientist);
      for (let i = 0; i < 50 && (await staged(suite.ctx!.dataDir)).length; i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(await staged(suite.ctx!.dataDir), [], 'the partial file was removed');
      assert.equal((await api(`${base}/healthz`)).status, 200, 'the server is fine');
    });

    test('roles: viewers read, only scientists and admins write', async () => {
      assert.equal((await upload('iris', { file: model }, viewer)).status, 403);
      const operator = (await api(`${base}/api/v1/tokens`, { token: admin, body: { name: 'op', role: 'operator' } }))
        .body.token;
      assert.equal(
        (await api(`${base}/api/v1/models/iris`, { token: operator, method: 'PATCH', body: { description: 'x' } }))
          .status,
        403,
      );
      assert.equal((await api(`${base}/api/v1/models/iris`, { token: operator })).status, 200);
      assert.equal((await api(`${base}/api/v1/models`)).status, 401);
    });

    test('aliases move with their history (who, when), and versions resolve by alias', async () => {
      const put = (alias: string, version: number) =>
        api(`${base}/api/v1/models/iris/aliases/${alias}`, { token: scientist, method: 'PUT', body: { version } });
      assert.deepEqual((await put('champion', 1)).body.aliases, { champion: 1 });
      assert.deepEqual((await put('champion', 3)).body.aliases, { champion: 3 });
      assert.equal((await put('staging', 99)).status, 404);
      assert.equal((await put('v2', 1)).status, 400, 'an alias may not look like a version');
      assert.equal((await api(`${base}/api/v1/models/iris/versions/champion`, { token: viewer })).body.version, 3);
      assert.equal(
        (await api(`${base}/api/v1/models/iris/aliases/champion`, { token: scientist, method: 'DELETE' })).status,
        204,
      );
      const history = await api(`${base}/api/v1/models/iris/alias-history?alias=champion`, { token: viewer });
      assert.deepEqual(
        history.body.items.map((e: any) => [e.version, e.previousVersion, e.changedBy]),
        [
          [1, null, 'alice'],
          [3, 1, 'alice'],
          [null, 3, 'alice'],
        ],
      );
      assert.ok(history.body.items.every((e: any) => !Number.isNaN(Date.parse(e.changedAt))));
    });

    test('list pages through every model and searches names and descriptions', async () => {
      for (const n of ['m-a', 'm-b', 'm-c']) assert.equal((await upload(n, { file: model })).status, 201);
      assert.equal(
        (
          await api(`${base}/api/v1/models/m-b`, {
            token: scientist,
            method: 'PATCH',
            body: { description: 'the special one', tags: { team: 'vision' } },
          })
        ).body.tags.team,
        'vision',
      );
      const seen: string[] = [];
      let token: string | null = null;
      let pages = 0;
      do {
        const res: any = await api(`${base}/api/v1/models?pageSize=2${token ? `&pageToken=${token}` : ''}`, {
          token: viewer,
        });
        assert.ok(res.body.items.length <= 2);
        seen.push(...res.body.items.map((m: any) => m.name));
        token = res.body.nextPageToken;
        pages++;
      } while (token);
      assert.deepEqual(seen, ['iris', 'iris-copy', 'm-a', 'm-b', 'm-c']);
      assert.equal(pages, 3);
      assert.deepEqual(
        (await api(`${base}/api/v1/models?search=special`, { token: viewer })).body.items.map((m: any) => m.name),
        ['m-b'],
      );
      assert.equal((await api(`${base}/api/v1/models?pageToken=garbage`, { token: viewer })).status, 400);
    });

    test('deleting a model removes its versions; bytes stay while another version shares them', async () => {
      const other = bigInitializerModel(4096);
      assert.equal((await upload('solo', { file: other })).status, 201);
      assert.ok((await suite.ctx!.blobKeys()).includes(`models/sha256/${sha256(other)}`));
      assert.equal((await api(`${base}/api/v1/models/solo`, { token: scientist, method: 'DELETE' })).status, 204);
      assert.equal((await api(`${base}/api/v1/models/solo`, { token: viewer })).status, 404);
      assert.ok(
        !(await suite.ctx!.blobKeys()).includes(`models/sha256/${sha256(other)}`),
        'unshared bytes are removed',
      );
      assert.equal((await api(`${base}/api/v1/models/m-a`, { token: scientist, method: 'DELETE' })).status, 204);
      assert.ok((await suite.ctx!.blobKeys()).includes(`models/sha256/${sha256(model)}`), 'shared bytes stay');
    });
  });
}
