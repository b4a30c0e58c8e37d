import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { before, describe } from 'node:test';
import type { ServerProcess } from '../../../testing/server-process.ts';
import { backendSuite, stopServer } from '../../../testing/suite.ts';

export interface MlflowSetup {
  server: ServerProcess;
  adminToken: string;
  blobs: 'fs' | 's3';
  teardown(): Promise<void>;
}

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** What an MLflow client sees of a running TinySphere, whatever its backends. */
export function runMlflowTests(name: string, setup: () => Promise<MlflowSetup | undefined>): void {
  describe(`MLflow API over HTTP: ${name}`, () => {
    const suite = backendSuite(name, setup, stopServer);
    const test = suite.test;
    let base = '';
    const tokens: Record<'admin' | 'scientist' | 'operator' | 'viewer', string> = {
      admin: '',
      scientist: '',
      operator: '',
      viewer: '',
    };

    const call = async (
      path: string,
      opts: {
        token?: string | null;
        method?: string;
        body?: unknown;
        query?: Record<string, string | string[]>;
        headers?: Record<string, string>;
        raw?: BodyInit;
      } = {},
    ): Promise<Answer> => {
      const url = new URL(path.startsWith('/api/') ? base + path : `${base}/api/2.0/mlflow${path}`);
      for (const [k, v] of Object.entries(opts.query ?? {})) for (const x of [v].flat()) url.searchParams.append(k, x);
      const token = opts.token === undefined ? tokens.scientist : opts.token;
      const res = await fetch(url, {
        method: opts.method ?? (opts.body === undefined && opts.raw === undefined ? 'GET' : 'POST'),
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      });
      const buf = Buffer.from(await res.arrayBuffer());
      let body: unknown = buf;
      try {
        body = JSON.parse(buf.toString('utf8'));
      } catch {
        /* bytes */
      }
      return { status: res.status, headers: res.headers, body };
    };
    const post = (path: string, body: unknown, opts: Parameters<typeof call>[1] = {}) => call(path, { ...opts, body });
    const get = (path: string, query: Record<string, string | string[]>, opts: Parameters<typeof call>[1] = {}) =>
      call(path, { ...opts, query });
    const ok = (res: Answer) => {
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    /** Both shapes at once: MLflow's error_code/message and the project's error.code/message. */
    const fails = (res: Answer, status: number, code: string) => {
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.error_code, code, JSON.stringify(res.body));
      assert.equal(typeof res.body.message, 'string');
      assert.equal(res.body.error?.code, code);
      assert.equal(res.body.error?.message, res.body.message);
    };
    const createExperiment = async (expName: string) =>
      ok(await post('/experiments/create', { name: expName })).experiment_id as string;
    const createRun = async (experimentId: string, extra: Record<string, unknown> = {}) =>
      ok(await post('/runs/create', { experiment_id: experimentId, start_time: Date.now(), ...extra })).run.info
        .run_id as string;

    before(async () => {
      const ctx = suite.ctx;
      if (!ctx) return;
      base = ctx.server.url;
      tokens.admin = ctx.adminToken;
      for (const role of ['scientist', 'operator', 'viewer'] as const) {
        const res = await call('/api/v1/tokens', { token: tokens.admin, body: { name: `mlflow-${role}`, role } });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        tokens[role] = res.body.token;
      }
    });

    test('experiments: create, get, get-by-name, update, tags, delete, restore, search', async () => {
      const def = ok(await get('/experiments/get', { experiment_id: '0' })).experiment;
      assert.deepEqual([def.experiment_id, def.name, def.artifact_location], ['0', 'Default', 'mlflow-artifacts:/0']);
      const id = ok(
        await post('/experiments/create', { name: 'it-exp', tags: [{ key: 'team', value: 'cv' }] }),
      ).experiment_id;
      assert.match(id, /^\d+$/);
      fails(await post('/experiments/create', { name: 'it-exp' }), 400, 'RESOURCE_ALREADY_EXISTS');
      const byName = ok(await get('/experiments/get-by-name', { experiment_name: 'it-exp' })).experiment;
      assert.deepEqual(byName.tags, [{ key: 'team', value: 'cv' }]);
      assert.equal(typeof byName.creation_time, 'number');
      fails(await get('/experiments/get-by-name', { experiment_name: 'nope' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      fails(await get('/experiments/get', { experiment_id: '987654' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      ok(await post('/experiments/update', { experiment_id: id, new_name: 'it-exp-renamed' }));
      ok(await post('/experiments/set-experiment-tag', { experiment_id: Number(id), key: 'stage', value: 'dev' }));
      ok(await post('/experiments/delete-experiment-tag', { experiment_id: id, key: 'team' }));
      assert.deepEqual(ok(await get('/experiments/get', { experiment_id: id })).experiment.tags, [
        { key: 'stage', value: 'dev' },
      ]);
      const search = ok(
        await post('/experiments/search', { filter: "name LIKE 'it-exp%' AND tags.stage = 'dev'", max_results: 10 }),
      );
      assert.deepEqual(
        search.experiments.map((e: { name: string }) => e.name),
        ['it-exp-renamed'],
      );
      ok(await post('/experiments/delete', { experiment_id: id }));
      assert.equal(ok(await post('/experiments/search', { filter: "name = 'it-exp-renamed'" })).experiments.length, 0);
      // The GET form, with the view type as its protobuf number (3 = ALL).
      assert.equal(
        ok(await get('/experiments/search', { filter: "name = 'it-exp-renamed'", view_type: '3' })).experiments[0]
          .lifecycle_stage,
        'deleted',
      );
      ok(await post('/experiments/restore', { experiment_id: id }));
      assert.equal(ok(await get('/experiments/get', { experiment_id: id })).experiment.lifecycle_stage, 'active');
    });

    test('runs: create, get (run_id or run_uuid), update, tags, delete, restore', async () => {
      const exp = await createExperiment('it-runs');
      const { run } = ok(
        await post('/runs/create', {
          experiment_id: exp,
          run_name: 'first',
          start_time: '1700000000000',
          tags: [{ key: 'k', value: 'v' }],
        }),
      );
      const id = run.info.run_id;
      assert.deepEqual(
        [
          run.info.run_uuid,
          run.info.run_name,
          run.info.status,
          run.info.start_time,
          run.info.artifact_uri,
          run.info.lifecycle_stage,
        ],
        [id, 'first', 'RUNNING', 1_700_000_000_000, `mlflow-artifacts:/${exp}/${id}/artifacts`, 'active'],
      );
      assert.equal(run.info.user_id, 'mlflow-scientist');
      assert.deepEqual(ok(await get('/runs/get', { run_uuid: id })).run.info, run.info);
      const updated = ok(
        await post('/runs/update', { run_uuid: id, status: 3, end_time: '1700000001000', run_name: 'renamed' }),
      ).run_info;
      assert.deepEqual(
        [updated.status, updated.end_time, updated.run_name],
        ['FINISHED', 1_700_000_001_000, 'renamed'],
      );
      ok(await post('/runs/set-tag', { run_id: id, key: 'note', value: 'hi' }));
      ok(await post('/runs/delete-tag', { run_id: id, key: 'k' }));
      fails(await post('/runs/delete-tag', { run_id: id, key: 'k' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      const tags = ok(await get('/runs/get', { run_id: id })).run.data.tags;
      assert.deepEqual(tags, [
        { key: 'mlflow.runName', value: 'renamed' },
        { key: 'note', value: 'hi' },
      ]);
      ok(await post('/runs/delete', { run_id: id }));
      fails(
        await post('/runs/log-metric', { run_id: id, key: 'm', value: 1, timestamp: 1 }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      ok(await post('/runs/restore', { run_id: id }));
      ok(
        await post('/runs/log-model', {
          run_id: id,
          model_json: JSON.stringify({ artifact_path: 'model', flavors: {} }),
        }),
      );
      const history = ok(await get('/runs/get', { run_id: id })).run.data.tags.find(
        (t: { key: string }) => t.key === 'mlflow.log-model.history',
      );
      assert.deepEqual(JSON.parse(history.value), [{ artifact_path: 'model', flavors: {} }]);
      fails(await get('/runs/get', { run_id: '0123456789abcdef0123456789abcdef' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      fails(await get('/runs/get', {}), 400, 'INVALID_PARAMETER_VALUE');
    });

    test('log-metric, log-parameter, log-batch: write-once params, limits, NaN, history paging', async () => {
      const id = await createRun('0');
      ok(await post('/runs/log-parameter', { run_id: id, key: 'lr', value: '0.1' }));
      ok(await post('/runs/log-parameter', { run_uuid: id, key: 'lr', value: '0.1' }));
      fails(await post('/runs/log-parameter', { run_id: id, key: 'lr', value: '0.2' }), 400, 'INVALID_PARAMETER_VALUE');
      fails(
        await post('/runs/log-batch', {
          run_id: id,
          params: [{ key: 'lr', value: '0.3' }],
          metrics: [{ key: 'lost', value: 1, timestamp: 1 }],
        }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      fails(
        await post('/runs/log-batch', { run_id: id, params: [{ key: 'long', value: 'x'.repeat(6001) }] }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      const many = (n: number) =>
        Array.from({ length: n }, (_, i) => ({ key: `m${i}`, value: i, timestamp: 1, step: 0 }));
      fails(await post('/runs/log-batch', { run_id: id, metrics: many(1001) }), 400, 'INVALID_PARAMETER_VALUE');
      fails(
        await post('/runs/log-batch', {
          run_id: id,
          tags: Array.from({ length: 101 }, (_, i) => ({ key: `t${i}`, value: '' })),
        }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      for (let step = 0; step < 5; step++)
        ok(
          await post('/runs/log-metric', {
            run_id: id,
            key: 'loss',
            value: 1 / (step + 1),
            timestamp: String(1000 + step),
            step: String(step),
          }),
        );
      ok(
        await post('/runs/log-batch', {
          run_id: id,
          metrics: [{ key: 'acc', value: 'NaN', timestamp: 5 }, ...many(3)],
          tags: [{ key: 'stage', value: 'train' }],
        }),
      );
      const data = ok(await get('/runs/get', { run_id: id })).run.data;
      assert.deepEqual(data.params, [{ key: 'lr', value: '0.1' }]);
      assert.ok(!data.metrics.some((m: { key: string }) => m.key === 'lost'), 'a refused batch keeps nothing');
      assert.deepEqual(
        data.metrics.find((m: { key: string }) => m.key === 'loss'),
        { key: 'loss', value: 0.2, timestamp: 1004, step: 4 },
      );
      assert.deepEqual(
        data.metrics.find((m: { key: string }) => m.key === 'acc'),
        { key: 'acc', value: 'NaN', timestamp: 5, step: 0 },
      );
      assert.equal(ok(await get('/metrics/get-history', { run_id: id, metric_key: 'loss' })).metrics.length, 5);
      const steps: number[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const res = ok(
          await get('/metrics/get-history', {
            run_id: id,
            metric_key: 'loss',
            max_results: '2',
            ...(token ? { page_token: token } : {}),
          }),
        );
        steps.push(...res.metrics.map((m: { step: number }) => m.step));
        token = res.next_page_token;
        pages += 1;
      } while (token);
      assert.deepEqual([steps, pages], [[0, 1, 2, 3, 4], 3]);
    });

    test('runs/search: filters, order_by, view types and paging through more runs than max_results', async () => {
      const exp = await createExperiment('it-search');
      const names: string[] = [];
      for (let i = 0; i < 7; i++) {
        const runName = `run-${i}`;
        names.push(runName);
        const id = await createRun(exp, { run_name: runName, start_time: 1000 + i });
        ok(
          await post('/runs/log-batch', {
            run_id: id,
            metrics: [{ key: 'acc', value: i / 10, timestamp: 1 }],
            params: [{ key: 'opt', value: i % 2 ? 'adam' : 'sgd' }],
            tags: [{ key: 'even', value: String(i % 2 === 0) }],
          }),
        );
        if (i === 6) ok(await post('/runs/delete', { run_id: id }));
      }
      const search = async (body: Record<string, unknown>) =>
        ok(await post('/runs/search', { experiment_ids: [exp], ...body }));
      const runNames = (r: { runs?: { info: { run_name: string } }[] }) => (r.runs ?? []).map((x) => x.info.run_name);
      assert.deepEqual(runNames(await search({})), ['run-5', 'run-4', 'run-3', 'run-2', 'run-1', 'run-0']);
      assert.deepEqual(
        runNames(await search({ filter: "metrics.acc >= 0.3 and params.opt = 'adam'", order_by: ['metrics.acc ASC'] })),
        ['run-3', 'run-5'],
      );
      assert.deepEqual(runNames(await search({ filter: "tags.even = 'true' and attributes.run_name != 'run-0'" })), [
        'run-4',
        'run-2',
      ]);
      assert.deepEqual(
        runNames(await search({ filter: "attributes.status = 'RUNNING' and attributes.start_time > 1003" })),
        ['run-5', 'run-4'],
      );
      assert.deepEqual(
        runNames(await search({ filter: "params.opt LIKE 'ad%'", order_by: ['attributes.start_time ASC'] })),
        ['run-1', 'run-3', 'run-5'],
      );
      assert.deepEqual(runNames(await search({ run_view_type: 'DELETED_ONLY' })), ['run-6']);
      assert.deepEqual(
        runNames(ok(await post('/runs/search', { experiment_ids: [Number(exp)], run_view_type: 2 }))),
        ['run-6'],
        'ids as numbers, the view type as its enum number',
      );
      fails(
        await post('/runs/search', { experiment_ids: [exp], filter: "metrics.acc = 'x'" }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      fails(
        await post('/runs/search', { experiment_ids: [exp], order_by: ['metrics.acc SIDEWAYS'] }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      fails(await post('/runs/search', { experiment_ids: [exp], max_results: 50_001 }), 400, 'INVALID_PARAMETER_VALUE');
      const paged: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const res = await search({
          run_view_type: 'ALL',
          max_results: 3,
          order_by: ['metrics.acc DESC'],
          ...(token ? { page_token: token } : {}),
        });
        assert.ok(res.runs.length <= 3);
        paged.push(...runNames(res));
        token = res.next_page_token;
        pages += 1;
      } while (token);
      assert.deepEqual([paged, pages], [[...names].reverse(), 3]);
    });

    test('Idempotency-Key: a retried write is applied once; another body with the key is refused; racing duplicates', async () => {
      const id = await createRun('0');
      const batch = { run_id: id, metrics: [{ key: 'once', value: 1, timestamp: 7, step: 0 }] };
      const key = { headers: { 'Idempotency-Key': `batch-${id}` } };
      ok(await post('/runs/log-batch', batch, key));
      // Between the two tries the run is deleted: a second application would now fail; the replay does not.
      ok(await post('/runs/delete', { run_id: id }));
      ok(await post('/runs/log-batch', batch, key));
      ok(await post('/runs/restore', { run_id: id }));
      assert.equal(ok(await get('/metrics/get-history', { run_id: id, metric_key: 'once' })).metrics.length, 1);
      fails(
        await post('/runs/log-batch', { ...batch, metrics: [{ key: 'once', value: 2, timestamp: 8, step: 0 }] }, key),
        400,
        'INVALID_PARAMETER_VALUE',
      );

      const exp = await createExperiment('it-idempotency');
      const create = () =>
        post(
          '/runs/create',
          { experiment_id: exp, run_name: 'raced', start_time: 1 },
          { headers: { 'Idempotency-Key': 'create-raced' } },
        );
      const answers = await Promise.all([create(), create(), create(), create(), create()]);
      const ids = new Set(answers.map((a) => ok(a).run.info.run_id));
      assert.equal(ids.size, 1, 'every duplicate gets the one run');
      assert.equal(ok(await post('/runs/search', { experiment_ids: [exp] })).runs.length, 1);
      // Keys belong to a token: the same key from another caller is a new request.
      const other = ok(
        await post(
          '/runs/create',
          { experiment_id: exp, run_name: 'raced', start_time: 1 },
          { token: tokens.admin, headers: { 'Idempotency-Key': 'create-raced' } },
        ),
      );
      assert.ok(!ids.has(other.run.info.run_id));
    });

    test('mlflow-artifacts: upload, list, download, delete through the blob store', async () => {
      const health = (await (await fetch(`${base}/healthz`)).json()) as { blobs: string };
      assert.equal(health.blobs, suite.ctx!.blobs, 'the artifacts below go through this blob store');
      const exp = await createExperiment('it-artifacts');
      const id = await createRun(exp);
      const root = `/api/2.0/mlflow-artifacts/artifacts/${exp}/${id}/artifacts`;
      const big = randomBytes(3 * 1024 * 1024 + 17);
      ok(
        await call(`${root}/model/model.onnx`, {
          method: 'PUT',
          raw: big,
          headers: { 'content-type': 'application/octet-stream' },
        }),
      );
      // A .json artifact is uploaded as application/json; it must be stored as bytes, not parsed.
      ok(
        await call(`${root}/model/meta%20data.json`, {
          method: 'PUT',
          raw: '{"not": json',
          headers: { 'content-type': 'application/json' },
        }),
      );
      ok(await call(`${root}/.hidden`, { method: 'PUT', raw: 'x' }));
      const download = await call(`${root}/model/model.onnx`);
      assert.equal(download.status, 200);
      assert.ok(Buffer.compare(download.body, big) === 0, 'the bytes come back unchanged');
      assert.match(download.headers.get('content-disposition') ?? '', /attachment/);
      const head = await fetch(`${base}${root}/model/model.onnx`, {
        method: 'HEAD',
        headers: { authorization: `Bearer ${tokens.viewer}` },
      });
      assert.deepEqual([head.status, head.headers.get('content-length')], [200, String(big.length)]);
      assert.equal((await call(`${root}/model/meta%20data.json`)).body.toString(), '{"not": json');
      const list = ok(await get('/api/2.0/mlflow-artifacts/artifacts', { path: `${exp}/${id}/artifacts` }));
      assert.deepEqual(list.files, [
        { path: '.hidden', is_dir: false, file_size: 1 },
        { path: 'model', is_dir: true },
      ]);
      const sub = ok(await get('/api/2.0/mlflow-artifacts/artifacts', { path: `${exp}/${id}/artifacts/model` }));
      assert.deepEqual(sub.files, [
        { path: 'meta data.json', is_dir: false, file_size: 12 },
        { path: 'model.onnx', is_dir: false, file_size: big.length },
      ]);
      const viaRun = ok(await get('/artifacts/list', { run_id: id, path: 'model' }));
      assert.equal(viaRun.root_uri, `mlflow-artifacts:/${exp}/${id}/artifacts`);
      assert.deepEqual(
        viaRun.files.map((f: { path: string }) => f.path),
        ['model/meta data.json', 'model/model.onnx'],
      );
      ok(await call(`${root}/model`, { method: 'DELETE' }));
      fails(await call(`${root}/model/model.onnx`), 404, 'RESOURCE_DOES_NOT_EXIST');
      assert.deepEqual(ok(await get('/api/2.0/mlflow-artifacts/artifacts', { path: `${exp}/${id}/artifacts` })).files, [
        { path: '.hidden', is_dir: false, file_size: 1 },
      ]);
      fails(await call(`${root}/x`, { method: 'PUT', raw: 'x', token: tokens.viewer }), 403, 'PERMISSION_DENIED');
    });

    test('mlflow-artifacts: refuses paths escaping the store and uploads without a length', async () => {
      const raw = (method: string, path: string, headers: Record<string, string> = {}) =>
        new Promise<{ status: number; body: any }>((resolve, reject) => {
          // A path given apart from the URL is sent as it is: a URL would have its '..' resolved away.
          const { hostname, port } = new URL(base);
          const req = httpRequest(
            { hostname, port, path, method, headers: { authorization: `Bearer ${tokens.scientist}`, ...headers } },
            (res) => {
              let text = '';
              res.on('data', (c) => (text += c));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
            },
          );
          req.on('error', reject);
          if (method === 'PUT') req.write('data');
          req.end();
        });
      const escaped = await raw('GET', '/api/2.0/mlflow-artifacts/artifacts/0/../../etc/passwd');
      assert.deepEqual([escaped.status, escaped.body.error_code], [400, 'INVALID_PARAMETER_VALUE']);
      const chunked = await raw('PUT', '/api/2.0/mlflow-artifacts/artifacts/0/x', { 'transfer-encoding': 'chunked' });
      assert.deepEqual([chunked.status, chunked.body.error_code], [411, 'INVALID_PARAMETER_VALUE']);
      fails(await get('/api/2.0/mlflow-artifacts/artifacts', { path: '../x' }), 400, 'INVALID_PARAMETER_VALUE');
    });

    test('roles: operators and viewers read, only scientists and admins write', async () => {
      for (const role of ['operator', 'viewer'] as const) {
        ok(await get('/experiments/get', { experiment_id: '0' }, { token: tokens[role] }));
        ok(await post('/experiments/search', {}, { token: tokens[role] }));
        ok(await post('/runs/search', { experiment_ids: ['0'] }, { token: tokens[role] }));
        fails(
          await post('/experiments/create', { name: `by-${role}` }, { token: tokens[role] }),
          403,
          'PERMISSION_DENIED',
        );
        fails(await post('/runs/create', { experiment_id: '0' }, { token: tokens[role] }), 403, 'PERMISSION_DENIED');
      }
      ok(await post('/experiments/create', { name: 'by-admin' }, { token: tokens.admin }));
      fails(await get('/experiments/get', { experiment_id: '0' }, { token: null }), 401, 'UNAUTHENTICATED');
      fails(await get('/experiments/get', { experiment_id: '0' }, { token: 'tsk_wrong' }), 401, 'UNAUTHENTICATED');
    });

    test('errors: unknown endpoints, broken JSON and schema violations in both shapes', async () => {
      fails(await get('/no/such/endpoint', {}), 404, 'ENDPOINT_NOT_FOUND');
      fails(
        await call('/experiments/create', { raw: '{"name": ', headers: { 'content-type': 'application/json' } }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      fails(await post('/experiments/create', {}), 400, 'INVALID_PARAMETER_VALUE');
      fails(
        await post('/runs/log-metric', { run_id: 'x', key: 'k', value: 'high', timestamp: 1 }),
        400,
        'INVALID_PARAMETER_VALUE',
      );
      // The project's own API keeps its shape.
      const v1 = await call('/api/v1/nope');
      assert.deepEqual([v1.status, v1.body.error.code, v1.body.error_code], [404, 'not_found', undefined]);
    });
  });
}
