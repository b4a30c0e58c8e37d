import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sessionBackend } from '../src/lcm/backend.ts';
import { ModelIntegrityError } from '../src/lcm/models/index.ts';
import { nodeOrt } from '../src/lcm/runtime/ort-node.ts';
import { ModelPuller, type PullProgress } from '../src/lcm/sync/model-pull.ts';
import { TinyLCM } from '../src/lcm/tinylcm.ts';
import { demo } from './fixtures/models.ts';
import { ModelServer } from './fixtures/model-server.ts';

const NOW = '2026-01-01T00:00:00.000Z';
const noWait = { attempts: 1, baseMs: 0, maxMs: 0 };
/** Read through a call, so an assertion about it does not narrow `lcm.model` for the rest of a test. */
const activeSha = (lcm: TinyLCM) => lcm.model?.sha256;

describe('ModelPuller (resumable download, verified store, activation)', () => {
  const { onnx, metadata } = demo();
  const server = new ModelServer(onnx, {
    name: 'seattle-weather',
    version: 3,
    opset: 17,
    producer: 'tinylcm-demo',
    inputs: [{ name: 'features', type: 'float32', shape: ['batch', 4] }],
    outputs: [],
    description: '',
    tags: {},
    stage: 'None',
    aliases: [],
    metadata: { classLabels: [...metadata.classLabels], features: [...metadata.features] },
    source: null,
    runId: null,
    createdBy: null,
    createdAt: NOW,
    updatedAt: NOW,
  });
  let dbName = '';
  const open = () => TinyLCM.open({ backend: sessionBackend(nodeOrt()), db: dbName, models: { storage: null } });
  const puller = (lcm: TinyLCM, extra: Partial<ConstructorParameters<typeof ModelPuller>[0]> = {}) =>
    new ModelPuller({ lcm, url: server.url, token: 'device-token', persistEveryBytes: 256, retry: noWait, ...extra });

  before(() => server.start());
  after(() => server.stop());
  beforeEach(() => {
    dbName = `model-pull-${Math.random().toString(36).slice(2)}`;
    server.requests.length = 0;
    server.body = onnx;
    server.ignoreRange = false;
    server.etag = `"${server.sha256}"`;
  });

  it('a cut connection keeps the bytes received; after a reload the rest comes with Range + If-Range', async () => {
    const first = await open();
    server.cutAfter = 1000;
    await assert.rejects(puller(first).pull(server.sha256), /connection lost after 1000 of 1733 bytes/);
    assert.deepEqual(await puller(first).progress(server.sha256), {
      sha256: server.sha256,
      received: 1000,
      total: 1733,
    });
    assert.equal(first.model, undefined);
    await first.close();

    // A new process on the same database: the download continues where it stopped.
    const lcm = await open();
    const seen: PullProgress[] = [];
    const p = puller(lcm, { onProgress: (x) => seen.push(x) });
    const model = await p.pull(server.sha256);
    const downloads = server.requests.filter((r) => !r.path.endsWith('/version'));
    assert.deepEqual(
      downloads.map((r) => [r.status, r.range, r.ifRange, r.bytes]),
      [
        [200, undefined, undefined, 1000],
        [206, 'bytes=1000-', `"${server.sha256}"`, 733],
      ],
    );
    assert.equal(seen.at(-1)?.received, 1733);
    assert.ok(
      seen.every((x) => x.received > 1000 && x.total === 1733),
      JSON.stringify(seen),
    );
    assert.deepEqual([model.name, model.version, model.sha256], ['seattle-weather', 3, server.sha256]);
    assert.equal(lcm.model?.sha256, server.sha256, 'activated through TinyLCM');
    assert.equal((await lcm.models.active('seattle-weather'))?.version, 3);
    assert.equal(await p.progress(server.sha256), undefined, 'the download record is gone');
    assert.ok(await lcm.models.verify(model));
    const { observation } = await lcm.infer({ precipitation: 0, temp_max: 20, temp_min: 10, wind: 2 });
    assert.ok(observation.label, 'the pulled model runs');
    await lcm.close();
  });

  it('retries within one pull resume too, each asking only for what is missing', async () => {
    const lcm = await open();
    server.cutAfter = 700;
    const sleeps: number[] = [];
    await puller(lcm, {
      retry: { attempts: 3, baseMs: 10, maxMs: 10, random: () => 1, sleep: async (ms) => void sleeps.push(ms) },
    }).pull(server.sha256);
    assert.deepEqual(sleeps, [10]);
    assert.deepEqual(
      server.requests.filter((r) => !r.path.endsWith('/version')).map((r) => [r.status, r.range, r.bytes]),
      [
        [200, undefined, 700],
        [206, 'bytes=700-', 1033],
      ],
    );
    assert.equal(server.bytesServed, 1733, 'no byte was sent twice');
    assert.equal(lcm.model?.version, 3);
    await lcm.close();
  });

  for (const [why, breakResume] of [
    ['the server ignores Range (200 to a Range request)', (s: ModelServer) => void (s.ignoreRange = true)],
    ['the file changed under If-Range (another ETag)', (s: ModelServer) => void (s.etag = '"another"')],
  ] as const) {
    it(`restarts from zero when ${why}`, async () => {
      const lcm = await open();
      server.cutAfter = 1200;
      await assert.rejects(puller(lcm).pull(server.sha256), /connection lost/);
      breakResume(server);
      const model = await puller(lcm).pull(server.sha256);
      const downloads = server.requests.filter((r) => !r.path.endsWith('/version'));
      assert.deepEqual(
        downloads.map((r) => [r.status, r.range, r.bytes]),
        [
          [200, undefined, 1200],
          [200, 'bytes=1200-', 1733],
        ],
      );
      assert.ok(await lcm.models.verify(model), 'the old partial bytes were not mixed in');
      assert.equal(lcm.model?.sha256, server.sha256);
      await lcm.close();
    });
  }

  it('a 416 (our partial is longer than the file) discards the partial and starts over', async () => {
    const lcm = await open();
    await lcm.db.put(
      'downloads',
      {
        sha256: server.sha256,
        total: null,
        etag: null,
        chunks: [new Blob([new Uint8Array(5000)])],
        received: 5000,
        updatedAt: 0,
      },
      server.sha256,
    );
    await puller(lcm).pull(server.sha256);
    assert.deepEqual(
      server.requests.filter((r) => !r.path.endsWith('/version')).map((r) => [r.status, r.range]),
      [
        [416, 'bytes=5000-'],
        [200, undefined],
      ],
    );
    assert.equal(lcm.model?.sha256, server.sha256);
    await lcm.close();
  });

  it('bytes that do not hash to the deployed sha256 are refused, nothing is stored, the partial is removed', async () => {
    const lcm = await open();
    const bad = onnx.slice();
    bad[bad.length - 1]! ^= 0xff;
    server.body = bad;
    const p = puller(lcm);
    await assert.rejects(
      p.pull(server.sha256),
      (err: unknown) => err instanceof ModelIntegrityError && /sha256 mismatch/.test(err.message),
    );
    assert.equal(await p.progress(server.sha256), undefined);
    assert.deepEqual(await lcm.models.list(), []);
    assert.equal(activeSha(lcm), undefined, 'nothing active');
    // The next attempt starts from zero (no Range) and, with good bytes, succeeds.
    server.body = onnx;
    server.requests.length = 0;
    await p.pull(server.sha256);
    assert.deepEqual(
      server.requests.filter((r) => !r.path.endsWith('/version')).map((r) => [r.status, r.range]),
      [[200, undefined]],
    );
    assert.equal(lcm.model?.sha256, server.sha256);
    await lcm.close();
  });

  it('a version already stored is activated without a download; a refused one fails at once', async () => {
    const lcm = await open();
    await lcm.models.add(onnx, { name: 'seattle-weather', version: 3, sha256: server.sha256 });
    await puller(lcm).pull(server.sha256);
    assert.deepEqual(server.requests, []);
    assert.equal(lcm.model?.version, 3);
    await assert.rejects(puller(lcm, { token: 'wrong' }).pull('b'.repeat(64)), /HTTP 401/);
    assert.equal(server.requests.length, 1, 'a 401 is not retried');
    await lcm.close();
  });
});
